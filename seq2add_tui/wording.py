"""Small helpers for the words on screen, so every panel counts things the same way."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.percent import percent
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


def fresh_description(fresh: FreshModel) -> str:
    """A just-trained model in one line: its problem, its architecture and its exact-match."""
    settings = fresh.settings
    return (
        f"{settings.spec.describe()} · {settings.model.describe()} · "
        f"exact-match {percent(fresh.evaluation.exact_match)}"
    )


def seconds_text(seconds: float) -> str:
    """``9.9s`` under a minute, ``18:55`` or ``1:02:03`` above: no space, so a narrow column
    never wraps the unit away from its number (Rich breaks at no-break spaces too)."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def fit_and_total(fit_s: float, total_s: float | None) -> str:
    """How a run's time is written everywhere (log, CLI, Models panel): ``fit 9.9s, total
    12.3s``. Fit is the time inside Keras' fit; total adds building, data and validation."""
    if not total_s:
        return f"fit {seconds_text(fit_s)}"
    return f"fit {seconds_text(fit_s)}, total {seconds_text(total_s)}"
