"""The attention heatmap: which input characters each answer character was read from.

Shaded blocks (the ink says the weight, so it reads without colour) in a palette that follows the
app's light or dark theme; a model without attention gets a sentence saying so and its
per-position confidence instead.
"""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.widgets import Static

from core.probe import NO_ATTENTION_NOTE, ProbeResult
from seq2add_tui.inspection import attention_heatmap, confidence_strip


class AttentionMap(Static):
    """Answer characters × input characters for one probed expression."""

    DEFAULT_CSS = """
    AttentionMap {
        height: auto;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.result: ProbeResult | None = None
        """The expression shown, if any."""

    def on_mount(self) -> None:
        self.watch(self.app, "theme", lambda _: self._draw(), init=False)

    def show(self, result: ProbeResult | None) -> None:
        """Draw ``result``'s attention (or clear the map)."""
        self.result = result
        self._draw()

    def _draw(self) -> None:
        result = self.result
        if result is None:
            self.update("")
            return
        if not result.has_attention:
            self.update(Group(Text(NO_ATTENTION_NOTE, style="italic"), confidence_strip(result)))
            return
        title = Text("Where each answer character looked", style="bold")
        title.append("  (rows: answer, columns: input)", style="dim")
        self.update(Group(title, attention_heatmap(result, dark=self.app.current_theme.dark)))
