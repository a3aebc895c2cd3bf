"""After each answer: the true answer beside the player's and the model's, and its doubts."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Static

from core.quiz import Points, Result
from seq2add_tui.quiz.inside import INSIDE_KEY, explain_question
from seq2add_tui.quiz.keys import key_name
from seq2add_tui.quiz.widgets import AnswerCard, BigText, ConfidenceStrip, KeyTarget, spaced


class Reveal(Vertical):
    """Who was right about the last question, and the points each got."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            INSIDE_KEY,
            "inside",
            "Inside the model",
            tooltip="The model's top choices and where its attention looked on this question",
            id="quiz.inside",
            show=False,  # on the hint line below (see quiz.keys)
        )
    ]

    expression = ""
    """The question shown."""

    _shown_hint = ""

    DEFAULT_CSS = """
    Reveal {
        align: center middle;
        #reveal-expression { color: $text; }
        #reveal-verdict {
            width: 1fr; content-align: center middle; text-style: bold; height: 1;
        }
        #reveal-columns { height: 8; margin-top: 1; }
        #confidence { margin-top: 1; }
    }
    """

    def compose(self) -> ComposeResult:
        yield BigText(id="reveal-expression")
        yield Static("", id="reveal-verdict")
        with Horizontal(id="reveal-columns"):
            for key in ("truth", "player", "model"):
                yield AnswerCard(id=f"card-{key}")
        yield ConfidenceStrip(id="confidence")
        yield KeyTarget("", id="reveal-hint", classes="hint")

    def focus_keys(self) -> None:
        """Hold the focus where the panel's keys (Enter) are heard."""
        self.query_one(KeyTarget).focus()

    def show(self, result: Result, player: str, opponent: str, last: bool) -> None:
        """Show ``result``; ``last`` if it ends the round (Enter then shows who won)."""
        question = result.question
        self.expression = question.expression
        self.query_one(BigText).text = f"{spaced(question.expression)} = {question.answer}"
        self.query_one("#reveal-verdict", Static).update(Content.from_markup(_verdict(result)))
        self._card("truth").show("Truth", str(question.answer), None, "")
        self._card("player").show(
            player,
            result.player_text or "–",
            result.player_correct,
            points_text(result.player_points),
            "passed" if result.passed else "out of time" if result.timed_out else "wrong",
        )
        self._card("model").show(
            opponent,
            result.model.text.strip() or "?",
            result.model_correct,
            points_text(result.model_points),
        )
        self.query_one(ConfidenceStrip).show(result.model.characters, result.model.confidence)
        then = "see who won" if last else "next question"
        hint = f"{key_name('quiz.next')}: {then} · {INSIDE_KEY.upper()}: inside the model"
        if hint != self._shown_hint:  # the same line every question but the last: no repaint
            self._shown_hint = hint
            self.query_one(KeyTarget).update(hint)

    def action_inside(self) -> None:
        if self.expression:
            explain_question(self, self.expression)

    def _card(self, key: str) -> AnswerCard:
        return self.query_one(f"#card-{key}", AnswerCard)


def _verdict(result: Result) -> str:
    """The headline, as markup: how the player did, then how the model did."""
    if result.timed_out:
        verdict = "[$text-error]Time's up![/]"
    elif result.passed:
        verdict = "[$text-muted]Passed.[/]"
    elif result.player_correct:
        verdict = "[$text-success]Right![/]"
    else:
        verdict = "[$text-error]Not quite.[/]"
    if result.player_correct == result.model_correct:
        verdict += " [dim]Both right.[/]" if result.player_correct else " [dim]Both wrong.[/]"
    elif result.model_correct:
        verdict += " [dim]The model got it.[/]"
    else:
        verdict += " [dim]The model got it wrong![/]"
    return verdict


def points_text(points: Points) -> str:
    """``+180`` over a dim line of the bonuses, e.g. ``+50 streak +30 time``."""
    bonuses = " ".join(
        f"+{value} {label}"
        for value, label in ((points.streak, "streak"), (points.time, "time"))
        if value
    )
    total = f"[b]+{points.total}[/b]"
    return f"{total}\n[dim]{bonuses}[/]" if bonuses else total
