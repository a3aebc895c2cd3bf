"""Radio buttons and check boxes whose state shows without colour.

Textual draws a chosen and an unchosen toggle with the same glyph (``▐●▌``, ``▐X▌``) in two
colours: over a 16-colour link, under ``NO_COLOR`` or to a colour-blind player every option
looks chosen. These draw the mark only when chosen (``▐●▌`` / ``▐ ▌``; ``(*)`` / ``( )`` in
ASCII), keeping Textual's colours as well.
"""

from __future__ import annotations

from textual.content import Content
from textual.style import Style
from textual.widgets import Checkbox, RadioButton

from seq2add_tui.glyphs import GLYPHS


class _MarkedWhenOn:
    """Overrides ToggleButton's private ``_button`` (Textual 8), the one place it draws the mark."""

    BUTTON_LEFT = GLYPHS.toggle_left
    BUTTON_RIGHT = GLYPHS.toggle_right
    ON_MARK = GLYPHS.toggle_on

    @property
    def _button(self) -> Content:
        button_style = self.get_visual_style("toggle--button")  # type: ignore[attr-defined]
        if GLYPHS.unicode:  # the half blocks take the button's colour, as Textual draws them
            background = self.background_colors[1]  # type: ignore[attr-defined]
            side_style = Style(foreground=button_style.background, background=background)
        else:
            side_style = button_style
        inner = self.ON_MARK if self.value else GLYPHS.toggle_off  # type: ignore[attr-defined]
        return Content.assemble(
            (self.BUTTON_LEFT, side_style),
            (inner, button_style),
            (self.BUTTON_RIGHT, side_style),
        )


class MarkedRadioButton(_MarkedWhenOn, RadioButton):
    """A RadioButton showing ● only when it is the chosen one."""


class MarkedCheckbox(_MarkedWhenOn, Checkbox):
    """A Checkbox showing X only when ticked (``[X]`` / ``[ ]`` in ASCII)."""

    ON_MARK = "X"
    BUTTON_LEFT = GLYPHS.toggle_left if GLYPHS.unicode else "["
    BUTTON_RIGHT = GLYPHS.toggle_right if GLYPHS.unicode else "]"
