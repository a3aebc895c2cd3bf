"""`seq2add board`: a room's live standings, full screen, for a projector."""

from __future__ import annotations

import argparse

from seq2add_tui.cli.common import db_option, db_path


def add_parser(commands: argparse._SubParsersAction) -> None:
    board = commands.add_parser(
        "board",
        help="show a room's standings live, for a projector",
        description=(
            "A full-screen wall board of a `seq2add serve` room: the top 10 in large digits, "
            "players connected, rounds played, and the room's URL with a QR code. It refreshes "
            "within 2 s of a round being saved. `serve` also shows it at /board."
        ),
    )
    board.add_argument(
        "--room", metavar="NAME", help="the room (default: the most recently served one)"
    )
    db_option(board)


def run(args: argparse.Namespace) -> int:
    from seq2add_tui.board_app import BoardApp

    BoardApp(db_path(args), args.room).run()
    return 0
