"""The Training panel's history bar: lay another run over the plot, pick its view, export CSV.

Comparing runs is a concept of its own (this session's runs, the saved models that have a
history.csv, the file a user exports), so it lives apart from the panel that watches a run."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Label, Select

from core.history import HistoryPoint, RunHistory, read_history, write_history
from seq2add_tui.widgets.learning_plot import VIEWS, LearningPlot
from seq2add_tui.wording import counted


class RunHistoryBar(Horizontal):
    """Compare, view and export controls for ``plot``; ``current_points`` are the checks of the
    current (or last) run, which is what Export writes."""

    def __init__(
        self,
        plot: LearningPlot,
        current_points: Callable[[], Sequence[HistoryPoint]],
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.plot = plot
        self.current_points = current_points
        self.session_runs: list[RunHistory] = []
        """Runs of this session, to compare with (the App adds each one as it ends)."""
        self.saved_runs: dict[str, Path] = {}
        """Saved models that have a history.csv, by name, to compare with."""

    def compose(self) -> ComposeResult:
        yield Label("Compare", id="compare-label")
        yield Select(
            [],
            prompt="no other run",
            id="compare-run",
            compact=True,
            tooltip="Lay another run's curves over this one: a saved model's, or one of "
            "this session's",
        )
        yield Select(
            [(label, view) for view, label in VIEWS.items()],
            value="curves",
            allow_blank=False,
            id="plot-view",
            compact=True,
            tooltip="What the plot shows",
        )
        yield Button(
            "Export CSV",
            id="export-history",
            compact=True,
            tooltip="Write this run's checks (samples, loss, exact-match, learning rate, "
            "time) to a CSV file in the current folder",
        )

    def add_session_run(self, label: str) -> None:
        """Keep the run that just ended (its checks) in the comparison list as ``label``."""
        points = tuple(self.current_points())
        if points:
            self.session_runs.append(RunHistory(label, points))
            self._fill_compare_choices()

    def set_saved_runs(self, saved: dict[str, Path]) -> None:
        """The library's models that have a history, by name (folder)."""
        self.saved_runs = saved
        self._fill_compare_choices()

    def _fill_compare_choices(self) -> None:
        select = self.query_one("#compare-run", Select)
        choices = [(run.label, f"session:{i}") for i, run in enumerate(self.session_runs)]
        choices += [(name, f"model:{name}") for name in sorted(self.saved_runs)]
        chosen = select.value
        with select.prevent(Select.Changed):
            select.set_options(choices)
            if any(value == chosen for _, value in choices):
                select.value = chosen

    def compare_with(self, key: str | None) -> RunHistory | None:
        """Lay the run ``key`` (``session:N`` or ``model:NAME``) over the plot; None clears it."""
        run = None
        if key and key.startswith("session:"):
            run = self.session_runs[int(key.partition(":")[2])]
        elif key and key.startswith("model:"):
            name = key.partition(":")[2]
            points = read_history(self.saved_runs[name]) if name in self.saved_runs else []
            run = RunHistory(name, tuple(points)) if points else None
            if run is None:
                self.app.notify(f"{name} has no readable history.csv.", title="Compare")
        self.plot.compare_with(run)
        return run

    @on(Select.Changed, "#compare-run")
    def _compare_chosen(self, event: Select.Changed) -> None:
        event.stop()
        self.compare_with(None if event.value is Select.NULL else str(event.value))

    @on(Select.Changed, "#plot-view")
    def _view_chosen(self, event: Select.Changed) -> None:
        event.stop()
        if event.value is not Select.NULL:
            self.plot.show_view(str(event.value))

    @on(Button.Pressed, "#export-history")
    def _export_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.export_csv(Path.cwd())

    def export_csv(self, folder: Path) -> Path | None:
        """Write the current run's checks to a new CSV file in ``folder``; returns its path."""
        points = list(self.current_points())
        if not points:
            self.app.notify("No run to export yet: train one first.", title="Export CSV")
            return None
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        path = folder / f"seq2add-history-{stamp}.csv"
        try:
            written = write_history(folder, points).rename(path)
        except OSError as error:
            self.app.notify(
                f"Could not write {path}: {error.strerror or error}.",
                title="Export CSV",
                severity="error",
            )
            return None
        self.app.notify(f"Wrote {counted(len(points), 'row')} to {written}.", title="Export CSV")
        return written
