"""The reveal teaches: a window over the quiz showing what the model saw in a question (its top
alternatives for each character and where its attention looked), or, after a round, the questions
it found hardest.

Opened with one key from the reveal and the final screen (`INSIDE_KEY`); probing is a numpy
forward pass, so it opens at once, in the app, the quiz-only app and served sessions alike.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Static

from core.percent import ROUGH, percent
from core.probe import ProbeResult, probe, probe_many
from seq2add_tui.inspection import attention_heatmap, probe_renderable

if TYPE_CHECKING:
    from core.infer import Predictor
    from core.quiz import Result

INSIDE_KEY = "w"
"""The key that opens the window, from the reveal and the final screen."""

HARDEST_SHOWN = 5
"""Questions listed in "what the model found hard"."""

SURE = 0.99
"""A character chosen with at least this probability was no trouble."""


def round_predictor(widget: Widget) -> Predictor | None:
    """The model playing the round shown by ``widget``'s quiz panel (None outside a round)."""
    for ancestor in widget.ancestors:
        round_ = getattr(ancestor, "round", None)
        if round_ is not None and hasattr(round_, "predictor"):
            return round_.predictor
    return None


def round_results(widget: Widget) -> Sequence[Result]:
    """Every question answered so far in the round shown by ``widget``'s quiz panel."""
    for ancestor in widget.ancestors:
        round_ = getattr(ancestor, "round", None)
        if round_ is not None and hasattr(round_, "results"):
            return round_.results
    return ()


def hardest(probes: Sequence[ProbeResult]) -> list[ProbeResult]:
    """The round's questions, probed, the model's wrong and then least sure first."""

    def doubt(result: ProbeResult) -> tuple[bool, float]:
        return (result.correct, math.prod(result.confidence))

    return sorted(probes, key=doubt)[:HARDEST_SHOWN]


def _weakest_line(result: ProbeResult) -> Text:
    """``2+3+9 = 14 ✓ sure 62% · tens digit: 1 62% · 2 35% · 0 2%``."""
    confidence = result.confidence
    index = min(range(len(confidence)), key=confidence.__getitem__)
    mark = ("✓", "green") if result.correct else ("✗", "bold red")
    text = Text.assemble(
        (f"{result.expression} = {result.answer or '?'} ", "bold"),
        mark,
        (f" sure {percent(math.prod(confidence), ROUGH)}", "dim"),
    )
    if not result.correct:
        text.append(f"  truth {result.truth}")
    choices = " · ".join(
        f"{'␣' if a.symbol == result.pad_char else a.symbol} {percent(a.probability, ROUGH)}"
        for a in result.alternatives[index]
    )
    text.append(f"\n    character {index + 1} weighed {choices}", style="dim")
    return text


def found_hard_renderable(probes: list[ProbeResult], *, dark: bool) -> Group:
    """The round's hardest questions, one line each, and the hardest one's attention."""
    if not probes:
        return Group(Text("No questions answered in this round."))
    parts: list[Any] = []
    if all(result.correct and min(result.confidence) >= SURE for result in probes):
        parts.append(Text("Nothing: it was sure of every answer. The least sure:", style="italic"))
    parts += [_weakest_line(result) for result in probes]
    top = probes[0]
    if top.has_attention:
        parts += [
            Text(),
            Text(f"Where it looked on {top.expression}", style="bold"),
            attention_heatmap(top, dark=dark),
        ]
    return Group(*parts)


class InsideModel(ModalScreen[None]):
    """A window over the quiz: what the model saw; any of Esc, Enter or W closes it."""

    DEFAULT_CSS = """
    InsideModel {
        align: center middle;
        #inside-window {
            width: 100%; max-width: 92; height: auto;
            border: round $primary; background: $surface; padding: 0 1;
        }
        #inside-body { height: auto; max-height: 80vh; scrollbar-size-vertical: 1; }
        #inside-content { height: auto; }
        #inside-title { text-style: bold; }
        #inside-hint { color: $text-muted; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter", "dismiss", "Close", tooltip="Back to the quiz"),
        Binding(INSIDE_KEY, "dismiss", "Close", show=False),
    ]

    def __init__(self, title: str, body: Any) -> None:
        super().__init__()
        self.title_text = title
        """What the window is about."""
        self.body = body
        """The renderable shown."""

    def compose(self) -> ComposeResult:
        with Vertical(id="inside-window"):
            yield Static(Text(self.title_text), id="inside-title")
            with VerticalScroll(id="inside-body"):
                yield Static(self.body, id="inside-content")
            yield Static(f"Esc, Enter or {INSIDE_KEY.upper()}: back to the quiz", id="inside-hint")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)


def explain_question(widget: Widget, expression: str) -> None:
    """Open the window on ``expression`` as the round's model sees it."""
    predictor = round_predictor(widget)
    if predictor is None:
        return
    body = probe_renderable(probe(predictor, expression), dark=widget.app.current_theme.dark)
    widget.app.push_screen(InsideModel(f"Inside {predictor.name or 'the model'}", body))


def explain_round(widget: Widget) -> None:
    """Open the window on what the round's model found hardest."""
    predictor = round_predictor(widget)
    results = round_results(widget)
    if predictor is None:
        return
    probes = probe_many(predictor, [r.question.expression for r in results])
    body = found_hard_renderable(hardest(probes), dark=widget.app.current_theme.dark)
    widget.app.push_screen(InsideModel("What the model found hard in this round", body))
