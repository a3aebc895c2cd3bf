"""Small helpers for the words on screen, so every panel counts things the same way."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from seq2add_tui.glyphs import GLYPHS

if TYPE_CHECKING:
    from core.run import FreshModel

FRESH_NAME = "fresh model (unsaved)"
"""What every panel calls a trained model that has no name in the library yet."""


def counted(count: int, noun: str) -> str:
    """``1 epoch``, ``2,000 epochs``: a count with its noun, in the singular only for one."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def shown_symbol(symbol: str) -> str:
    """A model symbol as the screen shows it: the padding space as ␣ (``_`` in ASCII), so it can
    be seen."""
    return GLYPHS.space if symbol == " " else symbol


def percent(fraction: float) -> str:
    """``93.1%``; two decimals near the top, where 99.9% and 100% differ."""
    if math.isnan(fraction):
        return "—"
    return f"{fraction:.2%}" if fraction >= 0.99 else f"{fraction:.1%}"


def fresh_description(fresh: FreshModel) -> str:
    """A just-trained model in one line: its problem, its architecture and its exact-match."""
    settings = fresh.settings
    return (
        f"{settings.spec.describe()} · {settings.model.describe()} · "
        f"exact-match {percent(fresh.evaluation.exact_match)}"
    )
