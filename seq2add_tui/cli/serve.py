"""`seq2add serve`: a room of players in their browsers, one process per tab, one leaderboard."""

from __future__ import annotations

import argparse
import sys

from seq2add_tui.cli.common import UsageError, whole_number
from seq2add_tui.cli.rooms import (
    DEFAULT_IDLE_MINUTES,
    DEFAULT_MAX_PLAYERS,
    address_options,
    cannot_listen,
    files_options,
    minutes,
    opponent_options,
    set_up_room,
    shared_round_options,
)

DEFAULT_PER_ADDRESS = 4
DEFAULT_WARM_SESSIONS = 4


def add_parser(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser(
        "serve",
        help="run a quiz room for web browsers",
        description=(
            "Run a quiz room over HTTP: every browser tab gets its own quiz process, every round "
            "is tagged with the room, and everyone plays the round set here (the lobby shows it "
            "read-only unless --let-players-choose). Listens on 127.0.0.1 unless --host is given "
            "(--host 0.0.0.0 opens it to your network). The wall board is at /board."
        ),
    )
    opponent_options(serve)
    serve.add_argument(
        "--room",
        metavar="NAME",
        help="the room's name, tagging every round (default: a fresh room-YYYY-MM-DD-N)",
    )
    address_options(serve, 8000, allowed_hosts=True)
    serve.add_argument(
        "--max-players",
        type=whole_number(1),
        default=DEFAULT_MAX_PLAYERS,
        metavar="N",
        help=f"sessions at once; later visitors are told the room is full "
        f"(default {DEFAULT_MAX_PLAYERS}, what 2 cores serve in under 50 ms per answer)",
    )
    serve.add_argument(
        "--per-address",
        type=whole_number(1),
        default=DEFAULT_PER_ADDRESS,
        metavar="N",
        help=f"sessions at once from one client address (default {DEFAULT_PER_ADDRESS})",
    )
    serve.add_argument(
        "--idle-minutes",
        type=minutes,
        default=DEFAULT_IDLE_MINUTES,
        metavar="M",
        help=f"end a session nobody typed in for M minutes (default {DEFAULT_IDLE_MINUTES:g})",
    )
    serve.add_argument(
        "--warm-sessions",
        type=whole_number(0),
        default=DEFAULT_WARM_SESSIONS,
        metavar="N",
        help="quiz sessions kept started ahead of visitors: about how many you expect to "
        f"open the page at once (default {DEFAULT_WARM_SESSIONS}; each holds ~80 MB)",
    )
    shared_round_options(serve, "visitor")
    serve.add_argument("--verbose", action="store_true", help="log every request and session start")
    files_options(serve)


def run(args: argparse.Namespace) -> int:
    try:
        from seq2add_tui.serve import Room, browse_url, quiz_command, serve
    except ImportError:
        raise UsageError("serving needs textual-serve: pip install textual-serve") from None
    setup = set_up_room(args)
    command = quiz_command(setup.folder, **setup.quiz_options)
    if args.let_players_choose:
        round_text = "each player chooses their round"
    else:
        round_text = f"{args.questions} questions · {args.seconds:g} s · {args.difficulty}"
    room = Room(
        name=setup.name,
        opponent=setup.predictor.name,
        round=round_text,
        db_path=setup.database,
        max_players=args.max_players,
        per_address=args.per_address,
        idle_minutes=args.idle_minutes,
        warm_sessions=min(args.warm_sessions, args.max_players),
        verbose=args.verbose,
        allowed_hosts=tuple(args.allowed_host),
    )
    sys.stdout.write(f"seq2add serve: open {browse_url(args.host, args.port)} (room {room.name})\n")
    sys.stdout.flush()
    try:
        serve(command, args.host, args.port, room)
    except OSError as error:
        raise cannot_listen(args, error) from None
    return 0
