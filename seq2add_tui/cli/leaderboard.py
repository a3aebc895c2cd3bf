"""`seq2add leaderboard`: the quiz's top scores, as a table or JSON."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from seq2add_tui.cli.common import db_option, db_path, print_json, whole_number


def add_parser(commands: argparse._SubParsersAction) -> None:
    board = commands.add_parser("leaderboard", help="show the quiz's top scores")
    board.add_argument("--model", metavar="NAME", help="only scores against this model")
    board.add_argument(
        "--limit", type=whole_number(1), default=10, metavar="N", help="rows (default 10)"
    )
    board.add_argument(
        "--every-round",
        action="store_true",
        help="list every round, not only each player's best",
    )
    board.add_argument("--json", action="store_true", help="print a JSON list")
    db_option(board)


def run(args: argparse.Namespace) -> int:
    from core.leaderboard import Leaderboard

    with Leaderboard(db_path(args)) as board:
        scores = board.top(args.model, args.limit, best_per_player=not args.every_round)
    if args.json:
        print_json([{"rank": place, **s.to_dict()} for place, s in enumerate(scores, 1)])
    else:
        _print_leaderboard(scores, board.path, args.model, best_per_player=not args.every_round)
    return 0


def _print_leaderboard(
    scores: Sequence[Any], path: Path, model: str | None, *, best_per_player: bool
) -> None:
    from rich import box
    from rich.table import Table

    from seq2add_tui.console import console
    from seq2add_tui.score_rows import score_cells

    which = f"on {model}" if model else "on every model"
    if not scores:
        console.print(f"No scores {which} yet in {path}; play one with `seq2add quiz`.")
        return
    kind = "each player's best" if best_per_player else "every round"
    table = Table(
        title=f"Top scores {which} ({kind}) — {path}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    # Every model at once needs the model's name; at 80 columns the level makes way for it.
    every_model = model is None
    columns = ["#", "player", "score", *(["model"] * every_model), "model's", "result", "right"]
    columns += [*(["level"] * (not every_model)), "played"]
    for name in columns:
        right = name in ("#", "score", "model's", "right")
        table.add_column(name, justify="right" if right else "left", no_wrap=True)
    for place, score in enumerate(scores, 1):
        level = None if every_model else "full"
        table.add_row(*score_cells(place, score, opponent=every_model, level=level))
    console.print(table)
