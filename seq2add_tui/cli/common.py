"""What every subcommand shares: the one-line error, the argparse types and the shared options.

Every mistake a user can make (an unknown model, a bad expression, a bad option value, an
unreadable file) ends with exit status 2 and one line on stderr; tracebacks are for bugs.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from core.infer import Predictor

USAGE_ERROR = 2
INTERRUPTED = 130


class UsageError(Exception):
    """A user mistake: reported as one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line on stderr instead of a usage block."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


def positive_int(text: str) -> int:
    """An argparse type for whole numbers of 0 or more, typed as the Config form takes them."""
    from core.settings import parse_whole_number

    try:
        return parse_whole_number(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def whole_number(low: int, high: int | None = None, unit: str = "") -> Callable[[str], int]:
    """An argparse type for whole numbers from ``low`` (to ``high``), for flags where 0, or more
    than some limit, means nothing."""

    def parse(text: str) -> int:
        value = positive_int(text)
        if high is None and value < low:
            raise argparse.ArgumentTypeError(f"{text!r} must be at least {low:,}")
        if high is not None and not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text!r} is outside {low:,}–{high:,}{unit}")
        return value

    return parse


def rate(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None


OFF = "off"
"""What `--stop-at` and `--clip-norm` take to switch a preset's target or cap off."""


def rate_or_off(text: str) -> float | str:
    return OFF if text.strip().lower() == OFF else rate(text)


def _path_option(
    parser: argparse.ArgumentParser, flag: str, metavar: str, help: str, *, root: bool
) -> None:
    """A path flag accepted both before the subcommand (``root``) and after it."""
    parser.add_argument(
        flag,
        type=Path,
        # On subcommands SUPPRESS keeps a value given before the subcommand.
        default=None if root else argparse.SUPPRESS,
        metavar=metavar,
        help=help,
    )


def models_dir_option(parser: argparse.ArgumentParser, *, root: bool = False) -> None:
    help = (
        "folder of your own models (default: $SEQ2ADD_MODELS or one in your user data folder); "
        "the shipped models are listed beside them"
    )
    _path_option(parser, "--models-dir", "DIR", help, root=root)


def db_option(parser: argparse.ArgumentParser, *, root: bool = False) -> None:
    help = "leaderboard file (default: $SEQ2ADD_DB or one in your user data folder)"
    _path_option(parser, "--db", "PATH", help, root=root)


def seconds(text: str) -> float:
    from core.quiz import MAX_SECONDS, MIN_SECONDS

    value = rate(text)
    if not MIN_SECONDS <= value <= MAX_SECONDS:
        raise argparse.ArgumentTypeError(
            f"{text!r} is outside {MIN_SECONDS:g}–{MAX_SECONDS:g} seconds"
        )
    return value


def round_options(parser: argparse.ArgumentParser) -> None:
    """The round's length, clock and difficulty, shared by `quiz` and `serve`."""
    from core.quiz import (
        DEFAULT_DIFFICULTY,
        DEFAULT_QUESTIONS,
        DEFAULT_SECONDS,
        DIFFICULTIES,
        MAX_QUESTIONS,
    )

    group = parser.add_argument_group("round")
    group.add_argument(
        "--questions",
        type=whole_number(1, MAX_QUESTIONS, " questions"),
        default=DEFAULT_QUESTIONS,
        metavar="N",
        help=f"questions per round (default {DEFAULT_QUESTIONS})",
    )
    group.add_argument(
        "--seconds",
        type=seconds,
        default=DEFAULT_SECONDS,
        metavar="S",
        help=f"time allowed per question (default {DEFAULT_SECONDS:g})",
    )
    group.add_argument(
        "--difficulty",
        choices=list(DIFFICULTIES),
        default=DEFAULT_DIFFICULTY,
        help="; ".join(f"{k}: {v}" for k, v in DIFFICULTIES.items()),
    )


# -- reading the parsed arguments ------------------------------------------------------------------


def models_dir(args: argparse.Namespace) -> Path | None:
    return args.models_dir


def db_path(args: argparse.Namespace) -> Path | None:
    db = getattr(args, "db", None)
    return db.expanduser() if db is not None else None


def player(args: argparse.Namespace) -> str | None:
    from core.leaderboard import PlayerNameError, check_player_name

    name = getattr(args, "name", None)
    if name is None:
        return None
    try:
        return check_player_name(name)
    except PlayerNameError as error:
        raise UsageError(f"--name: {error}") from None


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=None, ensure_ascii=False) + "\n")


def check_out(args: argparse.Namespace, root: Path | None) -> None:
    """Refuse a bad or taken --out before any work, naming the flag that allows replacing it."""
    from core.store import ModelError, check_name, is_shipped, resolve

    check_name(args.out)
    if is_shipped(args.out, root):
        raise UsageError(
            f"{args.out!r} is a model shipped with seq2add and can't be replaced; "
            "use another --out name"
        )
    try:
        resolve(args.out, root)
    except ModelError:
        return
    if not args.overwrite:
        raise UsageError(
            f"a model named {args.out!r} already exists; use --overwrite or another name"
        )


def check_difficulty(predictor: Predictor, difficulty: str) -> None:
    """Refuse a difficulty the model can't play (see `core.quiz.level_scores`)."""
    from core.quiz import DEFAULT_DIFFICULTY, level_scores, unplayable_reason

    if difficulty != DEFAULT_DIFFICULTY:
        reason = unplayable_reason(predictor, difficulty, level_scores(predictor))
        if reason:
            raise UsageError(reason)
