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
from seq2add_tui.cli.serve import (
    DEFAULT_IDLE_MINUTES,
    DEFAULT_MAX_PLAYERS,
    chosen_room_name,
    minutes,
)


def add_parser(commands: argparse._SubParsersAction) -> None:
    from core.presets import DEFAULT_OPPONENT

    ssh = commands.add_parser(
        "ssh",
        help="serve the quiz over SSH (players run `ssh -p 2222 NAME@HOST`)",
        description=(
            "Run a quiz room over SSH: `ssh -p PORT NAME@HOST` plays as NAME, no password. Every "
            "connection gets its own quiz in its own terminal, every round is tagged with the "
            "room, everyone plays the round set here (unless --let-players-choose), and nothing "
            "else is offered (no shell, commands, file transfer or forwarding). Listens on "
            "127.0.0.1 unless --host is given (--host 0.0.0.0 opens it to your network)."
        ),
    )
    ssh.add_argument(
        "model",
        nargs="?",
        default=DEFAULT_OPPONENT,
        metavar="MODEL",
        help=f"the opponent (default {DEFAULT_OPPONENT})",
    )
    ssh.add_argument("--model", dest="model_flag", metavar="MODEL", help="same as MODEL")
    ssh.add_argument(
        "--room",
        metavar="NAME",
        help="the room's name, tagging every round (default: a fresh room-YYYY-MM-DD-N; "
        "the same name as a `seq2add serve` room joins the two)",
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
        type=minutes,
        default=DEFAULT_IDLE_MINUTES,
        metavar="M",
        help=f"end a session after M minutes without a key press "
        f"(default {DEFAULT_IDLE_MINUTES:g})",
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
        help="give every player the same round (a fair race for the leaderboard)",
    )
    ssh.add_argument(
        "--let-players-choose",
        action="store_true",
        help="let each player set questions, seconds and difficulty (rounds of other formats "
        "are ranked separately)",
    )
    db_option(ssh)
    models_dir_option(ssh)


def run(args: argparse.Namespace) -> int:
    from core.leaderboard import default_db_path
    from core.store import load_predictor, resolve

    try:
        from seq2add_tui import ssh_server
        from seq2add_tui.remote_play import quiz_argv
    except ImportError:
        raise UsageError("serving over SSH needs asyncssh: pip install asyncssh") from None
    folder = resolve(args.model_flag or args.model, models_dir(args))
    predictor = load_predictor(folder)  # fail here, not in every player's terminal
    check_difficulty(predictor, args.difficulty)
    database = db_path(args) or default_db_path()
    room_name = chosen_room_name(args.room, database)
    argv = quiz_argv(
        folder,
        db_path=database,
        questions=args.questions,
        seconds=args.seconds,
        difficulty=args.difficulty,
        seed=args.seed,
        room=room_name,
        locked=not args.let_players_choose,
        session="--ssh-session",
    )
    room = ssh_server.SSHRoom(
        argv, port=args.port, max_players=args.max_players, idle_minutes=args.idle_minutes
    )
    key_path = (args.host_key or ssh_server.default_host_key_path()).expanduser()
    try:
        ssh_server.run(room, args.host, key_path, f"{predictor.name} (room {room_name})")
    except OSError as error:
        raise UsageError(
            f"can't listen on {args.host}:{args.port} ({error.strerror or error}); "
            "choose another --port or --host"
        ) from None
    return 0
