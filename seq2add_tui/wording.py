"""Small helpers for the words on screen, so every panel counts things the same way."""

from __future__ import annotations

FRESH_NAME = "fresh model (unsaved)"
"""What every panel calls a trained model that has no name in the library yet."""


def counted(count: int, noun: str) -> str:
    """``1 epoch``, ``2,000 epochs``: a count with its noun, in the singular only for one."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def shown_symbol(symbol: str) -> str:
    """A model symbol as the screen shows it: the padding space as ␣, so it can be seen."""
    return "␣" if symbol == " " else symbol
