"""`seq2add ssh`: the quiz over plain SSH, one quiz process per connection, one leaderboard."""

from __future__ import annotations

import argparse
from pathlib import Path

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
from seq2add_tui.cli.serve import DEFAULT_MAX_PLAYERS

DEFAULT_IDLE_MINUTES = 10
"""A session with no key pressed for this long ends and frees its seat."""


def add_parser(commands: argparse._SubParsersAction) -> None:
    from core.presets import DEFAULT_OPPONENT

    ssh = commands.add_parser(
        "ssh",
        help="serve the quiz over SSH (players run `ssh -p 2222 NAME@HOST`)",
        description=(
            "Serve the quiz over SSH: `ssh -p PORT NAME@HOST` plays as NAME, no password. Every "
            "connection gets its own quiz in its own terminal, all share one leaderboard, and "
            "nothing else is offered (no shell, commands, file transfer or forwarding). Listens "
            "on 127.0.0.1 unless --host is given (--host 0.0.0.0 opens it to your network)."
        ),
    )
    ssh.add_argument(
        "model",
        nargs="?",
        default=DEFAULT_OPPONENT,
        metavar="MODEL",
        help=f"the opponent (default {DEFAULT_OPPONENT})",
    )
    ssh.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    ssh.add_argument(
        "--port",
        type=whole_number(1, 65_535),
        default=2222,
        help="port to listen on (default 2222)",
    )
    ssh.add_argument(
        "--max-players",
        type=whole_number(1),
        default=DEFAULT_MAX_PLAYERS,
        metavar="N",
        help=f"sessions at once; later players are told the room is full "
        f"(default {DEFAULT_MAX_PLAYERS})",
    )
    ssh.add_argument(
        "--idle-minutes",
        type=whole_number(1),
        default=DEFAULT_IDLE_MINUTES,
        metavar="M",
        help=f"end a session after M minutes without a key press (default {DEFAULT_IDLE_MINUTES})",
    )
    ssh.add_argument(
        "--host-key",
        type=Path,
        metavar="PATH",
        help="the server's private key, made on first start "
        "(default: ssh_host_ed25519_key in the per-user data folder)",
    )
    round_options(ssh)
    ssh.add_argument(
        "--seed",
        type=positive_int,
        metavar="S",
        help="give every player the same first round (a fair race for the leaderboard)",
    )
    db_option(ssh)
    models_dir_option(ssh)


def run(args: argparse.Namespace) -> int:
    from core.leaderboard import default_db_path
    from core.store import load_predictor, resolve

    try:
        from seq2add_tui import ssh_server
        from seq2add_tui.serve import quiz_argv
    except ImportError:
        raise UsageError("serving over SSH needs asyncssh: pip install asyncssh") from None
    folder = resolve(args.model, models_dir(args))
    predictor = load_predictor(folder)  # fail here, not in every player's terminal
    check_difficulty(predictor, args.difficulty)
    argv = quiz_argv(
        folder,
        db_path=db_path(args) or default_db_path(),
        questions=args.questions,
        seconds=args.seconds,
        difficulty=args.difficulty,
        seed=args.seed,
        session="--ssh-session",
    )
    room = ssh_server.Room(
        argv, port=args.port, max_players=args.max_players, idle_minutes=args.idle_minutes
    )
    key_path = (args.host_key or ssh_server.default_host_key_path()).expanduser()
    try:
        ssh_server.run(room, args.host, key_path, predictor.name)
    except OSError as error:
        raise UsageError(
            f"can't listen on {args.host}:{args.port} ({error.strerror or error}); "
            "choose another --port or --host"
        ) from None
    return 0
