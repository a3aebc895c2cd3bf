"""The end of a round: who won, the score table, the misses on both sides, and the saved score.

The score is saved here, in a thread (SQLite may wait on another writer); `Final.Saved` tells
the panel which row to mark on the leaderboard.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from core.leaderboard import Leaderboard, LeaderboardError, Outcome, PlayerNameError, Score
from core.percent import ROUGH, percent
from core.quiz import QuizRound, Result, Summary, outcome_sentence
from seq2add_tui.quiz.inside import INSIDE_KEY, explain_round
from seq2add_tui.quiz.keys import key_hints
from seq2add_tui.quiz.widgets import KeyTarget, readable, shortened
from seq2add_tui.wording import counted, shown_symbol

MAX_MISTAKES_SHOWN = 4
PRACTICE_NOTE = (
    "Practice round: not saved to the room's board (your first round of this format counts)."
)


class Final(VerticalScroll):
    """The round's result card."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            INSIDE_KEY,
            "found_hard",
            "What the model found hard",
            tooltip="The round's questions the model was least sure of, and where it looked",
            id="quiz.found_hard",
            show=False,  # on the hint line below (see quiz.keys)
        )
    ]

    DEFAULT_CSS = """
    Final {
        padding: 0 2;
        align: center middle;
        #final-card { width: auto; max-width: 100%; height: auto; }
        #final-card > Static { width: auto; max-width: 100%; }
        #final-card > KeyTarget { width: auto; }
        #final-headline {
            text-style: bold; height: 3; width: 1fr;
            content-align: center middle; text-align: center;
        }
        #final-headline.-won { color: $text-success; }
        #final-headline.-lost { color: $text-error; }
        #final-table { height: auto; margin-bottom: 1; }
        #final-mistakes { height: auto; }
        #final-saved { height: auto; margin-top: 1; color: $text-muted; }
        #final-saved.-error { color: $text-warning; }
    }
    """

    @dataclass
    class Saved(Message):
        """The leaderboard took the round (``score`` has its id), or ``error`` says why not."""

        score: Score | None
        rank: tuple[int, int] | None
        error: str | None
        practice: bool = False
        """A room's replay: not saved, the player's first round of this format counts."""

    def compose(self) -> ComposeResult:
        with Vertical(id="final-card"):
            yield Static("", id="final-headline")
            yield Static("", id="final-table")
            yield Static("", id="final-mistakes")
            yield Static("", id="final-saved")
            yield KeyTarget(
                key_hints("quiz.replay", "quiz.new", "quiz.leaderboard", "quiz.settings")
                + f" · {INSIDE_KEY.upper()} what it found hard",
                id="final-hint",
                classes="hint",
            )

    def focus_keys(self) -> None:
        """Hold the focus where the panel's keys (R, N, L, S) are heard."""
        self.query_one(KeyTarget).focus()

    def show(self, summary: Summary, you: str, opponent: str) -> None:
        """Show the round's outcome; the saved line waits for `save` or `not_saved`."""
        headline = self.query_one("#final-headline", Static)
        headline.set_class(summary.outcome == Outcome.WON, "-won")
        headline.set_class(summary.outcome == Outcome.LOST, "-lost")
        sentence = outcome_sentence(summary, you, opponent)
        if summary.outcome == Outcome.WON and summary.model_correct == summary.questions:
            sentence += "\nThe model got every question right, and you beat it on speed."
        elif summary.outcome == Outcome.LOST and summary.player_correct == summary.questions:
            sentence += "\nAll right, but the model's streak bonuses won."
        headline.update(Content(sentence))
        self.query_one("#final-table", Static).update(_score_table(summary, you, opponent))
        self.query_one("#final-mistakes", Static).update(_mistakes_text(summary, opponent))
        self.query_one("#final-saved", Static).remove_class("-error")

    def action_found_hard(self) -> None:
        explain_round(self)

    def not_saved(self, why: str) -> None:
        self.query_one("#final-saved", Static).update(Content(why))

    def save(
        self, db_path: Path | None, score: Score, *, room: str | None = None, practice: bool = False
    ) -> None:
        """Put ``score`` on the leaderboard in a thread; the saved line follows.

        In a ``room`` only the player's first round of its format counts: a replay
        (``practice``), or a round after one already saved under the name, is not saved.
        """
        if practice:
            self.not_saved(PRACTICE_NOTE)
            return
        self.query_one("#final-saved", Static).update("Saving your score…")
        first_only = room is not None
        self._save(db_path, replace(score, room=room) if first_only else score, first_only)

    @work(thread=True, group="save-score", exit_on_error=False)
    def _save(self, db_path: Path | None, score: Score, first_only: bool) -> None:
        # SQLite may wait on another writer for a while: never on the UI thread.
        try:
            with Leaderboard(db_path) as board:
                saved = board.record(score, first_only=first_only)
                rank = board.rank(saved) if saved is not None else None
        except (LeaderboardError, PlayerNameError) as error:
            self.post_message(self.Saved(None, None, str(error)))
            return
        if saved is None:
            self.post_message(self.Saved(None, None, None, practice=True))
            return
        self.post_message(self.Saved(saved, rank, None))

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        # Not stopped: the panel marks the saved row on the leaderboard.
        saved = self.query_one("#final-saved", Static)
        if message.error is not None:
            saved.add_class("-error")
            saved.update(Content(f"Not saved: {message.error}"))
            return
        if message.practice:
            saved.update(Content(PRACTICE_NOTE))
            return
        assert message.rank is not None and message.score is not None
        place, players = message.rank
        saved.update(
            Content.from_markup(
                "Saved. $player is [b]#$place[/b] of $players on $model.",
                player=message.score.player,
                place=str(place),
                players=counted(players, "player"),
                model=message.score.model,
            )
        )


def round_score(round_: QuizRound, summary: Summary, player: str, opponent: str) -> Score:
    """The leaderboard row for a finished round."""
    return Score(
        player=player,
        model=opponent,
        problem=round_.predictor.spec.describe(),
        player_score=summary.player_score,
        model_score=summary.model_score,
        player_correct=summary.player_correct,
        model_correct=summary.model_correct,
        questions=summary.questions,
        difficulty=round_.difficulty,
        seconds_per_question=round_.seconds,
        duration_s=round(summary.seconds_played, 3),
    )


def _score_table(summary: Summary, you: str, opponent: str) -> Content:
    head = f"{'':<22}{'score':>8}{'right':>9}{'best streak':>13}"
    rows = [
        (you, summary.player_score, summary.player_correct, summary.player_best_streak),
        (opponent, summary.model_score, summary.model_correct, summary.model_best_streak),
    ]
    body = "\n".join(
        f"{shortened(who, 20):<22}{score:>8,}{f'{right}/{summary.questions}':>9}{streak:>13}"
        for who, score, right, streak in rows
    )
    return Content.from_markup("[dim]$head[/]\n$body", head=head, body=body)


def _mistakes_text(summary: Summary, name: str) -> Content:
    mistakes = summary.model_mistakes
    if not mistakes:
        return Content.from_markup(
            "[b]The model's mistakes:[/b] none; $name got every question right.$yours",
            name=name,
            yours=_player_misses(summary),
        )
    shown = mistakes[:MAX_MISTAKES_SHOWN]
    lines = [
        f"  {readable(r.question.expression)} = {r.question.answer}: said "
        f"{r.model.text.strip() or '?'} ({_weakest(r)})"
        for r in shown
    ]
    more = len(mistakes) - len(shown)
    if more:
        lines.append(f"  … and {more} more")
    return Content.from_markup(
        "[b]The model's mistakes ($count):[/b]\n$lines$yours",
        count=str(len(mistakes)),
        lines="\n".join(lines),
        yours=_player_misses(summary),
    )


def _player_misses(summary: Summary) -> str:
    """A line listing the questions the player missed, if any."""
    misses = summary.player_mistakes
    if not misses:
        return ""
    parts = []
    for r in misses[:MAX_MISTAKES_SHOWN]:
        said = "time" if r.timed_out else "pass" if r.passed else r.player_text
        parts.append(f"{readable(r.question.expression)} = {r.question.answer} ({said})")
    extra = len(misses) - MAX_MISTAKES_SHOWN
    more = f" and {extra} more" if extra > 0 else ""
    return f"\nYou missed {len(misses)}: " + ", ".join(parts) + more


def _weakest(result: Result) -> str:
    """Where the model was least sure, e.g. ``least sure of '4': 54%``."""
    confidence = result.model.confidence
    if not confidence:
        return "no output"
    index = min(range(len(confidence)), key=confidence.__getitem__)
    character = result.model.characters[index]
    return f"least sure of '{shown_symbol(character)}': {percent(confidence[index], ROUGH)}"
