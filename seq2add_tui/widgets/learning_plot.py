"""A live plot of the run against samples seen: training and validation loss with validation
exact-match, or the learning rate; another run's curves can be laid over it for comparison.

The plot widget (textual-plotext) costs a quarter of a second to import, so it is imported and
mounted the first time the plot is shown, not at start-up; points collected before then are drawn
as soon as it appears.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.color import Color
from textual.containers import Vertical
from textual.markup import escape
from textual.widgets import Static

from core.history import HistoryPoint, RunHistory
from seq2add_tui.glyphs import GLYPHS

if TYPE_CHECKING:
    from textual_plotext import PlotextPlot

LOSS_VARIABLE = "warning"
VALID_LOSS_VARIABLE = "error"
EXACT_VARIABLE = "success"
COMPARED_VARIABLE = "secondary"
"""Theme colours of the curves, so they read on dark and light themes alike."""
VALID_LOSS_MARKER = "+"
COMPARED_MARKER = "x"
"""Markers of the validation loss and of the compared run (ASCII, for any locale): with the
glyphs' loss and exact-match markers, every curve is told apart without colour."""

VIEWS = {
    "curves": "loss & exact-match",
    "rate": "learning rate",
}
"""What the plot can show, and how the view picker names it."""


class LearningPlot(Vertical):
    """Loss (left axis) and exact-match (right axis, 0–100%), or the learning rate, as the run
    goes; with ``compared`` set, that run's curves too."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.loss_points: list[tuple[int, float]] = []
        """(samples seen, training loss) pairs."""
        self.exact_points: list[tuple[int, float]] = []
        """(samples seen, validation exact-match) pairs."""
        self.checks: list[HistoryPoint] = []
        """The run's validation checks: validation loss and learning rate come from these."""
        self.total_samples = 0
        """Samples the run will process if not stopped: the x axis' extent."""
        self.compared: RunHistory | None = None
        """Another run drawn over this one, or None."""
        self.view = "curves"
        """One of `VIEWS`."""
        self._plot: PlotextPlot | None = None
        self._legend: str | None = None
        """The legend's markup as last shown."""

    def compose(self) -> ComposeResult:
        yield Static(classes="plot-legend")
        yield Static(
            "The loss and exact-match curves appear here as the model learns.",
            classes="plot-empty",
        )

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.redraw())
        self.redraw()

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
        self.checks.clear()
        self.total_samples = total_samples
        self.redraw()

    def add_loss(self, samples_seen: int, loss: float, *, redraw: bool = True) -> None:
        """Add a training-loss point (drawn now, or at the next `redraw` if not ``redraw``)."""
        self.loss_points.append((samples_seen, loss))
        if redraw:
            self.redraw()

    def add_exact_match(
        self, samples_seen: int, exact_match: float, *, redraw: bool = True
    ) -> None:
        """Add a validation exact-match point."""
        self.exact_points.append((samples_seen, exact_match))
        if redraw:
            self.redraw()

    def add_check(self, point: HistoryPoint, *, redraw: bool = True) -> None:
        """Add a validation check (its exact-match, validation loss and learning rate)."""
        self.checks.append(point)
        self.exact_points.append((point.samples, point.val_exact_match))
        if redraw:
            self.redraw()

    def compare_with(self, run: RunHistory | None) -> None:
        """Draw ``run`` over the current one (None: only the current run)."""
        self.compared = run
        self.redraw()

    def show_view(self, view: str) -> None:
        """Switch to one of `VIEWS`."""
        self.view = view
        self.redraw()

    def legend(self) -> str:
        """The legend line's markup: every curve by name, so none is told by colour alone."""
        if self.view == "rate":
            parts = [f"[${LOSS_VARIABLE}]{GLYPHS.loss_legend} learning rate[/]"]
        else:
            parts = [
                f"[${LOSS_VARIABLE}]{GLYPHS.loss_legend} loss[/]",
                f"[${VALID_LOSS_VARIABLE}]{VALID_LOSS_MARKER} valid loss[/]",
                f"[${EXACT_VARIABLE}]{GLYPHS.exact_legend} exact (right)[/]",
            ]
        if self.compared is not None:
            # on a line of its own: a long model name then never splits from its dot
            label = escape(self.compared.label)
            return " ".join(parts) + f"\n[${COMPARED_VARIABLE}]{COMPARED_MARKER} {label}[/]"
        return " ".join(parts)

    def redraw(self) -> None:
        """Draw the points collected so far (cheap to call often: plotext renders on refresh)."""
        legend = self.legend()
        if legend != self._legend:  # unchanged at almost every point; an update lays out again
            self._legend = legend
            self.query_one(".plot-legend", Static).update(legend)
        compared = self.compared.points if self.compared else ()
        has_points = bool(self.loss_points or self.exact_points or compared)
        self.query_one(".plot-empty").display = not has_points
        if self._plot is None:
            return
        self._plot.display = has_points
        plt = self._plot.plt
        plt.clear_data()
        plt.clear_figure()
        plt.xlabel("samples seen")
        extent = max([self.total_samples, *(p.samples for p in compared)], default=0)
        if extent:
            plt.xlim(0, extent)
        if self.view == "rate":
            self._draw_rate(plt, compared)
        else:
            self._draw_curves(plt, compared)
        self._plot.refresh()

    def _line(self, plt, points, variable: str, marker: str, **options) -> None:
        xs, ys = zip(*points, strict=True)
        plt.plot(list(xs), list(ys), marker=marker, color=self._rgb(variable), **options)

    def _draw_curves(self, plt, compared: tuple[HistoryPoint, ...]) -> None:
        losses = [y for _, y in self.loss_points] + [p.val_loss for p in self.checks]
        losses += [p.loss for p in compared] + [p.val_loss for p in compared]
        losses = [y for y in losses if y == y]  # no NaN
        if compared:
            self._line(
                plt, [(p.samples, p.val_loss) for p in compared], COMPARED_VARIABLE, COMPARED_MARKER
            )
            exact = [(p.samples, p.val_exact_match) for p in compared]
            self._line(plt, exact, COMPARED_VARIABLE, COMPARED_MARKER, yside="right")
        if self.loss_points:
            self._line(plt, self.loss_points, LOSS_VARIABLE, GLYPHS.loss_marker)
        valid = [(p.samples, p.val_loss) for p in self.checks if p.val_loss == p.val_loss]
        if valid:
            self._line(plt, valid, VALID_LOSS_VARIABLE, VALID_LOSS_MARKER)
        if losses:
            plt.ylim(0, max(losses) * 1.05 or 1.0)
        if self.exact_points:
            self._line(plt, self.exact_points, EXACT_VARIABLE, GLYPHS.exact_marker, yside="right")
        plt.ylim(0, 1, yside="right")
        plt.yticks([0, 0.5, 1], ["0%", "50%", "100%"], yside="right")

    def _draw_rate(self, plt, compared: tuple[HistoryPoint, ...]) -> None:
        rates = [p.learning_rate for p in (*self.checks, *compared)]
        if compared:
            points = [(p.samples, p.learning_rate) for p in compared]
            self._line(plt, points, COMPARED_VARIABLE, COMPARED_MARKER)
        if self.checks:
            rates_now = [(p.samples, p.learning_rate) for p in self.checks]
            self._line(plt, rates_now, LOSS_VARIABLE, GLYPHS.loss_marker)
        if rates:
            plt.ylim(0, max(rates) * 1.05 or 1.0)
