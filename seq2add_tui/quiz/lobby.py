"""The quiz's lobby: who the opponent is, the player's name, the round's settings, the top three.

It checks its own fields and asks the panel for a round with `Lobby.StartRequested`; the panel
decides what happens next.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.validation import Number
from textual.widgets import Button, Input, RadioButton, RadioSet, Static

from core.infer import Predictor
from core.leaderboard import check_player_name, name_problem
from core.percent import ROUGH, percent
from core.quiz import (
    BASE_POINTS,
    DEFAULT_DIFFICULTY,
    DIFFICULTIES,
    MAX_QUESTIONS,
    MAX_SECONDS,
    MAX_STREAK_BONUS,
    MAX_TIME_BONUS,
    MIN_SECONDS,
    level_scores,
    unplayable_reason,
)
from seq2add_tui.quiz.keys import button_label
from seq2add_tui.quiz.leaderboard_view import TopScores, TopScoresReader
from seq2add_tui.widgets.fields import FOCUS_KEYS, FieldKeys, Parsed
from seq2add_tui.widgets.toggles import MarkedRadioButton
from seq2add_tui.wording import counted

LOBBY_TOP = 3
"""Best scores the lobby shows for the opponent."""


def suggested_player_name() -> str:
    """``$SEQ2ADD_PLAYER``, or the login name if it is a valid leaderboard name."""
    for candidate in (os.environ.get("SEQ2ADD_PLAYER", ""), _login_name()):
        if candidate and name_problem(candidate) is None:
            return candidate.strip()
    return ""


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers) or no login
        return ""


@dataclass(frozen=True)
class RoundOptions:
    """What the lobby's form asks for a round."""

    player: str
    """The name the score is saved under (already checked)."""
    questions: int
    seconds: float
    difficulty: str
    """One of `core.quiz.DIFFICULTIES`."""


class Lobby(FieldKeys, TopScoresReader, VerticalScroll):
    """The form before a round, and the opponent's top scores."""

    BINDINGS: ClassVar[list[BindingType]] = list(FOCUS_KEYS)
    """Keys typed fast after Tab land in the next field (Enter starts the round)."""

    DEFAULT_CSS = """
    Lobby {
        align-horizontal: center;
        padding: 0 1;
        #lobby-opponent, #lobby-rules { width: 1fr; content-align: center middle; }
        #lobby-rules { color: $text-muted; margin-bottom: 1; }
        #lobby-fields { height: 3; width: 1fr; }
        #lobby-fields Input { border-title-color: $foreground 60%; }
        #lobby-fields Input:focus { border-title-color: $foreground; }
        #player-name { width: 1fr; }
        #questions, #seconds { width: 15; }
        #difficulty { layout: horizontal; height: 3; width: 1fr; }
        #difficulty > RadioButton { width: auto; margin-right: 2; }
        #difficulty-help { color: $text-muted; width: 1fr; content-align: center middle; }
        #lobby-buttons { height: 3; width: 1fr; align-horizontal: center; margin-top: 1; }
        #lobby-buttons Button { margin: 0 1; }
        #lobby-top { width: 1fr; content-align: center middle; color: $text-muted; }
    }
    """

    @dataclass
    class StartRequested(Message):
        """The player asked for a round with these (valid) ``options``."""

        options: RoundOptions

    class BoardRequested(Message):
        """The player asked for the leaderboard."""

    @dataclass
    class DifficultyChosen(Message):
        """The player picked another difficulty."""

        difficulty: str

    def __init__(
        self,
        *,
        questions: int,
        seconds: float,
        difficulty: str,
        locked: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.locked = locked
        """The room's organiser set the round: its fields are shown read-only."""
        self._questions = questions
        self._seconds = seconds
        self.difficulty = difficulty
        """The difficulty picked (or the fallback when the opponent can't play it)."""
        self._opponent: Predictor | None = None
        self._opponent_name = ""

    def compose(self) -> ComposeResult:
        yield Static("Beat the model", classes="title")
        yield Static("", id="lobby-opponent")
        yield Static(
            f"Right answers score {BASE_POINTS}, streaks up to +{MAX_STREAK_BONUS}, and "
            f"speed up to +{MAX_TIME_BONUS} (the model answers instantly, so it gets no "
            "speed bonus).",
            id="lobby-rules",
        )
        with Horizontal(id="lobby-fields"):
            name = Input(
                placeholder="your name",
                max_length=40,
                id="player-name",
                validators=[Parsed(check_player_name)],
                validate_on=["submitted"],
            )
            name.border_title = "Your name"
            yield name
            count = Input(
                str(self._questions),
                type="integer",
                id="questions",
                validators=[
                    Number(
                        1,
                        MAX_QUESTIONS,
                        failure_description=f"A round has 1 to {MAX_QUESTIONS} questions.",
                    )
                ],
                validate_on=["submitted"],
            )
            count.border_title = "Questions"
            yield count
            seconds = Input(
                f"{self._seconds:g}",
                type="number",
                id="seconds",
                validators=[
                    Number(
                        MIN_SECONDS,
                        MAX_SECONDS,
                        failure_description=(
                            f"Allow {MIN_SECONDS:g} to {MAX_SECONDS:g} seconds a question."
                        ),
                    )
                ],
                validate_on=["submitted"],
            )
            seconds.border_title = "Seconds"
            yield seconds
        yield Static("", id="lobby-message", classes="message")
        with RadioSet(id="difficulty", disabled=self.locked):
            for key in DIFFICULTIES:
                yield MarkedRadioButton(key, value=key == self.difficulty, name=key)
        yield Static("", id="difficulty-help")
        with Horizontal(id="lobby-buttons"):
            yield Button("Start round", variant="primary", id="start")
            # The key shows on the button: the quiz's keys are not in the footer.
            yield Button(button_label("quiz.leaderboard"), id="show-board")
        yield Static("", id="lobby-top")
        yield Static("Enter starts · Tab moves between fields · Ctrl+Q quits", classes="hint")

    def on_mount(self) -> None:
        if self.locked:
            # Every player in the room races the same round: shown, not editable.
            for field in self.query("#questions, #seconds").results(Input):
                field.disabled = True
                field.border_subtitle = "fixed"
        self._show_difficulty_help()

    # -- what the panel tells it ------------------------------------------------------------------

    @property
    def player_name(self) -> str:
        """The name as typed."""
        return self.query_one("#player-name", Input).value

    @player_name.setter
    def player_name(self, name: str) -> None:
        self.query_one("#player-name", Input).value = name

    def show_opponent(self, opponent: Predictor | None, name: str) -> str:
        """Introduce the opponent, offer only the levels it can play; returns the difficulty.

        A difficulty the opponent gets too few right at falls back to full.
        """
        self._opponent, self._opponent_name = opponent, name
        buttons = list(self.query("#difficulty RadioButton").results(RadioButton))
        for button in buttons:
            button.disabled = bool(self._unplayable(button.name or ""))
        if self._unplayable(self.difficulty):
            self.difficulty = DEFAULT_DIFFICULTY
            for button in buttons:
                if button.name == DEFAULT_DIFFICULTY:
                    button.value = True
        self._show_difficulty_help()
        problem = opponent.spec.describe() if opponent else ""
        self.query_one("#lobby-opponent", Static).update(
            Content.from_markup(
                "Your opponent: [b]$name[/b] [dim]($problem)[/]", name=name, problem=problem
            )
        )
        return self.difficulty

    def say(self, text: str) -> None:
        """Show why a round didn't start (or clear it)."""
        self.query_one("#lobby-message", Static).update(Content(text))

    def load_top(self, db_path: Path | None, room: str | None = None) -> None:
        """Read the opponent's top scores (in ``room``) in a thread and show them on arrival."""
        if self._opponent is not None:
            self.read_top(db_path, self._opponent_name, LOBBY_TOP, room)

    def focus_name(self) -> None:
        """The name field, its text selected to be typed over."""
        field = self.query_one("#player-name", Input)
        field.focus()
        field.select_all()

    def focus_first(self) -> None:
        """The Start button once a name is typed, else the name field."""
        named = self.player_name.strip()
        self.query_one("#start" if named else "#player-name").focus()

    # -- the form ---------------------------------------------------------------------------------

    def _unplayable(self, level: str) -> str:
        if self._opponent is None:
            return ""
        return unplayable_reason(self._opponent, level, level_scores(self._opponent))

    def _show_difficulty_help(self) -> None:
        text = f"{self.difficulty}: {DIFFICULTIES[self.difficulty]}"
        if self.locked:
            round_ = f"{counted(self._questions, 'question')}, {self._seconds:g} s each"
            text = f"This room's round, the same for everyone: {round_}, {text}."
        shut = [level for level in DIFFICULTIES if self._unplayable(level)]
        if shut and self._opponent is not None:
            opponent_scores = level_scores(self._opponent)
            scores = ", ".join(
                f"{level} {percent(opponent_scores[level], ROUGH)}" for level in shut
            )
            text += f"\nNot offered against {self._opponent_name}, too few right: {scores}."
        self.query_one("#difficulty-help", Static).update(Content(text))

    @on(RadioSet.Changed, "#difficulty")
    def _difficulty_chosen(self, event: RadioSet.Changed) -> None:
        event.stop()
        self.difficulty = event.pressed.name or DEFAULT_DIFFICULTY
        self._show_difficulty_help()
        self.post_message(self.DifficultyChosen(self.difficulty))

    @on(Input.Submitted, "#player-name, #questions, #seconds")
    @on(Button.Pressed, "#start")
    def _start(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        name_field = self.query_one("#player-name", Input)
        count = self.query_one("#questions", Input)
        seconds = self.query_one("#seconds", Input)
        for field in (name_field, count, seconds):
            result = field.validate(field.value)
            if result is not None and not result.is_valid:
                self.say(result.failure_descriptions[0])
                field.focus()
                return
        name_field.value = check_player_name(name_field.value)
        options = RoundOptions(
            name_field.value, int(count.value), float(seconds.value), self.difficulty
        )
        self.post_message(self.StartRequested(options))

    @on(Button.Pressed, "#show-board")
    def _board_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.BoardRequested())

    @on(TopScores)
    def _show_top(self, message: TopScores) -> None:
        message.stop()
        if message.model != self._opponent_name:
            return  # read for an earlier opponent
        if message.error is not None:
            text = message.error
        elif not message.standings:
            text = f"No scores on {self._opponent_name} yet: be the first."
        else:
            parts = " · ".join(
                f"{s.place}. {s.score.player} {s.score.player_score:,}" for s in message.standings
            )
            text = f"Top scores: {parts}"
        if message.skipped:
            text += f"\n{message.skipped}"
        self.query_one("#lobby-top", Static).update(Content(text))
