"""`seq2add serve`: the quiz for web browsers, one process per tab, one shared leaderboard."""

from __future__ import annotations

import argparse
import sys

from seq2add_tui.cli.common import (
    UsageError,
    check_difficulty,
    db_option,
    db_path,
    models_dir,
    models_dir_option,
    positive_int,
    round_options,
    whole_number,
)

DEFAULT_MAX_PLAYERS = 32
"""Quiz sessions `serve` runs at once: 32 is what benchmarks/serve_concurrency.py measured 2 cores
serving with every answer under 50 ms."""


def add_parser(commands: argparse._SubParsersAction) -> None:
    from core.presets import DEFAULT_OPPONENT

    serve = commands.add_parser(
        "serve",
        help="serve the quiz to web browsers",
        description=(
            "Serve the quiz over HTTP with textual-serve: every browser tab gets its own quiz "
            "process, and all share one leaderboard. Listens on 127.0.0.1 unless --host is given "
            "(--host 0.0.0.0 opens it to your network)."
        ),
    )
    serve.add_argument(
        "model",
        nargs="?",
        default=DEFAULT_OPPONENT,
        metavar="MODEL",
        help=f"the opponent (default {DEFAULT_OPPONENT})",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
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
    round_options(serve)
    serve.add_argument(
        "--seed",
        type=positive_int,
        metavar="S",
        help="give every visitor the same first round (a fair race for the leaderboard)",
    )
    db_option(serve)
    models_dir_option(serve)


def run(args: argparse.Namespace) -> int:
    from core.leaderboard import default_db_path
    from core.store import load_predictor, resolve

    try:
        from seq2add_tui.serve import browse_url, quiz_command, serve
    except ImportError:
        raise UsageError("serving needs textual-serve: pip install textual-serve") from None
    folder = resolve(args.model, models_dir(args))
    predictor = load_predictor(folder)  # fail here, not in every visitor's browser
    check_difficulty(predictor, args.difficulty)
    command = quiz_command(
        folder,
        db_path=db_path(args) or default_db_path(),
        questions=args.questions,
        seconds=args.seconds,
        difficulty=args.difficulty,
        seed=args.seed,
    )
    sys.stdout.write(f"seq2add serve: open {browse_url(args.host, args.port)}\n")
    sys.stdout.flush()
    try:
        serve(command, args.host, args.port, predictor.name, args.max_players)
    except OSError as error:
        raise UsageError(
            f"can't listen on {args.host}:{args.port} ({error.strerror or error}); "
            "choose another --port or --host"
        ) from None
    return 0
