"""The "Beat the model" game: a person and a model answer the same sums, and the score decides.

The rules live in `core.quiz`; the screens are small widgets (`Lobby`, `Question`, `Reveal`,
`Final`, the leaderboard), one per `QuizState`. This panel keeps what they share: the round, the
per-question clock (which stops while the quiz is out of sight), and which screen is showing. It is
the main app's Quiz tab and the whole of ``seq2add quiz`` / ``seq2add serve`` sessions.

Interface the main app relies on: ``QuizPanel(id=...)``; ``set_opponent(predictor_or_None)``
whenever the loaded model changes; the app's ``db_path`` and ``player_name`` attributes, if it
has them, choose the leaderboard file and fill in the player's name.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.events import Hide, Show
from textual.message import Message
from textual.widgets import ContentSwitcher, DataTable, Input, Static

from core.infer import Predictor
from core.leaderboard import Score, claim_in_room
from core.quiz import (
    DEFAULT_DIFFICULTY,
    DEFAULT_QUESTIONS,
    DEFAULT_SECONDS,
    AnswerError,
    QuizError,
    QuizRound,
    Result,
    Summary,
)
from seq2add_tui.quiz.clock import Clock, QuestionClock, Ticker
from seq2add_tui.quiz.final import Final, round_score
from seq2add_tui.quiz.keys import QUIZ_BINDINGS, key_hints
from seq2add_tui.quiz.leaderboard_view import LeaderboardView
from seq2add_tui.quiz.lobby import Lobby, suggested_player_name
from seq2add_tui.quiz.question import Question
from seq2add_tui.quiz.reveal import Reveal
from seq2add_tui.quiz.widgets import RoundStatus
from seq2add_tui.wording import FRESH_NAME

TICK_S = 0.2
"""How often the clock is checked; the countdown repaints only when what it shows changes."""


class QuizState(StrEnum):
    """Which screen the quiz shows; the value is that screen's id without ``quiz-``."""

    EMPTY = "empty"
    """No opponent: nothing to play against."""
    LOBBY = "lobby"
    QUESTION = "question"
    REVEAL = "reveal"
    FINAL = "final"
    BOARD = "board"

    @property
    def in_play(self) -> bool:
        """A round is under way: leaving now loses it."""
        return self in (QuizState.QUESTION, QuizState.REVEAL)


class QuizPanel(Vertical):
    """Play rounds of "Beat the model" against one opponent."""

    DEFAULT_CSS = """
    QuizPanel {
        height: 1fr;
        padding: 0 1;
        .title { text-style: bold; color: $accent; width: 1fr; content-align: center middle; }
        .hint { color: $text-muted; width: 1fr; content-align: center middle; margin-top: 1; }
        .message { color: $text-error; width: 1fr; content-align: center middle; height: 1; }
        #quiz-status { height: 1; width: 1fr; background: $boost; padding: 0 1; }
        ContentSwitcher { height: 1fr; }
        #quiz-empty { content-align: center middle; color: $text-muted; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = list(QUIZ_BINDINGS)

    @dataclass
    class RoundFinished(Message):
        """A round ended; ``summary`` has the scores."""

        panel: QuizPanel
        summary: Summary

    def __init__(
        self,
        *,
        id: str | None = None,
        questions: int = DEFAULT_QUESTIONS,
        seconds: float = DEFAULT_SECONDS,
        difficulty: str = DEFAULT_DIFFICULTY,
        seed: int | None = None,
        clock: Clock = time.monotonic,
        cursor_blink: bool = True,
        suggest_name: bool = True,
        room: str | None = None,
        locked: bool = False,
    ) -> None:
        super().__init__(id=id)
        self.room = room
        """The ``seq2add serve`` room: its names are unique, each player's first round counts."""
        self.locked = locked  # the room's organiser set the round (see `Lobby.locked`)
        self._opponent: Predictor | None = None
        self._next_opponent: Predictor | None = None
        """A model that became current mid-round (a training run ending); it plays next round."""
        self.questions = questions
        """Questions per round."""
        self.seconds = seconds
        """Seconds per question."""
        self.difficulty = difficulty
        """One of `core.quiz.DIFFICULTIES`."""
        self.seed = seed
        """Seed of the next new round; None for a random one. Advances by one each round."""
        self.clock = QuestionClock(clock)
        """Time on the question being asked; tests inject ``clock`` to freeze or jump time."""
        self.cursor_blink = cursor_blink
        self.suggest_name = suggest_name
        """Fill the name in from $SEQ2ADD_PLAYER or the login (not for browser visitors)."""
        self.player = ""
        """The name the next score is saved under."""
        self.round: QuizRound | None = None
        """The round being played, or just finished."""
        self.state = QuizState.EMPTY
        """The screen showing."""
        self._timer = Ticker(TICK_S, self._tick_safely)
        self._board_return = QuizState.LOBBY
        self._last_saved: Score | None = None
        self._replaying = False

    # -- layout ------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield RoundStatus(id="quiz-status")
        with ContentSwitcher(initial="quiz-empty"):
            yield Static("Load a model in the Models panel to play against it.", id="quiz-empty")
            yield Lobby(
                questions=self.questions,
                seconds=self.seconds,
                difficulty=self.difficulty,
                locked=self.locked,
                id="quiz-lobby",
            )
            yield Question(cursor_blink=self.cursor_blink, id="quiz-question")
            yield Reveal(id="quiz-reveal")
            yield Final(id="quiz-final")
            with Vertical(id="quiz-board"):
                yield LeaderboardView(id="board-view")
                yield Static(
                    key_hints("quiz.back", "quiz.all_models", "quiz.new", "quiz.settings"),
                    classes="hint",
                )

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.cursor_blink = self.cursor_blink
        app_player = getattr(self.app, "player_name", None)
        self.player = app_player or (suggested_player_name() if self.suggest_name else "")
        # Looked up once: the question and reveal screens are redrawn on every answer.
        self._status = self.query_one(RoundStatus)
        self._switcher = self.query_one(ContentSwitcher)
        self._lobby = self.query_one(Lobby)
        self._question = self.query_one(Question)
        self._reveal_screen = self.query_one(Reveal)
        self._final = self.query_one(Final)
        self._lobby.player_name = self.player
        self.query_one(LeaderboardView).room = self.room
        if self._opponent is not None:
            self._enter_lobby()

    # -- the opponent ------------------------------------------------------------------------------

    @property
    def opponent_name(self) -> str:
        """How the opponent is named on screen and in the leaderboard."""
        if self._opponent is None:
            return "the model"
        return self._opponent.name or FRESH_NAME

    def set_opponent(self, predictor: Predictor | None) -> None:
        """The model the player will race.

        A round in play finishes against the model it started with; the new one plays the next
        round. Only losing the model altogether (None: it was deleted) abandons the round.
        """
        in_play = self.is_mounted and self.state.in_play
        if in_play and predictor is not None and predictor is not self._opponent:
            self._next_opponent = predictor
            return
        self._next_opponent = None
        changed = predictor is not self._opponent
        self._opponent = predictor
        if not self.is_mounted:
            return
        if predictor is None:
            self._stop_clock()
            self.round = None
            self._switch(QuizState.EMPTY)
            return
        if not changed and self.state == QuizState.LOBBY:
            self._show_opponent()  # the same model, perhaps saved under a name since
        elif changed or self.state == QuizState.EMPTY:
            abandoned = self.state.in_play
            self._stop_clock()
            self.round = None
            self._enter_lobby()
            if abandoned:
                self._lobby.say(
                    f"The opponent changed to {self.opponent_name}; the round was abandoned."
                )

    def _show_opponent(self) -> None:
        self.difficulty = self._lobby.show_opponent(self._opponent, self.opponent_name)

    def _take_next_opponent(self) -> bool:
        """Bring in the model that became current during the last round, if any."""
        if self._next_opponent is None:
            return False
        self._opponent, self._next_opponent = self._next_opponent, None
        self._show_opponent()
        return True

    # -- state -------------------------------------------------------------------------------------

    def _switch(self, state: QuizState) -> None:
        self.state = state
        self._switcher.current = f"quiz-{state}"
        self._status.display = state.in_play
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        state, playable = self.state, self._opponent is not None
        allowed = {
            "advance": state == QuizState.REVEAL,
            "pass_question": state == QuizState.QUESTION,
            "back": state == QuizState.BOARD,
            "replay": state == QuizState.FINAL,
            "new_round": state in (QuizState.FINAL, QuizState.BOARD) and playable,
            "leaderboard": state in (QuizState.FINAL, QuizState.LOBBY) and playable,
            "all_models": state == QuizState.BOARD,
            "settings": state in (QuizState.FINAL, QuizState.BOARD) and playable,
        }
        return allowed.get(action, True)

    def focus_current(self) -> None:
        """Give the keyboard to the control this screen is played with (e.g. on returning)."""
        focus = {
            QuizState.LOBBY: self._lobby.focus_first,
            QuizState.QUESTION: self._question.focus_answer,
            QuizState.REVEAL: self._reveal_screen.focus_keys,
            QuizState.FINAL: self._final.focus_keys,
            QuizState.BOARD: self.query_one("#board-view DataTable", DataTable).focus,
        }.get(self.state)
        if focus is not None:
            focus()

    def _db_path(self) -> Path | None:
        return getattr(self.app, "db_path", None)

    # -- lobby -------------------------------------------------------------------------------------

    def _enter_lobby(self) -> None:
        self._switch(QuizState.LOBBY)
        self._show_opponent()
        self._lobby.say("")
        self._lobby.load_top(self._db_path(), self.room)
        self.focus_current()

    @on(Lobby.DifficultyChosen)
    def _difficulty_chosen(self, message: Lobby.DifficultyChosen) -> None:
        message.stop()
        self.difficulty = message.difficulty

    @on(Lobby.StartRequested)
    def _start_requested(self, message: Lobby.StartRequested) -> None:
        message.stop()
        options = message.options
        if not self._claim(options.player):
            return
        self.player, self.questions = options.player, options.questions
        self.seconds, self.difficulty = options.seconds, options.difficulty
        self.start_round()

    @on(Lobby.BoardRequested)
    def _board_requested(self, message: Lobby.BoardRequested) -> None:
        message.stop()
        self.action_leaderboard()

    def _claim(self, name: str) -> bool:
        """In a room, hold ``name`` for this session; False (and say so) if someone else has it."""
        if self.room is None or claim_in_room(self._db_path(), self.room, name):
            return True
        self._lobby.say(f"Someone called {name} is playing in this room already; pick another.")
        self._lobby.focus_name()
        return False

    @property
    def practice(self) -> bool:  # in a room, a replay counts for nothing
        return self.room is not None and self._replaying

    # -- a round -----------------------------------------------------------------------------------

    def start_round(self, seed: int | None = None, *, replay: bool = False) -> None:
        """Start a new round (or replay the last one) against the current opponent."""
        if self._take_next_opponent():
            replay = False  # the last round's questions may not fit the new model's problem
        if self._opponent is None:
            return
        if not self.player:
            self._enter_lobby()
            self._lobby.say("Type a name for the leaderboard, then press Enter.")
            return
        try:
            if replay and self.round is not None:
                self.round = self.round.replay()
            else:
                if seed is None:
                    seed = self.seed
                if self.seed is not None:
                    self.seed += 1
                self.round = QuizRound.start(
                    self._opponent, self.questions, self.seconds, self.difficulty, seed
                )
        except QuizError as error:
            self._enter_lobby()
            self._lobby.say(str(error))
            return
        self._last_saved = None
        self._replaying = replay
        self._ask()

    def _ask(self) -> None:
        round_ = self.round
        assert round_ is not None
        with self.app.batch_update():  # one frame for the whole new screen
            self._switch(QuizState.QUESTION)
            self._question.ask(
                round_.current.expression, self.opponent_name, round_.max_digits, round_.seconds
            )
            self._update_status()
        self.clock.start()
        self._timer.resume()

    def elapsed_s(self) -> float:
        """Seconds the current question has been on screen."""
        return self.clock.elapsed_s()

    def _tick_safely(self) -> None:
        try:
            self._tick()
        except Exception as error:  # as Textual's own timers do: shown, and the app ends
            self.app._handle_exception(error)

    def on_unmount(self) -> None:
        self._timer.pause()

    def _tick(self) -> None:
        # A dialog over the quiz (help, a confirmation) stops the clock like a tab switch does.
        if self.screen is not self.app.screen:
            self.clock.lose_sight("covered", asking=self.state == QuizState.QUESTION)
            return
        self.clock.regain_sight("covered")
        if self.state != QuizState.QUESTION or self.round is None or not self.clock.running:
            return
        remaining = self.round.seconds - self.elapsed_s()
        self._question.show_time(remaining, self.round.seconds)
        if remaining <= 0:
            self._reveal(self.round.time_out())

    def _stop_clock(self) -> None:
        self._timer.pause()

    def on_hide(self, event: Hide) -> None:
        # In the main app the quiz is one tab of several: the clock stops while it's out of view.
        self.clock.lose_sight("hidden", asking=self.state == QuizState.QUESTION)

    def on_show(self, event: Show) -> None:
        self.clock.regain_sight("hidden")

    @on(Question.Answered)
    def _answered(self, message: Question.Answered) -> None:
        message.stop()
        if self.state != QuizState.QUESTION or self.round is None:
            return
        elapsed = self.elapsed_s()
        if elapsed > self.round.seconds:
            self._reveal(self.round.time_out())
            return
        try:
            self._reveal(self.round.submit(message.text, elapsed))
        except AnswerError as error:
            self._question.say(str(error))

    def action_pass_question(self) -> None:
        if self.state == QuizState.QUESTION and self.round is not None:
            self._reveal(self.round.pass_question(self.elapsed_s()))

    def _reveal(self, result: Result) -> None:
        round_ = self.round
        assert round_ is not None
        self._stop_clock()
        with self.app.batch_update():  # one frame for the whole new screen
            self._switch(QuizState.REVEAL)
            self._reveal_screen.focus_keys()
            self._reveal_screen.show(
                result, self.player or "You", self.opponent_name, last=round_.finished
            )
            self._update_status()

    def _update_status(self) -> None:
        round_ = self.round
        if round_ is None:
            return
        number = round_.number if self.state == QuizState.QUESTION else len(round_.results)
        you, practice = self.player or "You", self.practice
        self._status.show(round_, number, you, self.opponent_name, practice=practice)

    def action_advance(self) -> None:
        if self.state != QuizState.REVEAL or self.round is None:
            return
        if self.round.finished:
            self._finish()
        else:
            self._ask()

    # -- the end -----------------------------------------------------------------------------------

    def _finish(self) -> None:
        round_ = self.round
        assert round_ is not None
        summary = round_.summary()
        self._switch(QuizState.FINAL)
        self._final.focus_keys()
        self._final.show(summary, self.player or "You", self.opponent_name)
        self.post_message(self.RoundFinished(self, summary))
        if not round_.predictor.name:
            # Rounds against different unsaved models would share one name on the leaderboard.
            self._final.not_saved(
                "Not saved: save this model in the library to put its rounds on the board."
            )
            return
        score = round_score(round_, summary, self.player, self.opponent_name)
        self._final.save(self._db_path(), score, room=self.room, practice=self.practice)

    @on(Final.Saved)
    def _score_saved(self, message: Final.Saved) -> None:
        message.stop()
        if message.score is not None:
            self._last_saved = message.score

    def action_replay(self) -> None:
        if self.state == QuizState.FINAL:
            self.start_round(replay=True)

    def action_new_round(self) -> None:
        if self._opponent is not None:
            self.start_round()

    def action_settings(self) -> None:
        self._take_next_opponent()
        if self._opponent is not None:
            self._stop_clock()
            self._enter_lobby()

    # -- leaderboard -------------------------------------------------------------------------------

    def action_back(self) -> None:
        if self.state != QuizState.BOARD:
            return
        if self._board_return == QuizState.FINAL and self.round and self.round.finished:
            self._switch(QuizState.FINAL)
            self._final.focus_keys()
        else:
            self._enter_lobby()

    def action_leaderboard(self, model: str | None = "") -> None:
        if self._opponent is None:
            return
        if self.state != QuizState.BOARD:
            self._board_return = self.state
        self._switch(QuizState.BOARD)
        self.focus_current()
        target = self.opponent_name if model == "" else model
        highlight = self._last_saved.id if self._last_saved is not None else None
        self.query_one(LeaderboardView).load(self._db_path(), target, highlight)

    def action_all_models(self) -> None:
        view = self.query_one(LeaderboardView)
        self.action_leaderboard(None if view.model is not None else "")
