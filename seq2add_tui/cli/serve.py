"""`seq2add serve`: a room of players in their browsers, one process per tab, one leaderboard."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from seq2add_tui.cli.common import (
    UsageError,
    check_difficulty,
    db_option,
    db_path,
    models_dir,
    models_dir_option,
    positive_int,
    rate,
    round_options,
    whole_number,
)

DEFAULT_MAX_PLAYERS = 32
"""Quiz sessions `serve` runs at once: 32 is what benchmarks/serve_concurrency.py measured 2 cores
serving with every answer under 50 ms."""
DEFAULT_PER_ADDRESS = 4
DEFAULT_IDLE_MINUTES = 10.0
DEFAULT_WARM_SESSIONS = 4


def minutes(text: str) -> float:
    value = rate(text)
    if not 0 < value <= 24 * 60:
        raise argparse.ArgumentTypeError(f"{text!r} is outside 0–1,440 minutes")
    return value


def add_parser(commands: argparse._SubParsersAction) -> None:
    from core.presets import DEFAULT_OPPONENT

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
    serve.add_argument(
        "model",
        nargs="?",
        default=DEFAULT_OPPONENT,
        metavar="MODEL",
        help=f"the opponent (default {DEFAULT_OPPONENT})",
    )
    serve.add_argument("--model", dest="model_flag", metavar="MODEL", help="same as MODEL")
    serve.add_argument(
        "--room",
        metavar="NAME",
        help="the room's name, tagging every round (default: a fresh room-YYYY-MM-DD-N)",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    serve.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also serve requests for this host name (e.g. behind a proxy); repeatable",
    )
    serve.add_argument(
        "--port",
        type=whole_number(1, 65_535),
        default=8000,
        help="port to listen on (default 8000)",
    )
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
    round_options(serve)
    serve.add_argument(
        "--seed",
        type=positive_int,
        metavar="S",
        help="give every visitor the same round (a fair race for the leaderboard)",
    )
    serve.add_argument(
        "--let-players-choose",
        action="store_true",
        help="let each visitor set questions, seconds and difficulty (rounds of other formats "
        "are ranked separately)",
    )
    serve.add_argument("--verbose", action="store_true", help="log every request and session start")
    db_option(serve)
    models_dir_option(serve)


def chosen_room_name(name: str | None, database: Path) -> str:
    """``--room``'s name, checked, or a fresh one for today (`seq2add ssh` names rooms alike)."""
    from core.leaderboard import check_player_name
    from seq2add_tui.remote_play import room_name_today

    if name is None:
        return room_name_today(database)
    try:
        return check_player_name(name)  # the same rules make a good room name
    except ValueError as error:
        raise UsageError(f"--room: {error}".replace("Names", "Room names")) from None


def run(args: argparse.Namespace) -> int:
    from core.leaderboard import default_db_path
    from core.store import load_predictor, resolve

    try:
        from seq2add_tui.serve import Room, browse_url, quiz_command, serve
    except ImportError:
        raise UsageError("serving needs textual-serve: pip install textual-serve") from None
    model = args.model_flag or args.model
    folder = resolve(model, models_dir(args))
    predictor = load_predictor(folder)  # fail here, not in every visitor's browser
    check_difficulty(predictor, args.difficulty)
    database = db_path(args) or default_db_path()
    room_name = chosen_room_name(args.room, database)
    command = quiz_command(
        folder,
        db_path=database,
        questions=args.questions,
        seconds=args.seconds,
        difficulty=args.difficulty,
        seed=args.seed,
        room=room_name,
        locked=not args.let_players_choose,
    )
    if args.let_players_choose:
        round_text = "each player chooses their round"
    else:
        round_text = f"{args.questions} questions · {args.seconds:g} s · {args.difficulty}"
    room = Room(
        name=room_name,
        opponent=predictor.name,
        round=round_text,
        db_path=database,
        max_players=args.max_players,
        per_address=args.per_address,
        idle_minutes=args.idle_minutes,
        warm_sessions=min(args.warm_sessions, args.max_players),
        verbose=args.verbose,
        allowed_hosts=tuple(args.allowed_host),
    )
    sys.stdout.write(f"seq2add serve: open {browse_url(args.host, args.port)} (room {room_name})\n")
    sys.stdout.flush()
    try:
        serve(command, args.host, args.port, room)
    except OSError as error:
        raise UsageError(
            f"can't listen on {args.host}:{args.port} ({error.strerror or error}); "
            "choose another --port or --host"
        ) from None
    return 0
