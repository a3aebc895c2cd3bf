"""`seq2add ssh`: the quiz over plain SSH, one quiz process per connection, one leaderboard."""

from __future__ import annotations

import argparse
from pathlib import Path

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


def add_parser(commands: argparse._SubParsersAction) -> None:
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
    opponent_options(ssh)
    ssh.add_argument(
        "--room",
        metavar="NAME",
        help="the room's name, tagging every round (default: a fresh room-YYYY-MM-DD-N; "
        "the same name as a `seq2add serve` room joins the two)",
    )
    address_options(ssh, 2222)
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
    shared_round_options(ssh, "player")
    files_options(ssh)


def run(args: argparse.Namespace) -> int:
    try:
        from seq2add_tui import ssh_server
        from seq2add_tui.remote_play import quiz_argv
    except ImportError:
        raise UsageError("serving over SSH needs asyncssh: pip install asyncssh") from None
    setup = set_up_room(args)
    argv = quiz_argv(setup.folder, **setup.quiz_options, session="--ssh-session")
    room = ssh_server.SSHRoom(
        argv, port=args.port, max_players=args.max_players, idle_minutes=args.idle_minutes
    )
    key_path = (args.host_key or ssh_server.default_host_key_path()).expanduser()
    try:
        ssh_server.run(room, args.host, key_path, f"{setup.predictor.name} (room {setup.name})")
    except OSError as error:
        raise cannot_listen(args, error) from None
    return 0
