"""The ``seq2add`` command: the app by default, and subcommands for scripts and terminals.

One module per subcommand, each with ``add_parser(commands)`` and ``run(args) -> int``; shared
types and options live in `common`. Every mistake a user can make ends with exit status 2 and
one line on stderr; tracebacks are for bugs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from core.errors import UserError
from seq2add_tui.cli import (
    app,
    board,
    evaluate,
    leaderboard,
    models,
    predict,
    quiz,
    serve,
    ssh,
    train,
    tutorial,
)
from seq2add_tui.cli.common import (
    INTERRUPTED,
    USAGE_ERROR,
    Parser,
    UsageError,
    db_option,
    models_dir_option,
)

SUBCOMMANDS = {
    "train": train,
    "evaluate": evaluate,
    "predict": predict,
    "models": models,
    "import": tutorial,
    "quiz": quiz,
    "leaderboard": leaderboard,
    "board": board,
    "serve": serve,
    "ssh": ssh,
}
"""Each subcommand's module, in the order `seq2add --help` lists them."""

COMMANDS: dict[str | None, Callable[[argparse.Namespace], int]] = {
    None: app.run,
    **{name: module.run for name, module in SUBCOMMANDS.items()},
}


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, for ``main`` and for tests."""
    parser = Parser(
        prog="seq2add",
        description="Train sequence-to-sequence LSTMs to do arithmetic, and race them.",
        epilog="With no command, seq2add opens the app.",
    )
    models_dir_option(parser, root=True)
    db_option(parser, root=True)
    parser.add_argument("--name", metavar="PLAYER", help="your name on the quiz leaderboard")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for module in SUBCOMMANDS.values():
        module.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``seq2add`` console script."""
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    # Core's errors carry their one sentence (`UserError`); catching their common base, rather
    # than importing each one's module, keeps numpy and core.store out of the app's start-up.
    except (UsageError, UserError) as error:
        sys.stderr.write(f"seq2add: {error}\n")
        return USAGE_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted.\n")
        return INTERRUPTED
    except BrokenPipeError:
        return 0
