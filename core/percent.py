"""One way to write a fraction as a percentage, with one number of decimals per context, so the
same figure never reads 93.1% in one place and 93.10% in another."""

from __future__ import annotations

import math

SCORE = 2
"""Decimals for a model's exact-match or per-character accuracy as a result: evaluations, the
library, what a run reached; near 100% the second decimal tells models apart."""
BRIEF = 1
"""Decimals where lines are narrow or change as you watch: the live training log and progress
bars, and the accuracy map's cells."""
ROUGH = 0
"""Decimals for a feel rather than a measurement: how sure a model is of a character, where its
attention looked, a quiz level's share of right answers."""


def percent(fraction: float, decimals: int = SCORE, width: int = 0) -> str:
    """``fraction`` as a percentage: ``percent(0.931)`` is ``93.10%``; ``decimals`` is one of
    `SCORE` (the default), `BRIEF` or `ROUGH`; ``width`` pads on the left for columns.

    With decimals, only a perfect score reads 100: 0.9996 is ``99.9%`` at one decimal, not a
    rounded-up ``100.0%`` that would claim every answer right (a `ROUGH` feel rounds as usual).
    NaN (nothing measured yet) reads ``—``.
    """
    if math.isnan(fraction):
        return "—".rjust(width)
    text = f"{fraction:{width}.{decimals}%}"
    if decimals and fraction < 1 and text.strip().startswith("100"):
        scale = 10 ** (decimals + 2)
        text = f"{math.floor(fraction * scale) / scale:{width}.{decimals}%}"
    return text
