"""The accuracy map panel: exact-match over a grid of problem shapes, computed in a worker with
a progress bar, the worst cells listed; choosing one opens its question in the probe."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from core.accuracy_map import DEFAULT_MAP_SAMPLES, AccuracyMap, accuracy_map
from core.infer import Predictor
from core.percent import BRIEF, percent
from seq2add_tui.inspection import accuracy_grid, map_summary
from seq2add_tui.widgets.probe import ProbeRequest


class AccuracyMapView(Vertical):
    """Map the current model on request; list its worst cells."""

    DEFAULT_CSS = """
    AccuracyMapView {
        height: 1fr;
    }
    AccuracyMapView #map-controls {
        height: 1;
    }
    AccuracyMapView #map-status {
        width: 1fr;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        margin-left: 1;
    }
    AccuracyMapView #map-progress {
        height: 1;
        display: none;
    }
    AccuracyMapView #map-grid-scroll {
        height: auto;
        max-height: 60%;
        scrollbar-size-vertical: 1;
    }
    AccuracyMapView #map-worst {
        height: 1fr;
        min-height: 3;
        border: round $primary 60%;
        border-title-color: $primary;
    }
    """

    @dataclass
    class Progress(Message):
        """The map worker answered ``done`` of ``total`` questions."""

        done: int
        total: int

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, AccuracyMapView.Progress)

    @dataclass
    class Ready(Message):
        """A map is done (its mistakes feed the gallery)."""

        result: AccuracyMap
        predictor: Predictor

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.predictor: Predictor | None = None
        """The model mapped."""
        self.result: AccuracyMap | None = None
        """The last map of ``predictor``."""
        self.samples = DEFAULT_MAP_SAMPLES
        """Questions a map asks."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="map-controls"):
            yield Button(
                "Map the model",
                id="map-start",
                compact=True,
                variant="primary",
                tooltip=f"Ask the model {DEFAULT_MAP_SAMPLES:,} questions spread over the map "
                "and score each cell.",
            )
            yield Static(id="map-status")
        # a total from the start: a bar without one animates 15 times a second, hidden or not
        yield ProgressBar(id="map-progress", show_eta=False, total=DEFAULT_MAP_SAMPLES)
        with VerticalScroll(id="map-grid-scroll", can_focus=False):
            yield Static(id="map-grid")
        yield OptionList(id="map-worst")

    def on_mount(self) -> None:
        self.query_one("#map-worst").border_title = "Worst cells (Enter: open in the probe)"
        self._idle()

    def set_predictor(self, predictor: Predictor | None) -> None:
        """Map ``predictor`` from now on; an older map (of another model) is cleared."""
        if predictor is self.predictor:
            return
        self.predictor = predictor
        self.result = None
        self.workers.cancel_group(self, "accuracy-map")
        self.query_one("#map-progress").display = False
        self._idle()

    def _idle(self) -> None:
        self.query_one("#map-start", Button).disabled = self.predictor is None
        status = "No model loaded." if self.predictor is None else ""
        self.query_one("#map-status", Static).update(
            status or "Where is the model right and wrong? Map it."
        )
        self.query_one("#map-grid", Static).update("")
        self.query_one("#map-worst", OptionList).clear_options()

    @on(Button.Pressed, "#map-start")
    def start(self) -> None:
        """Map the model in a worker (a newer start replaces a running one)."""
        if self.predictor is None:
            return
        bar = self.query_one("#map-progress", ProgressBar)
        bar.update(total=self.samples, progress=0)
        bar.display = True
        self.query_one("#map-status", Static).update("Mapping…")
        self._map(self.predictor)

    @work(thread=True, exclusive=True, exit_on_error=False, group="accuracy-map")
    def _map(self, predictor: Predictor) -> None:
        worker = get_current_worker()
        result = accuracy_map(
            predictor,
            self.samples,
            progress=lambda done, total: self.post_message(self.Progress(done, total)),
            cancelled=lambda: worker.is_cancelled,
        )
        if result is not None and not worker.is_cancelled:
            self.post_message(self.Ready(result, predictor))

    def on_accuracy_map_view_progress(self, message: Progress) -> None:
        message.stop()
        self.query_one("#map-progress", ProgressBar).update(
            total=message.total, progress=message.done
        )

    def on_accuracy_map_view_ready(self, message: Ready) -> None:
        if message.predictor is not self.predictor:
            message.stop()
            return
        self.show(message.result)

    def show(self, result: AccuracyMap) -> None:
        """Draw ``result`` and list its worst cells."""
        self.result = result
        self.query_one("#map-progress").display = False
        self.query_one("#map-status", Static).update(Text(map_summary(result)))
        self.query_one("#map-grid", Static).update(accuracy_grid(result))
        options = self.query_one("#map-worst", OptionList)
        options.clear_options()
        worst = result.worst(8)
        if not worst:
            options.add_option(Option(Text("No mistakes: every cell is all right."), disabled=True))
            return
        for cell in worst:
            prompt = Text.assemble(
                (
                    f"{percent(cell.accuracy, BRIEF, 6)} ",
                    "bold red" if cell.accuracy < 0.9 else "yellow",
                ),
                f"{cell.label}  ",
                (f"{cell.correct:,}/{cell.total:,} · e.g. {cell.example}", "dim"),
            )
            options.add_option(Option(prompt, id=cell.example))
        options.highlighted = 0

    @on(OptionList.OptionSelected, "#map-worst")
    def _open(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(ProbeRequest(event.option.id))
