"""What `seq2add serve` and `seq2add ssh` share: a room's options and setting one up.

Both run the same room (the same opponent, round, seed and room name rules, one leaderboard),
so they take those options in the same words and check them in one place; only how players
connect differs.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from core.infer import Predictor

DEFAULT_MAX_PLAYERS = 32
"""Quiz sessions a room runs at once: 32 is what benchmarks/serve_concurrency.py measured 2 cores
serving with every answer under 50 ms."""
DEFAULT_IDLE_MINUTES = 10.0


def minutes(text: str) -> float:
    value = rate(text)
    if not 0 < value <= 24 * 60:
        raise argparse.ArgumentTypeError(f"{text!r} is outside 0–1,440 minutes")
    return value


def opponent_options(parser: argparse.ArgumentParser) -> None:
    """MODEL, or ``--model MODEL``: the model everyone in the room plays."""
    from core.presets import DEFAULT_OPPONENT

    parser.add_argument(
        "model",
        nargs="?",
        default=DEFAULT_OPPONENT,
        metavar="MODEL",
        help=f"the opponent (default {DEFAULT_OPPONENT})",
    )
    parser.add_argument("--model", dest="model_flag", metavar="MODEL", help="same as MODEL")


def address_options(
    parser: argparse.ArgumentParser, default_port: int, *, allowed_hosts: bool = False
) -> None:
    """--host and --port (and, for the web, --allowed-host between them)."""
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    if allowed_hosts:
        parser.add_argument(
            "--allowed-host",
            action="append",
            default=[],
            metavar="NAME",
            help="also serve requests for this host name (e.g. behind a proxy); repeatable",
        )
    parser.add_argument(
        "--port",
        type=whole_number(1, 65_535),
        default=default_port,
        help=f"port to listen on (default {default_port})",
    )


def shared_round_options(parser: argparse.ArgumentParser, who: str) -> None:
    """The round everyone plays, a seed to make it the same round, or ``--let-players-choose``;
    ``who`` names a player in the help ("visitor" for a browser)."""
    round_options(parser)
    parser.add_argument(
        "--seed",
        type=positive_int,
        metavar="S",
        help=f"give every {who} the same round (a fair race for the leaderboard)",
    )
    parser.add_argument(
        "--let-players-choose",
        action="store_true",
        help=f"let each {who} set questions, seconds and difficulty (rounds of other formats "
        "are ranked separately)",
    )


def files_options(parser: argparse.ArgumentParser) -> None:
    """Where the leaderboard and the models are."""
    db_option(parser)
    models_dir_option(parser)


def chosen_room_name(name: str | None, database: Path) -> str:
    """``--room``'s name, checked, or a fresh one for today (`serve` and `ssh` name rooms alike)."""
    from core.leaderboard import check_player_name
    from seq2add_tui.remote_play import room_name_today

    if name is None:
        return room_name_today(database)
    try:
        return check_player_name(name)  # the same rules make a good room name
    except ValueError as error:
        raise UsageError(f"--room: {error}".replace("Names", "Room names")) from None


@dataclass(frozen=True)
class RoomSetup:
    """A room as the options chose it, checked before anyone connects."""

    folder: Path
    """The opponent's model folder."""
    predictor: Predictor
    database: Path
    """The leaderboard file every player's rounds go to."""
    name: str
    quiz_options: dict[str, Any]
    """`seq2add_tui.remote_play.quiz_argv`'s options for every player's quiz."""


def set_up_room(args: argparse.Namespace) -> RoomSetup:
    """Load the opponent and name the room; a bad model or round fails here, not in every
    player's session."""
    from core.leaderboard import default_db_path
    from core.store import load_predictor, resolve

    folder = resolve(args.model_flag or args.model, models_dir(args))
    predictor = load_predictor(folder)
    check_difficulty(predictor, args.difficulty)
    database = db_path(args) or default_db_path()
    name = chosen_room_name(args.room, database)
    quiz_options = {
        "db_path": database,
        "questions": args.questions,
        "seconds": args.seconds,
        "difficulty": args.difficulty,
        "seed": args.seed,
        "room": name,
        "locked": not args.let_players_choose,
    }
    return RoomSetup(folder, predictor, database, name, quiz_options)


def cannot_listen(args: argparse.Namespace, error: OSError) -> UsageError:
    """The usage error for an address the room can't listen on."""
    return UsageError(
        f"can't listen on {args.host}:{args.port} ({error.strerror or error}); "
        "choose another --port or --host"
    )
