"""The probe: type an expression and see, as you type, the model's answer, the truth, its top
alternatives for every character and where its attention looked.

Each keystroke runs one numpy forward pass (well under 5 ms), so there is no worker: the answer
is on screen before the next key.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static

from core.data import ExpressionError, example_expression
from core.infer import Predictor
from core.probe import ProbeResult, probe
from seq2add_tui.inspection import alternatives_table, verdict
from seq2add_tui.widgets.attention_map import AttentionMap


@dataclass
class ProbeRequest(Message):
    """Someone (a map cell, a mistake) asked to open ``expression`` in the probe."""

    expression: str


class Probe(Vertical):
    """An expression field over the model's answer, alternatives and attention map."""

    DEFAULT_CSS = """
    Probe {
        height: 1fr;
    }
    Probe #probe-input {
        width: 1fr;
        max-width: 48;
    }
    Probe #probe-error {
        height: auto;
        color: $text-error;
    }
    Probe #probe-body {
        height: 1fr;
        scrollbar-size-vertical: 1;
    }
    Probe #probe-answer {
        height: auto;
        margin-bottom: 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.predictor: Predictor | None = None
        """The model asked."""
        self.result: ProbeResult | None = None
        """What the probe shows, if the field holds a valid expression."""

    def compose(self) -> ComposeResult:
        yield Input(
            id="probe-input",
            compact=True,
            placeholder="Type an expression",
            tooltip="The model answers as you type: answer, truth, alternatives, attention.",
        )
        yield Static(id="probe-error")
        with VerticalScroll(id="probe-body"):
            yield Static(id="probe-answer")
            yield AttentionMap(id="probe-attention")

    def set_predictor(self, predictor: Predictor | None) -> None:
        """Ask ``predictor`` from now on (None: no model loaded)."""
        self.predictor = predictor
        field = self.query_one("#probe-input", Input)
        if predictor is None:
            field.placeholder = "Load a model to probe it"
        else:
            field.placeholder = f"Type an expression, e.g. {example_expression(predictor.spec)}"
        self._answer(field.value)

    def show(self, expression: str) -> None:
        """Put ``expression`` in the field and answer it."""
        field = self.query_one("#probe-input", Input)
        with field.prevent(Input.Changed):
            field.value = expression
        field.cursor_position = len(expression)
        self._answer(expression)

    def focus_input(self) -> None:
        """Put the cursor in the expression field."""
        self.query_one("#probe-input", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._answer(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()

    def _answer(self, text: str) -> None:
        error = self.query_one("#probe-error", Static)
        result: ProbeResult | None = None
        message = ""
        if self.predictor is None:
            message = "No model is loaded: load one in Models (4) or train one."
        elif text.strip():
            try:
                result = probe(self.predictor, text)
            except ExpressionError as refused:
                message = str(refused)
        if result is not None or not text.strip():
            self.result = result
        # A half-typed expression keeps the last answer on screen, under the reason it can't be
        # asked yet, so the view doesn't flicker to empty at every operator typed.
        error.update(Content(f"↳ {message}" if message else ""))
        error.display = bool(message)
        self._draw()

    def _draw(self) -> None:
        result = self.result
        answer = self.query_one("#probe-answer", Static)
        if result is None:
            answer.update(
                Text(
                    "The model's answer, the truth, its top three choices for each character "
                    "and where its attention looked appear here as you type.",
                    style="dim",
                )
            )
        else:
            heading = Text("Top choices per answer character, in %", style="bold")
            answer.update(Group(verdict(result), Text(), heading, alternatives_table(result)))
        self.query_one(AttentionMap).show(result)
