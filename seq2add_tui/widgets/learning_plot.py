"""A live plot of training loss and validation exact-match against samples seen.

The plot widget (textual-plotext) costs a quarter of a second to import, so it is imported and
mounted the first time the plot is shown, not at start-up; points collected before then are drawn
as soon as it appears.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.color import Color
from textual.containers import Vertical
from textual.widgets import Static

from seq2add_tui.glyphs import GLYPHS

if TYPE_CHECKING:
    from textual_plotext import PlotextPlot

LOSS_VARIABLE = "warning"
EXACT_VARIABLE = "success"
"""Theme colours of the two curves, so they read on dark and light themes alike."""


class LearningPlot(Vertical):
    """Loss (left axis) and exact-match (right axis, 0–100%) as the run goes."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.loss_points: list[tuple[int, float]] = []
        """(samples seen, training loss) pairs."""
        self.exact_points: list[tuple[int, float]] = []
        """(samples seen, validation exact-match) pairs."""
        self.total_samples = 0
        """Samples the run will process if not stopped: the x axis' extent."""
        self._plot: PlotextPlot | None = None

    def compose(self) -> ComposeResult:
        yield Static(
            f"[${LOSS_VARIABLE}]{GLYPHS.loss_legend} loss[/] (left)  "
            f"[${EXACT_VARIABLE}]{GLYPHS.exact_legend} exact-match[/] (right)",
            classes="plot-legend",
        )
        yield Static(
            "The loss and exact-match curves appear here as the model learns.",
            classes="plot-empty",
        )

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.redraw())

    def _rgb(self, variable: str) -> tuple[int, int, int]:
        return Color.parse(self.app.theme_variables[variable]).rgb

    def on_show(self) -> None:
        if self._plot is None:
            from textual_plotext import PlotextPlot

            self._plot = PlotextPlot(classes="plot")
            self.mount(self._plot)
            self._plot.display = False
            self.redraw()

    def reset(self, total_samples: int) -> None:
        """Forget the last run's curves; the next one processes ``total_samples``."""
        self.loss_points.clear()
        self.exact_points.clear()
        self.total_samples = total_samples
        self.redraw()

    def add_loss(self, samples_seen: int, loss: float) -> None:
        """Add a training-loss point."""
        self.loss_points.append((samples_seen, loss))
        self.redraw()

    def add_exact_match(self, samples_seen: int, exact_match: float) -> None:
        """Add a validation exact-match point."""
        self.exact_points.append((samples_seen, exact_match))
        self.redraw()

    def redraw(self) -> None:
        """Draw the points collected so far (cheap to call often: plotext renders on refresh)."""
        has_points = bool(self.loss_points or self.exact_points)
        self.query_one(".plot-empty").display = not has_points
        if self._plot is None:
            return
        self._plot.display = has_points
        plt = self._plot.plt
        plt.clear_data()
        plt.clear_figure()
        plt.xlabel("samples seen")
        if self.total_samples:
            plt.xlim(0, self.total_samples)
        if self.loss_points:
            xs, ys = zip(*self.loss_points, strict=True)
            plt.plot(list(xs), list(ys), marker=GLYPHS.loss_marker, color=self._rgb(LOSS_VARIABLE))
            plt.ylim(0, max(ys) * 1.05 or 1.0)
        if self.exact_points:
            xs, ys = zip(*self.exact_points, strict=True)
            exact_color = self._rgb(EXACT_VARIABLE)
            plt.plot(
                list(xs), list(ys), marker=GLYPHS.exact_marker, color=exact_color, yside="right"
            )
        plt.ylim(0, 1, yside="right")
        plt.yticks([0, 0.5, 1], ["0%", "50%", "100%"], yside="right")
        self._plot.refresh()
