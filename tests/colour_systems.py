"""Render the app as a 16-colour terminal would show it, for snapshot tests.

Textual draws in 24-bit colour and leaves the downgrade to Rich as it writes to the terminal: over
``TERM=xterm`` without ``COLORTERM`` every colour snaps to the nearest of the 16 standard ones, so
two shades of one theme colour (a chosen and an unchosen option) often become the same. Snapshots
export 24-bit colour regardless, so this filter does the snapping first, exactly as Rich does,
and draws the result in a standard xterm palette.
"""

from __future__ import annotations

from functools import lru_cache

from rich.color import Color as RichColor
from rich.color import ColorSystem
from rich.segment import Segment
from rich.style import Style
from rich.terminal_theme import DEFAULT_TERMINAL_THEME
from textual.color import Color
from textual.filter import LineFilter


def _snap(color: RichColor | None) -> RichColor | None:
    if color is None or color.is_default:
        return color
    standard = color.downgrade(ColorSystem.STANDARD)
    return RichColor.from_triplet(standard.get_truecolor(DEFAULT_TERMINAL_THEME))


@lru_cache(1024)
def sixteen_colour_style(style: Style) -> Style:
    return style + Style.from_color(_snap(style.color), _snap(style.bgcolor))


class SixteenColours(LineFilter):
    """Every colour as a 16-colour terminal shows it."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [
            Segment(text, None if style is None else sixteen_colour_style(style), control)
            for text, style, control in segments
        ]


def with_sixteen_colours(app):
    """``app``, drawing as a 16-colour terminal would (add before it runs)."""
    app._filters.append(SixteenColours())
    return app
