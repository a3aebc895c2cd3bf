"""The ``seq2add`` command."""

from __future__ import annotations

import sys

USAGE = """\
usage: seq2add

seq2add trains sequence-to-sequence LSTMs to do arithmetic from strings.
The app and the train, evaluate, predict, models and import commands are on their way.
"""


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``seq2add`` console script."""
    sys.stdout.write(USAGE)
    return 0
