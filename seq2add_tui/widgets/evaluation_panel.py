"""The Evaluation panel: the verdict on a model, exact-match first, then where it goes wrong.

It shows a `core.evaluate.Evaluation`: headline scores, accuracy per answer position, breakdowns
by operator, number of terms and carries, and sample predictions marked ✓ or ✗ as the notebook
prints them.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Input, Label, Static, TabbedContent, TabPane

from core.evaluate import DEFAULT_SAMPLES, MAX_SAMPLES, Breakdown, Evaluation, LengthScores
from core.infer import Predictor
from core.percent import percent
from seq2add_tui.glyphs import GLYPHS
from seq2add_tui.widgets.accuracy_map import AccuracyMapView
from seq2add_tui.widgets.fields import Parsed, whole_number
from seq2add_tui.widgets.focus import focus_within
from seq2add_tui.widgets.mistake_gallery import MistakeGallery
from seq2add_tui.widgets.probe import Probe, ProbeRequest
from seq2add_tui.wording import counted


def accuracy_style(fraction: float) -> str:
    """Green when nearly perfect, yellow when usable, red below."""
    if fraction >= 0.99:
        return "green"
    return "yellow" if fraction >= 0.9 else "red"


def bar(fraction: float, width: int = 8) -> Text:
    """A horizontal bar of eighth-blocks, coloured by how good the fraction is."""
    fraction = min(max(fraction, 0.0), 1.0)
    eighths = round(fraction * width * 8)
    full, part = divmod(eighths, 8)
    blocks = GLYPHS.bar_eighths
    text = blocks[8] * full + (blocks[part] if part else "")
    return Text(text.ljust(width), style=accuracy_style(fraction))


def _check_samples(value: int) -> None:
    if not 1 <= value <= MAX_SAMPLES:
        raise ValueError(f"Samples must be from 1 to {MAX_SAMPLES:,}.")


def headline(evaluation: Evaluation) -> Table:
    """Exact-match, per-character accuracy and loss."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(justify="right", no_wrap=True)
    table.add_column(style="dim")  # wraps first when the panel is narrow
    exact = evaluation.exact_match
    table.add_row(
        "Exact-match",
        Text(percent(exact), style=f"bold {accuracy_style(exact)}"),
        f"{evaluation.exact_correct:,}/{evaluation.samples:,}",
    )
    lengths = evaluation.by_length
    if lengths is not None:
        balanced = lengths.exact_match
        table.add_row(
            "By length",
            Text(percent(balanced), style=f"bold {accuracy_style(balanced)}"),
            f"{lengths.samples:,} length-balanced",
        )
        worst = lengths.worst_cell
        if worst is not None:
            table.add_row(
                "Worst lengths",
                Text(percent(worst.accuracy), style=accuracy_style(worst.accuracy)),
                worst.label,
            )
        small = lengths.small_operands
        if small is not None:
            how = "all" if lengths.small_enumerated else "a sample of"
            table.add_row(
                "Operands ≤ 20",
                Text(percent(small.accuracy), style=accuracy_style(small.accuracy)),
                f"{how} {small.total:,}",
            )
    table.add_row("Per character", percent(evaluation.char_accuracy), "as Keras counts")
    table.add_row("Loss", f"{evaluation.loss:.4f}", "cross-entropy")
    return table


def breakdown_table(title: str, rows: list[tuple[str, float, str]]) -> Table:
    """One breakdown: a label, a bar, the accuracy and how many samples it rests on."""
    table = Table(
        title=title,
        title_justify="left",
        title_style="bold",
        show_header=False,
        box=None,
        padding=(0, 1),
        pad_edge=False,
    )
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(justify="right", no_wrap=True)
    table.add_column(justify="right", style="dim", no_wrap=True)
    for label, fraction, count in rows:
        table.add_row(label, bar(fraction), percent(fraction), count)
    return table


def _slices(breakdowns: list[Breakdown]) -> list[tuple[str, float, str]]:
    return [(b.label, b.accuracy, f"{b.correct:,}/{b.total:,}") for b in breakdowns]


def length_table(lengths: LengthScores) -> Group:
    """Exact-match by operand lengths: rows and columns are digit counts (or terms × longest
    operand); a cell the model gets wrong often is marked ✗ as well as coloured."""
    rows = sorted({cell.row for cell in lengths.cells})
    columns = sorted({cell.column for cell in lengths.cells})
    title = Text.assemble(
        ("By operand lengths", "bold"),
        (f" (% exact; {lengths.row_title} ↓, {lengths.column_title} →)", "dim"),
    )
    table = Table(
        box=None,
        padding=(0, 1),
        pad_edge=False,
    )
    table.add_column("", style="bold", no_wrap=True)
    for column in columns:
        table.add_column(str(column), justify="right", no_wrap=True)
    by_place = {(cell.row, cell.column): cell for cell in lengths.cells}
    for row in rows:
        values: list[Text | str] = []
        for column in columns:
            cell = by_place.get((row, column))
            if cell is None or not cell.total:
                values.append(Text("·", style="dim"))
                continue
            mark = "" if cell.accuracy >= 0.99 else GLYPHS.wrong
            shown = "100" if cell.correct == cell.total else f"{cell.accuracy * 100:.1f}"
            values.append(Text(mark + shown, style=accuracy_style(cell.accuracy)))
        table.add_row(str(row), *values)
    return Group(title, table)


def scores_renderable(evaluation: Evaluation) -> Group:
    """Everything but the sample predictions."""
    parts: list = [headline(evaluation), Text()]
    if evaluation.by_length is not None and evaluation.by_length.cells:
        parts.extend([length_table(evaluation.by_length), Text()])
    positions = [
        (f"char {index}", fraction, "")
        for index, fraction in enumerate(evaluation.per_position, start=1)
    ]
    parts.append(breakdown_table("Per answer character", positions))
    for title, breakdowns in (
        ("By operator", evaluation.by_operator),
        ("By number of terms", evaluation.by_terms),
        ("By carries (sums only)", evaluation.by_carries),
    ):
        if breakdowns:
            parts.extend([Text(), breakdown_table(title, _slices(breakdowns))])
    return Group(*parts)


def examples_renderable(evaluation: Evaluation) -> Group | Text:
    """Sample predictions, ✓ in green or ✗ in red, mistakes first."""
    if not evaluation.examples:
        return Text("No sample predictions.", style="dim")
    lines = []
    for example in evaluation.examples:
        mark = (
            (f"{GLYPHS.right} ", "bold green")
            if example.correct
            else (f"{GLYPHS.wrong} ", "bold red")
        )
        style = "green" if example.correct else "red"
        lines.append(Text.assemble(mark, (example.line(), style)))
    return Group(*lines)


class EvaluationPanel(Vertical):
    """The last evaluation, with a control to score the current model again, and views that look
    inside the model: the probe, the accuracy map and the mistake gallery."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "s", "show_view('scores')", "Scores", tooltip="The scores", show=False, id="scores"
        ),
        Binding(
            "p",
            "show_view('probe')",
            "Probe",
            tooltip="Ask the model and see inside",
            show=False,
            id="probe",
        ),
        Binding(
            "m",
            "show_view('map')",
            "Map",
            tooltip="Where the model is right and wrong",
            show=False,
            id="map",
        ),
        Binding(
            "x",
            "show_view('mistakes')",
            "Mistakes",
            tooltip="Its mistakes, grouped",
            show=False,
            id="mistakes",
        ),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.evaluation: Evaluation | None = None
        """The evaluation shown, if any."""
        self.subject = ""
        """Which model it scored."""
        self.problem = ""
        """The problem it was scored on, as described on screen."""
        self.current: str | None = None
        """The app's current model, the one Evaluate scores (None: no model loaded)."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="evaluation-controls"):
            yield Static(id="evaluation-title")
            yield Label("Samples", classes="inline-label")
            yield Input(
                f"{DEFAULT_SAMPLES:,}",
                id="evaluation-samples",
                compact=True,
                validators=[Parsed(whole_number("Samples", _check_samples))],
                tooltip="How many fresh problems to score (the notebook uses 10,000).",
            )
            yield Button(
                "Evaluate",
                id="evaluate",
                variant="primary",
                compact=True,
                action="app.evaluate",
                tooltip="Score the current model on fresh samples (ctrl+r).",
            )
        yield Static(id="evaluation-refused", classes="field-error")
        with TabbedContent(id="evaluation-views"):
            with TabPane("s Scores", id="scores-view"):
                yield Static(id="evaluation-empty", classes="empty-state")
                with Horizontal(id="evaluation-body"):
                    with VerticalScroll(id="evaluation-scores"):
                        yield Static(id="evaluation-scores-text")
                    with VerticalScroll(id="evaluation-examples"):
                        yield Static(id="evaluation-examples-text")
            # See inside the model: seq2add_tui.widgets.probe / accuracy_map / mistake_gallery.
            with TabPane("p Probe", id="probe-view"):
                yield Probe(id="probe")
            with TabPane("m Accuracy map", id="map-view"):
                yield AccuracyMapView(id="accuracy-map")
            with TabPane("x Mistakes", id="mistakes-view"):
                yield MistakeGallery(id="mistake-gallery")

    def on_mount(self) -> None:
        self.query_one("#evaluation-scores").border_title = "Scores"
        self.query_one("#evaluation-examples").border_title = "Sample predictions"
        self._show_empty(
            "No evaluation yet. Press [b]ctrl+r[/] (or Evaluate) to score the current model on "
            "fresh problems; a run you train is scored here as soon as it ends."
        )
        self.query_one("#evaluation-title", Static).update("[b]Evaluation[/]")

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        result = event.validation_result
        refused = result is not None and not result.is_valid
        message = result.failure_descriptions[0] if refused and result else ""
        refusal = self.query_one("#evaluation-refused", Static)
        refusal.update(Content(f"↳ {message}" if message else ""))
        refusal.display = bool(message)
        self.query_one("#evaluate", Button).disabled = refused or self.current is None

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.validation_result is None or event.validation_result.is_valid:
            await self.app.run_action("app.evaluate")

    @property
    def requested_samples(self) -> int | None:
        """How many samples the user asked for, or None while the field is refused."""
        text = self.query_one("#evaluation-samples", Input).value
        try:
            return whole_number("Samples", _check_samples)(text)
        except ValueError:
            return None

    def focus_current(self) -> None:
        """Focus Evaluate, or the first control if there is nothing to evaluate."""
        focus_within(self, self.query_one("#evaluate"))

    def show_running(self, subject: str, samples: int) -> None:
        """An evaluation of ``subject`` has started."""
        self.show_view("scores")
        self.query_one("#evaluation-title", Static).update(
            f"[b]Scoring[/] {counted(samples, 'fresh problem')}…"  # the header names the model
        )
        if self.evaluation is None:
            self._show_empty("Scoring…")

    def show(self, evaluation: Evaluation, subject: str, problem: str) -> None:
        """Show ``evaluation`` of the model called ``subject`` on ``problem``."""
        self.evaluation = evaluation
        self.subject = subject
        self.problem = problem
        self.query_one("#evaluation-scores").border_subtitle = ""
        self.query_one("#evaluation-title", Static).update(f"[b]{subject}[/] · {problem}")
        scores = self.query_one("#evaluation-scores")
        scores.border_title = f"Scores on {counted(evaluation.samples, 'fresh problem')}"
        self.query_one("#evaluation-empty").display = False
        self.query_one("#evaluation-body").display = True
        self.query_one("#evaluation-scores-text", Static).update(scores_renderable(evaluation))
        self.query_one("#evaluation-examples-text", Static).update(examples_renderable(evaluation))

    def rename(self, old: str, new: str) -> None:
        """The model shown was saved: ``old`` (the unsaved model) is now called ``new``."""
        if self.subject == old:
            self.subject = new
            self.query_one("#evaluation-title", Static).update(f"[b]{new}[/] · {self.problem}")

    def follow_current(self, current: str | None) -> None:
        """The app's current model changed: Evaluate scores ``current``, which may not be the
        model whose scores are on screen, so say when they differ."""
        self.current = current
        samples = self.query_one("#evaluation-samples", Input)
        self.query_one("#evaluate", Button).disabled = (
            current is None or not samples.validate(samples.value).is_valid
        )
        stale = self.evaluation is not None and current != self.subject
        self.query_one("#evaluation-scores").border_subtitle = (
            f"not the current model ({current or 'none loaded'})" if stale else ""
        )

    # -- seeing inside the model ---------------------------------------------------------------

    def follow_model(self, predictor: Predictor | None) -> None:
        """The probe, the map and the gallery look inside ``predictor`` (the current model)."""
        self.query_one(Probe).set_predictor(predictor)
        self.query_one(AccuracyMapView).set_predictor(predictor)
        if self.query_one(AccuracyMapView).result is None:
            self.query_one(MistakeGallery).show(None)

    def show_view(self, view: str) -> None:
        """Switch to one of the panel's views: scores, probe, map or mistakes."""
        self.query_one("#evaluation-views", TabbedContent).active = f"{view}-view"

    def focus_views(self) -> None:
        """Give the focus to the view tabs (the App's Esc from a field here): s p m x switch
        views from there, and 1–5 panels."""
        self.query_one("#evaluation-views Tabs").focus()

    def action_show_view(self, view: str) -> None:
        self.show_view(view)
        focus = {"probe": "#probe-input", "map": "#map-start", "mistakes": "#gallery-list"}
        if view in focus:
            self.screen.set_focus(self.query_one(focus[view]))

    def on_probe_request(self, message: ProbeRequest) -> None:
        message.stop()
        self.show_view("probe")
        probe = self.query_one(Probe)
        probe.show(message.expression)
        self.call_after_refresh(probe.focus_input)

    def on_accuracy_map_view_ready(self, message: AccuracyMapView.Ready) -> None:
        message.stop()
        result = message.result
        wrong = result.samples - result.correct
        self.query_one(MistakeGallery).show(result.mistakes, result.samples, wrong)

    def _show_empty(self, message: str) -> None:
        empty = self.query_one("#evaluation-empty", Static)
        empty.update(message)
        empty.display = True
        self.query_one("#evaluation-body").display = False
