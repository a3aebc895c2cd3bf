"""One question on screen: the sum in big digits, the answer box, the countdown.

It takes only well-formed answers and hands them to the panel as `Question.Answered`; the
panel owns the clock and the round, so it judges them.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static

from seq2add_tui.quiz.keys import key_hints
from seq2add_tui.quiz.widgets import AnswerInput, BigText, Countdown, spaced


class Question(Vertical):
    """The question being asked, and the player's answer to it."""

    DEFAULT_CSS = """
    Question {
        align: center middle;
        #question-expression { color: $text; }
        #question-waiting { color: $text-muted; width: 1fr; content-align: center middle; }
        #answer { width: 32; margin: 1 0 0 0; }
        #answer-row { height: 4; align-horizontal: center; }
        #countdown { margin-top: 1; }
    }
    """

    @dataclass
    class Answered(Message):
        """The player submitted ``text``, a well-formed whole number."""

        text: str

    def __init__(self, *, cursor_blink: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self._cursor_blink = cursor_blink
        self._shown_message = ""
        self._shown_opponent: str | None = None

    def compose(self) -> ComposeResult:
        yield BigText(id="question-expression")
        yield Static("", id="question-waiting")
        with Horizontal(id="answer-row"):
            yield AnswerInput(id="answer")
        yield Static("", id="answer-message", classes="message")
        yield Countdown(id="countdown")
        yield Static(
            f"Enter submits · {key_hints('quiz.pass')}", id="question-hint", classes="hint"
        )

    def on_mount(self) -> None:
        # Looked up once: the question is redrawn on every answer.
        self._answer = self.query_one(AnswerInput)
        self._answer.cursor_blink = self._cursor_blink
        self._countdown = self.query_one(Countdown)

    def ask(self, expression: str, opponent: str, max_digits: int, seconds: float) -> None:
        """Show ``expression`` with an empty answer box and a full countdown."""
        self.query_one(BigText).text = f"{spaced(expression)} = ?"
        if opponent != self._shown_opponent:  # the same line every question: no repaint
            self._shown_opponent = opponent
            self.query_one("#question-waiting", Static).update(
                Content.assemble((opponent, "bold"), " has answered. Your turn.")
            )
        if self._answer.max_digits != max_digits:
            self._answer.max_digits = max_digits
        self._answer.value = ""
        self._answer.focus()
        self.say("")
        self.show_time(seconds, seconds)

    def show_time(self, remaining_s: float, limit_s: float) -> None:
        """Set the countdown."""
        self._countdown.show(remaining_s, limit_s)

    def focus_answer(self) -> None:
        self._answer.focus()

    def say(self, text: str) -> None:
        """Say why an answer isn't taken (or clear it); unchanged text costs no repaint."""
        if text != self._shown_message:
            self._shown_message = text
            self.query_one("#answer-message", Static).update(Content(text))

    @on(AnswerInput.Refused)
    def _refused(self, event: AnswerInput.Refused) -> None:
        event.stop()
        self.say(event.reason)

    @on(Input.Changed, "#answer")
    def _typing(self, event: Input.Changed) -> None:
        event.stop()
        self.say("")

    @on(Input.Submitted, "#answer")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        result = event.validation_result
        if result is not None and not result.is_valid:
            self.say(result.failure_descriptions[0])
            return
        self.post_message(self.Answered(event.value))
