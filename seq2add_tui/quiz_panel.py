"""The "Beat the model" game: a person and a model answer the same sums, and the score decides.

The rules live in `core.quiz`; this panel shows a round (lobby → question → reveal → … → final),
runs the per-question clock, and saves the result to the leaderboard off the UI thread. It is the
main app's Quiz tab and the whole of ``seq2add quiz`` / ``seq2add serve`` sessions.

Interface the main app relies on: ``QuizPanel(id=...)``; ``set_opponent(predictor_or_None)``
whenever the loaded model changes; the app's ``db_path`` and ``player_name`` attributes, if it
has them, choose the leaderboard file and fill in the player's name.
"""

from __future__ import annotations

import getpass
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Hide, Show
from textual.message import Message
from textual.timer import Timer
from textual.validation import Number, ValidationResult, Validator
from textual.widgets import Button, ContentSwitcher, Input, RadioButton, RadioSet, Static

from core.infer import Predictor
from core.leaderboard import (
    Leaderboard,
    LeaderboardError,
    PlayerNameError,
    Score,
    check_player_name,
    name_problem,
)
from core.quiz import (
    BASE_POINTS,
    DEFAULT_DIFFICULTY,
    DEFAULT_QUESTIONS,
    DEFAULT_SECONDS,
    DIFFICULTIES,
    MAX_QUESTIONS,
    MAX_SECONDS,
    MAX_STREAK_BONUS,
    MAX_TIME_BONUS,
    MIN_SECONDS,
    AnswerError,
    Points,
    QuizError,
    QuizRound,
    Result,
    Summary,
    level_scores,
    outcome_sentence,
    unplayable_reason,
)
from seq2add_tui.leaderboard_view import LeaderboardView
from seq2add_tui.quiz_widgets import (
    AnswerCard,
    AnswerInput,
    BigText,
    ConfidenceStrip,
    Countdown,
    KeyTarget,
    readable,
    spaced,
)
from seq2add_tui.wording import FRESH_NAME, counted, shown_symbol

Clock = Callable[[], float]

TICK_S = 0.2
"""How often the clock is checked; the countdown repaints only when what it shows changes."""

MAX_MISTAKES_SHOWN = 4


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

        #quiz-lobby {
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
        #quiz-question {
            align: center middle;
            #question-expression { color: $text; }
            #question-waiting { color: $text-muted; width: 1fr; content-align: center middle; }
            #answer { width: 32; margin: 1 0 0 0; }
            #answer-row { height: 4; align-horizontal: center; }
            #countdown { margin-top: 1; }
        }
        #quiz-reveal {
            align: center middle;
            #reveal-expression { color: $text; }
            #reveal-verdict {
                width: 1fr; content-align: center middle; text-style: bold; height: 1;
            }
            #reveal-columns { height: 8; margin-top: 1; }
            #confidence { margin-top: 1; }
        }
        #quiz-final {
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
        #quiz-empty { content-align: center middle; color: $text-muted; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "advance", "Next", id="quiz.next", tooltip="Show the next question"),
        Binding(
            "escape",
            "pass_question",
            "Pass",
            id="quiz.pass",
            tooltip="Give up on this question (no points, the streak ends)",
        ),
        Binding("escape", "back", "Back", id="quiz.back", tooltip="Back to where you were"),
        Binding("r", "replay", "Replay", id="quiz.replay", tooltip="Play the same questions again"),
        Binding("n", "new_round", "New round", id="quiz.new", tooltip="Play new questions"),
        Binding(
            "l",
            "leaderboard",
            "Leaderboard",
            id="quiz.leaderboard",
            tooltip="Top scores on this model",
        ),
        Binding(
            "a",
            "all_models",
            "All models",
            id="quiz.all_models",
            tooltip="Top scores on every model",
        ),
        Binding("s", "settings", "Settings", id="quiz.settings", tooltip="Name, difficulty, timer"),
    ]

    @dataclass
    class RoundFinished(Message):
        """A round ended; ``summary`` has the scores."""

        panel: QuizPanel
        summary: Summary

    @dataclass
    class TopScoresRead(Message):
        """The lobby's top three for ``model`` (or ``error`` saying why they couldn't be read)."""

        model: str
        scores: list[Score]
        error: str | None

    @dataclass
    class ScoreSaved(Message):
        """The leaderboard took the round (``score`` has its id), or ``error`` says why not."""

        panel: QuizPanel
        score: Score | None
        rank: tuple[int, int] | None
        error: str | None

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
    ) -> None:
        super().__init__(id=id)
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
        self.clock = clock
        """Seconds from an arbitrary start; injected by tests to freeze or jump time."""
        self.cursor_blink = cursor_blink
        self.suggest_name = suggest_name
        """Fill the name in from $SEQ2ADD_PLAYER or the login (not for browser visitors)."""
        self.player = ""
        """The name the next score is saved under."""
        self.round: QuizRound | None = None
        """The round being played, or just finished."""
        self.state = "empty"
        """``empty`` (no opponent), ``lobby``, ``question``, ``reveal``, ``final``, ``board``."""
        self._asked_at = 0.0
        self._hidden_at: float | None = None
        """When the clock stopped, while the question is out of sight."""
        self._out_of_sight: set[str] = set()
        """Why the question can't be seen: ``hidden`` (another tab), ``covered`` (a dialog)."""
        self._timer: Timer | None = None
        self._board_return = "lobby"
        self._last_saved: Score | None = None
        self._shown_answer_message = ""

    # -- layout ------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("", id="quiz-status")
        with ContentSwitcher(initial="quiz-empty"):
            yield Static("Load a model in the Models panel to play against it.", id="quiz-empty")
            with VerticalScroll(id="quiz-lobby"):
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
                        validators=[_NameValidator()],
                        validate_on=["submitted"],
                    )
                    name.border_title = "Your name"
                    yield name
                    count = Input(
                        str(self.questions),
                        type="integer",
                        id="questions",
                        validators=[
                            Number(
                                1,
                                MAX_QUESTIONS,
                                failure_description=(
                                    f"A round has 1 to {MAX_QUESTIONS} questions."
                                ),
                            )
                        ],
                        validate_on=["submitted"],
                    )
                    count.border_title = "Questions"
                    yield count
                    seconds = Input(
                        f"{self.seconds:g}",
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
                with RadioSet(id="difficulty"):
                    for key in DIFFICULTIES:
                        yield RadioButton(key, value=key == self.difficulty, name=key)
                yield Static("", id="difficulty-help")
                with Horizontal(id="lobby-buttons"):
                    yield Button("Start round", variant="primary", id="start")
                    yield Button("Leaderboard", id="show-board")
                yield Static("", id="lobby-top")
                yield Static(
                    "Enter starts · Tab moves between fields · Ctrl+Q quits", classes="hint"
                )
            with Vertical(id="quiz-question"):
                yield BigText(id="question-expression")
                yield Static("", id="question-waiting")
                with Horizontal(id="answer-row"):
                    yield AnswerInput(id="answer")
                yield Static("", id="answer-message", classes="message")
                yield Countdown(id="countdown")
                yield Static("Enter submits · Esc passes", id="question-hint", classes="hint")
            with Vertical(id="quiz-reveal"):
                yield BigText(id="reveal-expression")
                yield Static("", id="reveal-verdict")
                with Horizontal(id="reveal-columns"):
                    for key in ("truth", "player", "model"):
                        yield AnswerCard(id=f"card-{key}")
                yield ConfidenceStrip(id="confidence")
                yield KeyTarget("", id="reveal-hint", classes="hint")
            with VerticalScroll(id="quiz-final"), Vertical(id="final-card"):
                yield Static("", id="final-headline")
                yield Static("", id="final-table")
                yield Static("", id="final-mistakes")
                yield Static("", id="final-saved")
                yield KeyTarget(
                    "R replay the same questions · N new round · L leaderboard · S settings",
                    id="final-hint",
                    classes="hint",
                )
            with Vertical(id="quiz-board"):
                yield LeaderboardView(id="board-view")
                yield Static(
                    "Esc back · A this model / every model · N new round · S settings",
                    classes="hint",
                )

    def on_mount(self) -> None:
        self.query_one(AnswerInput).cursor_blink = self.cursor_blink
        for field in self.query(Input):
            field.cursor_blink = self.cursor_blink
        app_player = getattr(self.app, "player_name", None)
        self.player = app_player or (suggested_player_name() if self.suggest_name else "")
        self.query_one("#player-name", Input).value = self.player
        self._timer = self.set_interval(TICK_S, self._tick, pause=True)
        # Looked up once: the question and reveal screens are redrawn on every answer.
        self._status = self.query_one("#quiz-status", Static)
        self._switcher = self.query_one(ContentSwitcher)
        self._countdown = self.query_one(Countdown)
        self._answer = self.query_one(AnswerInput)
        self._show_difficulty_help()
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
        in_play = self.is_mounted and self.state in ("question", "reveal")
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
            self._switch("empty")
            return
        if not changed and self.state == "lobby":
            self._show_opponent()  # the same model, perhaps saved under a name since
        elif changed or self.state == "empty":
            abandoned = self.state in ("question", "reveal")
            self._stop_clock()
            self.round = None
            self._enter_lobby()
            if abandoned:
                self._lobby_message(
                    f"The opponent changed to {self.opponent_name}; the round was abandoned."
                )

    # -- state -------------------------------------------------------------------------------------

    def _switch(self, state: str) -> None:
        self.state = state
        self._switcher.current = f"quiz-{state}"
        self._status.display = state in ("question", "reveal")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        state = self.state
        allowed = {
            "advance": state == "reveal",
            "pass_question": state == "question",
            "back": state == "board",
            "replay": state == "final",
            "new_round": state in ("final", "board") and self._opponent is not None,
            "leaderboard": state in ("final", "lobby") and self._opponent is not None,
            "all_models": state == "board",
            "settings": state in ("final", "board") and self._opponent is not None,
        }
        return allowed.get(action, True)

    def _db_path(self) -> Path | None:
        return getattr(self.app, "db_path", None)

    # -- lobby -------------------------------------------------------------------------------------

    def _enter_lobby(self) -> None:
        self._switch("lobby")
        self._show_opponent()
        self._lobby_message("")
        self._load_lobby_top()
        self.focus_current()

    def focus_current(self) -> None:
        """Give the keyboard to the control this screen is played with (e.g. on returning)."""
        if self.state == "lobby":
            named = self.query_one("#player-name", Input).value.strip()
            target = "#start" if named else "#player-name"
        else:
            target = {
                "question": "#answer",
                "reveal": "#reveal-hint",
                "final": "#final-hint",
                "board": "#board-table",
            }.get(self.state, "")
        if target:
            self.query_one(target).focus()

    def _offer_levels(self) -> None:
        """Offer only the difficulties the opponent can play; fall back to full otherwise."""
        if self._opponent is None:
            return
        for button in self.query("#difficulty RadioButton").results(RadioButton):
            button.disabled = bool(self._unplayable(button.name or ""))
        if self._unplayable(self.difficulty):
            self.difficulty = DEFAULT_DIFFICULTY
            for button in self.query("#difficulty RadioButton").results(RadioButton):
                if button.name == DEFAULT_DIFFICULTY:
                    button.value = True
        self._show_difficulty_help()

    def _unplayable(self, level: str) -> str:
        if self._opponent is None:
            return ""
        return unplayable_reason(self._opponent, level, level_scores(self._opponent))

    def _show_opponent(self) -> None:
        self._offer_levels()
        spec = self._opponent.spec if self._opponent else None
        problem = spec.describe() if spec else ""
        self.query_one("#lobby-opponent", Static).update(
            Content.from_markup(
                "Your opponent: [b]$name[/b] [dim]($problem)[/]",
                name=self.opponent_name,
                problem=problem,
            )
        )

    def _lobby_message(self, text: str) -> None:
        self.query_one("#lobby-message", Static).update(Content(text))

    def _show_difficulty_help(self) -> None:
        text = f"{self.difficulty}: {DIFFICULTIES[self.difficulty]}"
        shut = [level for level in DIFFICULTIES if self._unplayable(level)]
        if shut:
            opponent_scores = level_scores(self._opponent) if self._opponent else {}
            scores = ", ".join(f"{level} {opponent_scores[level]:.0%}" for level in shut)
            text += f"\nNot offered against {self.opponent_name}, too few right: {scores}."
        self.query_one("#difficulty-help", Static).update(Content(text))

    @on(RadioSet.Changed, "#difficulty")
    def _difficulty_chosen(self, event: RadioSet.Changed) -> None:
        self.difficulty = event.pressed.name or DEFAULT_DIFFICULTY
        self._show_difficulty_help()

    @on(Input.Submitted, "#player-name, #questions, #seconds")
    def _lobby_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._start_from_lobby()

    @on(Button.Pressed, "#start")
    def _start_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self._start_from_lobby()

    @on(Button.Pressed, "#show-board")
    def _board_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_leaderboard()

    def _start_from_lobby(self) -> None:
        """Check the lobby's fields; start a round or say what to fix."""
        name_field = self.query_one("#player-name", Input)
        checks = [
            (name_field, name_field.validate(name_field.value)),
            (count := self.query_one("#questions", Input), count.validate(count.value)),
            (secs := self.query_one("#seconds", Input), secs.validate(secs.value)),
        ]
        for field, result in checks:
            if result is not None and not result.is_valid:
                self._lobby_message(result.failure_descriptions[0])
                field.focus()
                return
        self.player = check_player_name(name_field.value)
        name_field.value = self.player
        self.questions = int(count.value)
        self.seconds = float(secs.value)
        self.start_round()

    def _load_lobby_top(self) -> None:
        if self._opponent is not None:
            self._read_top(self._db_path(), self.opponent_name)

    @work(thread=True, exclusive=True, group="lobby-top", exit_on_error=False)
    def _read_top(self, db_path: Path | None, model: str) -> None:
        try:
            with Leaderboard(db_path) as board:
                self.post_message(self.TopScoresRead(model, board.top(model, 3), None))
        except LeaderboardError as error:
            self.post_message(self.TopScoresRead(model, [], str(error)))

    @on(TopScoresRead)
    def _show_lobby_top(self, message: TopScoresRead) -> None:
        message.stop()
        if message.model != self.opponent_name:
            return  # read for an earlier opponent
        target = self.query_one("#lobby-top", Static)
        scores = message.scores
        if message.error is not None:
            target.update(Content(message.error))
        elif not scores:
            target.update(Content(f"No scores on {self.opponent_name} yet: be the first."))
        else:
            parts = " · ".join(
                f"{place}. {s.player} {s.player_score:,}" for place, s in enumerate(scores, 1)
            )
            target.update(Content(f"Top scores: {parts}"))

    # -- a round -----------------------------------------------------------------------------------

    def _take_next_opponent(self) -> bool:
        """Bring in the model that became current during the last round, if any."""
        if self._next_opponent is None:
            return False
        self._opponent, self._next_opponent = self._next_opponent, None
        self._show_opponent()
        return True

    def start_round(self, seed: int | None = None, *, replay: bool = False) -> None:
        """Start a new round (or replay the last one) against the current opponent."""
        if self._take_next_opponent():
            replay = False  # the last round's questions may not fit the new model's problem
        if self._opponent is None:
            return
        if not self.player:
            self._enter_lobby()
            self._lobby_message("Type a name for the leaderboard, then press Enter.")
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
            self._lobby_message(str(error))
            return
        self._last_saved = None
        self.query_one(AnswerInput).max_digits = self.round.max_digits
        self._ask()

    def _ask(self) -> None:
        with self.app.batch_update():  # one frame for the whole new screen
            self._show_question()

    def _show_question(self) -> None:
        round_ = self.round
        assert round_ is not None
        question = round_.current
        self._switch("question")
        self.query_one("#question-expression", BigText).text = f"{spaced(question.expression)} = ?"
        self.query_one("#question-waiting", Static).update(
            Content.assemble((self.opponent_name, "bold"), " has answered. Your turn.")
        )
        answer = self._answer
        answer.value = ""
        answer.focus()
        self._answer_message("")
        self._update_status()
        self._asked_at = self.clock()
        self._hidden_at = self._asked_at if self._out_of_sight else None
        self._countdown.show(round_.seconds, round_.seconds)
        if self._timer is not None:
            self._timer.resume()

    def elapsed_s(self) -> float:
        """Seconds the current question has been on screen."""
        return max(0.0, self.clock() - self._asked_at)

    def _tick(self) -> None:
        # A dialog over the quiz (help, a confirmation) stops the clock like a tab switch does.
        if self.screen is not self.app.screen:
            self._lose_sight("covered")
            return
        self._regain_sight("covered")
        if self.state != "question" or self.round is None or self._hidden_at is not None:
            return
        remaining = self.round.seconds - self.elapsed_s()
        self._countdown.show(remaining, self.round.seconds)
        if remaining <= 0:
            self._reveal(self.round.time_out())

    def _stop_clock(self) -> None:
        if self._timer is not None:
            self._timer.pause()

    def on_hide(self, event: Hide) -> None:
        # In the main app the quiz is one tab of several: the clock stops while it's out of view.
        self._lose_sight("hidden")

    def on_show(self, event: Show) -> None:
        self._regain_sight("hidden")

    def _lose_sight(self, reason: str) -> None:
        if not self._out_of_sight and self.state == "question":
            self._hidden_at = self.clock()
        self._out_of_sight.add(reason)

    def _regain_sight(self, reason: str) -> None:
        self._out_of_sight.discard(reason)
        if not self._out_of_sight and self._hidden_at is not None:
            self._asked_at += self.clock() - self._hidden_at
            self._hidden_at = None

    @on(AnswerInput.Refused)
    def _refused(self, event: AnswerInput.Refused) -> None:
        event.stop()
        self._answer_message(event.reason)

    @on(Input.Changed, "#answer")
    def _typing(self, event: Input.Changed) -> None:
        event.stop()
        self._answer_message("")

    @on(Input.Submitted, "#answer")
    def _answered(self, event: Input.Submitted) -> None:
        event.stop()
        if self.state != "question" or self.round is None:
            return
        result = event.validation_result
        if result is not None and not result.is_valid:
            self._answer_message(result.failure_descriptions[0])
            return
        elapsed = self.elapsed_s()
        if elapsed > self.round.seconds:
            self._reveal(self.round.time_out())
            return
        try:
            self._reveal(self.round.submit(event.value, elapsed))
        except AnswerError as error:
            self._answer_message(str(error))

    def _answer_message(self, text: str) -> None:
        """Say why an answer isn't taken (or clear it); unchanged text costs no repaint."""
        if text != self._shown_answer_message:
            self._shown_answer_message = text
            self.query_one("#answer-message", Static).update(Content(text))

    def action_pass_question(self) -> None:
        if self.state == "question" and self.round is not None:
            self._reveal(self.round.pass_question(self.elapsed_s()))

    def action_back(self) -> None:
        if self.state == "board":
            self._leave_board()

    def _reveal(self, result: Result) -> None:
        with self.app.batch_update():  # one frame for the whole new screen
            self._show_reveal(result)

    def _show_reveal(self, result: Result) -> None:
        self._stop_clock()
        round_ = self.round
        assert round_ is not None
        self._switch("reveal")
        self.query_one("#reveal-hint").focus()
        question = result.question
        self.query_one(
            "#reveal-expression", BigText
        ).text = f"{spaced(question.expression)} = {question.answer}"
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
        self.query_one("#reveal-verdict", Static).update(Content.from_markup(verdict))
        self._fill_card("truth", "Truth", str(question.answer), None, "")
        player_value = result.player_text or "–"
        self._fill_card(
            "player",
            self.player or "You",
            player_value,
            result.player_correct,
            _points_text(result.player_points),
            "passed" if result.passed else "out of time" if result.timed_out else "wrong",
        )
        model_text = result.model.text.strip() or "?"
        self._fill_card(
            "model",
            self.opponent_name,
            model_text,
            result.model_correct,
            _points_text(result.model_points),
        )
        self.query_one(ConfidenceStrip).show(result.model.characters, result.model.confidence)
        self._update_status()
        last = round_.finished
        self.query_one("#reveal-hint", Static).update(
            "Enter: see who won" if last else "Enter: next question"
        )

    def _fill_card(
        self,
        key: str,
        title: str,
        value: str,
        correct: bool | None,
        points: str,
        missed: str = "wrong",
    ) -> None:
        self.query_one(f"#card-{key}", AnswerCard).show(title, value, correct, points, missed)

    def _update_status(self) -> None:
        round_ = self.round
        if round_ is None:
            return
        number = round_.number if self.state == "question" else len(round_.results)
        # Assembled rather than parsed from markup: this runs on every answer.
        self._status.update(
            Content.assemble(
                "Question ",
                (str(number), "bold"),
                f"/{len(round_.questions)}   ",
                (_short(self.player or "You", 16), "bold"),
                f" {round_.player_score:,} ",
                (f"streak {round_.player_streak}", "dim"),
                "   ",
                (_short(self.opponent_name, 20), "bold"),
                f" {round_.model_score:,} ",
                (f"streak {round_.model_streak}", "dim"),
            )
        )

    def action_advance(self) -> None:
        if self.state != "reveal" or self.round is None:
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
        self._switch("final")
        self.query_one("#final-hint").focus()
        headline = self.query_one("#final-headline", Static)
        headline.set_class(summary.winner == "player", "-won")
        headline.set_class(summary.winner == "model", "-lost")
        you = self.player or "You"
        sentence = outcome_sentence(summary, you, self.opponent_name)
        if summary.winner == "player" and summary.model_correct == summary.questions:
            sentence += "\nYou beat a perfect model: you were as accurate and quick."
        elif summary.winner == "model" and summary.player_correct == summary.questions:
            sentence += "\nAll right, but the model's streak bonuses won."
        headline.update(Content(sentence))
        self.query_one("#final-table", Static).update(_score_table(summary, you, self))
        self.query_one("#final-mistakes", Static).update(_mistakes_text(summary, self))
        saved = self.query_one("#final-saved", Static)
        saved.remove_class("-error")
        self.post_message(self.RoundFinished(self, summary))
        if not round_.predictor.name:
            # Rounds against different unsaved models would share one name on the leaderboard.
            saved.update(
                "Not saved: save this model in the library to put its rounds on the board."
            )
            return
        saved.update("Saving your score…")
        self._save(self._db_path(), self._score_of(round_, summary))

    def _score_of(self, round_: QuizRound, summary: Summary) -> Score:
        return Score(
            player=self.player,
            model=self.opponent_name,
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

    @work(thread=True, group="save-score", exit_on_error=False)
    def _save(self, db_path: Path | None, score: Score) -> None:
        # SQLite may wait on another writer for a while: never on the UI thread.
        try:
            with Leaderboard(db_path) as board:
                saved = board.record(score)
                rank = board.rank(saved)
        except (LeaderboardError, PlayerNameError) as error:
            self.post_message(self.ScoreSaved(self, None, None, str(error)))
            return
        self.post_message(self.ScoreSaved(self, saved, rank, None))

    def on_quiz_panel_score_saved(self, message: ScoreSaved) -> None:
        saved = self.query_one("#final-saved", Static)
        if message.error is not None:
            saved.add_class("-error")
            saved.update(Content(f"Not saved: {message.error}"))
            return
        self._last_saved = message.score
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

    def action_replay(self) -> None:
        if self.state == "final":
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

    def action_leaderboard(self, model: str | None = "") -> None:
        if self._opponent is None:
            return
        if self.state != "board":
            self._board_return = self.state
        self._switch("board")
        self.query_one("#board-table").focus()
        target = self.opponent_name if model == "" else model
        highlight = self._last_saved.id if self._last_saved is not None else None
        self.query_one(LeaderboardView).load(self._db_path(), target, highlight)

    def action_all_models(self) -> None:
        view = self.query_one(LeaderboardView)
        self.action_leaderboard(None if view.model is not None else "")

    def _leave_board(self) -> None:
        if self._board_return == "final" and self.round is not None and self.round.finished:
            self._switch("final")
            self.query_one("#final-hint").focus()
        else:
            self._enter_lobby()


class _NameValidator(Validator):
    """A leaderboard name: printable, at most 24 characters."""

    def validate(self, value: str) -> ValidationResult:
        problem = name_problem(value)
        return self.success() if problem is None else self.failure(problem)


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _points_text(points: Points) -> str:
    """``+180`` over a dim line of the bonuses, e.g. ``+50 streak +30 time``."""
    bonuses = " ".join(
        f"+{value} {label}"
        for value, label in ((points.streak, "streak"), (points.time, "time"))
        if value
    )
    total = f"[b]+{points.total}[/b]"
    return f"{total}\n[dim]{bonuses}[/]" if bonuses else total


def _score_table(summary: Summary, you: str, panel: QuizPanel) -> Content:
    head = f"{'':<22}{'score':>8}{'right':>9}{'best streak':>13}"
    rows = [
        (you, summary.player_score, summary.player_correct, summary.player_best_streak),
        (
            panel.opponent_name,
            summary.model_score,
            summary.model_correct,
            summary.model_best_streak,
        ),
    ]
    body = "\n".join(
        f"{_short(who, 20):<22}{score:>8,}{f'{right}/{summary.questions}':>9}{streak:>13}"
        for who, score, right, streak in rows
    )
    return Content.from_markup("[dim]$head[/]\n$body", head=head, body=body)


def _mistakes_text(summary: Summary, panel: QuizPanel) -> Content:
    name = panel.opponent_name
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
    return f"least sure of '{shown_symbol(character)}': {confidence[index]:.0%}"
