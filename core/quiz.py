"""The rules of "Beat the model": rounds of questions, answer checking and fair scoring.

A round is a seeded list of questions drawn from the opponent's own problem (never outside what
it was trained on). The person and the model answer each question; the model through the numpy
`Predictor`, so nothing here imports TensorFlow or Textual, and the UI only shows what this
module decides.

Scoring (the same for both players, except the time bonus):

- a right answer is worth `BASE_POINTS`;
- a streak of right answers earns `STREAK_STEP` more per answer after the first, up to
  `MAX_STREAK_BONUS` a question;
- the person also earns up to `MAX_TIME_BONUS` for answering quickly, in proportion to the time
  left on the clock.

The model gets no time bonus. It answers in well under a millisecond, so any time bonus would
always be the maximum and a person could never win against a perfect model; without one, a
person who is as accurate as the model wins by being quick, and one who is less accurate loses
(the time bonus is small next to a right answer). Accuracy decides, speed breaks the tie: the
game a person can hope to win.
"""

from __future__ import annotations

import math
import re
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from core.data import generate
from core.errors import UserError
from core.leaderboard import Outcome
from core.percent import ROUGH, percent
from core.spec import ProblemSpec, digit_count

if TYPE_CHECKING:
    from core.infer import Answer, Predictor

BASE_POINTS = 100
"""Points for a right answer."""
STREAK_STEP = 10
"""Extra points per right answer in a row, after the first."""
MAX_STREAK_BONUS = 50
"""The streak bonus stops growing here (reached on the sixth right answer in a row)."""
MAX_TIME_BONUS = 20
"""A person's bonus for an instant answer; it falls linearly to 0 as the clock runs out.

Kept well below `BASE_POINTS`, so a wrong answer (which costs its 100 points and the streak)
can't be bought back by speed on the other questions, short of instant answers to all of them.
"""

DEFAULT_QUESTIONS = 10
DEFAULT_SECONDS = 20.0
MIN_SECONDS = 2.0
MAX_SECONDS = 600.0
MAX_QUESTIONS = 100

DIFFICULTIES: dict[str, str] = {
    "full": "the model's whole problem, as it was trained",
    "easy": "small numbers and the fewest terms",
    "medium": "numbers up to about two thirds of the range, a middling number of terms",
    "ramp": "starts easy and ends on the whole problem",
}
"""Every difficulty by name, with what it means; all stay inside the model's problem."""
DEFAULT_DIFFICULTY = "full"

_FRACTIONS = {"easy": 1 / 3, "medium": 2 / 3, "full": 1.0}

_ANSWER = re.compile(r"-?[0-9]+")


class QuizError(UserError, ValueError):
    """A round can't be set up as asked; the message is one sentence to show."""


class AnswerError(UserError, ValueError):
    """A typed answer is not a whole number; the message says what a valid one looks like."""


# -- questions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """One question of a round."""

    expression: str
    """As shown to the player, e.g. ``13+6+10``."""
    answer: int
    """The true value."""


def level_caps(spec: ProblemSpec, fraction: float) -> tuple[int, int]:
    """(largest operand, most terms) for a difficulty ``fraction`` in (0, 1] of ``spec``.

    Numbers shrink both by digits (as in training's curriculum) and linearly within the range,
    whichever is smaller, so even a 1–10 problem has a distinct easy level (1–4). The caps never
    go below the spec's own lower limits: every question stays one the model was trained on.
    """
    if not 0 < fraction <= 1:
        raise QuizError(f"a difficulty fraction must be in (0, 1], not {fraction}.")
    if fraction >= 1:
        return spec.largest, spec.max_terms
    digits = digit_count(spec.largest)
    by_digits = min(10 ** max(1, math.ceil(fraction * digits)) - 1, spec.largest)
    linear = spec.smallest + math.ceil(fraction * (spec.largest - spec.smallest))
    largest = max(min(by_digits, linear), spec.smallest, spec.divisor_floor)
    terms = spec.min_terms + math.floor(fraction * (spec.max_terms - spec.min_terms) + 0.5)
    if spec.operators == "/":
        # Whole division chains need room; easing them could make a question impossible.
        largest = spec.largest
    return min(largest, spec.largest), min(terms, spec.max_terms)


def difficulty_fractions(difficulty: str, count: int) -> np.ndarray:
    """The difficulty fraction of each of ``count`` questions."""
    if difficulty not in DIFFICULTIES:
        raise QuizError(
            f"{difficulty!r} is not a difficulty; choose one of {', '.join(DIFFICULTIES)}."
        )
    if difficulty == "ramp":
        return np.linspace(1 / 3, 1.0, count) if count > 1 else np.ones(1)
    return np.full(count, _FRACTIONS[difficulty])


def make_questions(
    spec: ProblemSpec,
    count: int = DEFAULT_QUESTIONS,
    seed: int | None = None,
    difficulty: str = DEFAULT_DIFFICULTY,
) -> list[Question]:
    """``count`` questions of ``spec`` at ``difficulty``; the same seed gives the same round.

    Questions within a round differ from one another whenever the problem has enough of them.
    """
    if not 1 <= count <= MAX_QUESTIONS:
        raise QuizError(f"a round has 1 to {MAX_QUESTIONS} questions, not {count}.")
    fractions = difficulty_fractions(difficulty, count)
    caps = [level_caps(spec, float(f)) for f in fractions]
    # Draw several candidates per question and keep the first unseen one, so a round rarely
    # repeats itself even on a small problem.
    per_question = 8
    rows = np.repeat(np.arange(count), per_question)
    batch = generate(
        spec,
        count * per_question,
        seed,
        largest_per_row=np.array([caps[i][0] for i in rows], np.int64),
        max_terms_per_row=np.array([caps[i][1] for i in rows], np.int64),
    )
    expressions = batch.expressions
    answers = batch.answers.tolist()
    seen: set[str] = set()
    questions: list[Question] = []
    for index in range(count):
        candidates = range(index * per_question, (index + 1) * per_question)
        chosen = next((c for c in candidates if expressions[c] not in seen), candidates[0])
        seen.add(expressions[chosen])
        questions.append(Question(expressions[chosen], int(answers[chosen])))
    return questions


PLAYABLE_EXACT = 0.9
"""A difficulty is offered only where the model gets at least this share of its questions right."""

LEVEL_PROBES = 2
"""Rounds of `MAX_QUESTIONS` drawn per difficulty to score it (a fifth of a second at most)."""


_LEVEL_SCORES: weakref.WeakKeyDictionary[Predictor, dict[str, float]] = weakref.WeakKeyDictionary()
"""`level_scores` per loaded model: fixed questions, so computed once (the CLI checks a level,
then the quiz panel offers them, in the same process)."""


def level_scores(predictor: Predictor) -> dict[str, float]:
    """The model's exact-match on each difficulty, from a few fixed rounds of each.

    Every level stays inside the model's problem, but inside is not always familiar: a model
    that learned from uniform draws of 9-digit numbers has hardly seen 7+8, and misreads it.
    """
    if predictor not in _LEVEL_SCORES:
        _LEVEL_SCORES[predictor] = _score_levels(predictor)
    return _LEVEL_SCORES[predictor]


def _score_levels(predictor: Predictor) -> dict[str, float]:
    drawn = {
        level: [
            question
            for seed in range(LEVEL_PROBES)
            for question in make_questions(predictor.spec, MAX_QUESTIONS, seed, level)
        ]
        for level in DIFFICULTIES
    }
    questions = [question for level in DIFFICULTIES for question in drawn[level]]
    answers = iter(predictor.answer_many([question.expression for question in questions]))
    return {
        level: sum(next(answers).correct for _ in drawn[level]) / len(drawn[level])
        for level in DIFFICULTIES
    }


def unplayable_reason(predictor: Predictor, difficulty: str, scores: dict[str, float]) -> str:
    """Why ``difficulty`` isn't offered against ``predictor`` ("" if it is)."""
    score = scores[difficulty]
    if score >= PLAYABLE_EXACT:
        return ""
    name = predictor.name or "this model"
    return (
        f"{name} gets only {percent(score, ROUGH)} of {difficulty} questions right: it learned "
        "from the whole range, where such numbers are rare. Play full."
    )


# -- answers and points ----------------------------------------------------------------------------


def answer_problem(text: str, max_digits: int | None = None) -> str | None:
    """Why ``text`` is not a valid answer, or None if it is one.

    Used while the player types, so partial input such as ``-`` gets a helpful sentence.
    """
    value = text.strip()
    if not value:
        return "Type your answer: digits, with a minus in front if it is negative."
    if value == "-":
        return "A minus needs digits after it."
    if not _ANSWER.fullmatch(value):
        bad = next((c for c in value if c not in "-0123456789"), None)
        if bad is not None:
            return f"{bad!r} can't be part of an answer; use digits and a leading minus."
        return "A minus can only come first."
    if max_digits is not None and len(value.lstrip("-")) > max_digits:
        return f"Answers to this problem have at most {max_digits} digits."
    return None


def parse_answer(text: str, max_digits: int | None = None) -> int:
    """The whole number typed, or AnswerError with the reason it isn't one."""
    problem = answer_problem(text, max_digits)
    if problem is not None:
        raise AnswerError(problem)
    return int(text.strip())


def streak_bonus(streak: int) -> int:
    """Bonus for the ``streak``-th right answer in a row (0 for the first)."""
    if streak <= 1:
        return 0
    return min(STREAK_STEP * (streak - 1), MAX_STREAK_BONUS)


def time_bonus(elapsed_s: float, limit_s: float) -> int:
    """A person's bonus for answering after ``elapsed_s`` of ``limit_s`` seconds."""
    if limit_s <= 0:
        return 0
    left = min(max(limit_s - elapsed_s, 0.0), limit_s)
    return round(MAX_TIME_BONUS * left / limit_s)


@dataclass(frozen=True)
class Points:
    """Points one side earned on one question, and why."""

    base: int = 0
    streak: int = 0
    time: int = 0

    @property
    def total(self) -> int:
        """All points of the question."""
        return self.base + self.streak + self.time


def points_for(correct: bool, streak: int, time: int = 0) -> Points:
    """Points for an answer, given the streak it makes (1 for a first right answer)."""
    if not correct:
        return Points()
    return Points(BASE_POINTS, streak_bonus(streak), time)


# -- a round ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """What happened on one question."""

    number: int
    """1-based position in the round."""
    question: Question
    player_text: str
    """What the player typed ('' if the clock ran out or they passed)."""
    player_correct: bool
    timed_out: bool
    """The clock ran out before the player answered."""
    passed: bool
    """The player gave up on the question."""
    elapsed_s: float
    """Seconds the player took."""
    model: Answer
    """The model's answer with its per-character confidence."""
    player_points: Points
    model_points: Points
    player_streak: int
    """Right answers in a row after this question."""
    model_streak: int

    @property
    def model_correct(self) -> bool:
        """Whether the model's whole answer is right."""
        return self.model.text == str(self.question.answer)


@dataclass(frozen=True)
class Summary:
    """The end of a round: who won, by how much, and where the model slipped."""

    player_score: int
    model_score: int
    player_correct: int
    model_correct: int
    questions: int
    player_best_streak: int
    model_best_streak: int
    model_mistakes: tuple[Result, ...]
    player_mistakes: tuple[Result, ...]
    seconds_played: float
    """Total time the player spent answering."""

    @property
    def outcome(self) -> Outcome:
        """How the round went for the player (as the leaderboard records it)."""
        return Outcome.of(self.player_score, self.model_score)


@dataclass
class QuizRound:
    """A round in play: ask `current`, then `submit`, `pass_question` or `time_out`.

    The model's answers are computed in one batch when the round starts (a single numpy forward
    pass), and revealed one question at a time.
    """

    predictor: Predictor
    questions: list[Question]
    seconds: float = DEFAULT_SECONDS
    """Time allowed per question."""
    difficulty: str = DEFAULT_DIFFICULTY
    seed: int | None = None
    results: list[Result] = field(default_factory=list)
    _model_answers: list[Answer] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if not self.questions:
            raise QuizError("a round needs at least one question.")
        if not MIN_SECONDS <= self.seconds <= MAX_SECONDS:
            raise QuizError(
                f"a question's time limit must be {MIN_SECONDS:g} to {MAX_SECONDS:g} seconds, "
                f"not {self.seconds:g}."
            )
        self._model_answers = self.predictor.answer_many([q.expression for q in self.questions])

    @classmethod
    def start(
        cls,
        predictor: Predictor,
        count: int = DEFAULT_QUESTIONS,
        seconds: float = DEFAULT_SECONDS,
        difficulty: str = DEFAULT_DIFFICULTY,
        seed: int | None = None,
    ) -> QuizRound:
        """A new round of ``count`` questions of the predictor's own problem."""
        if seed is None:
            seed = int(np.random.SeedSequence().entropy % 2**32)
        questions = make_questions(predictor.spec, count, seed, difficulty)
        return cls(predictor, questions, seconds, difficulty, seed)

    def replay(self) -> QuizRound:
        """The same questions again, from the start."""
        return QuizRound(
            self.predictor, list(self.questions), self.seconds, self.difficulty, self.seed
        )

    @property
    def max_digits(self) -> int:
        """The most digits a right answer can have."""
        low, high = self.predictor.spec.answer_range
        return max(digit_count(low), digit_count(high))

    @property
    def finished(self) -> bool:
        """Every question has been answered, passed or timed out."""
        return len(self.results) >= len(self.questions)

    @property
    def number(self) -> int:
        """1-based number of the current question (or of the last one when finished)."""
        return min(len(self.results) + 1, len(self.questions))

    @property
    def current(self) -> Question:
        """The question being asked."""
        if self.finished:
            raise QuizError("the round is over.")
        return self.questions[len(self.results)]

    @property
    def player_score(self) -> int:
        return sum(r.player_points.total for r in self.results)

    @property
    def model_score(self) -> int:
        return sum(r.model_points.total for r in self.results)

    @property
    def player_streak(self) -> int:
        return self.results[-1].player_streak if self.results else 0

    @property
    def model_streak(self) -> int:
        return self.results[-1].model_streak if self.results else 0

    def submit(self, text: str, elapsed_s: float) -> Result:
        """Record the player's typed answer (raises AnswerError if it is not a number)."""
        value = parse_answer(text, self.max_digits)
        timed_out = elapsed_s > self.seconds
        correct = value == self.current.answer and not timed_out
        return self._record(text.strip(), correct, elapsed_s, timed_out=timed_out, passed=False)

    def time_out(self) -> Result:
        """The clock ran out: no answer, no points, the streak ends."""
        return self._record("", False, self.seconds, timed_out=True, passed=False)

    def pass_question(self, elapsed_s: float) -> Result:
        """The player gives up on this question."""
        return self._record("", False, min(elapsed_s, self.seconds), timed_out=False, passed=True)

    def _record(
        self, text: str, correct: bool, elapsed_s: float, *, timed_out: bool, passed: bool
    ) -> Result:
        question = self.current
        model = self._model_answers[len(self.results)]
        model_correct = model.correct
        player_streak = self.player_streak + 1 if correct else 0
        model_streak = self.model_streak + 1 if model_correct else 0
        bonus = time_bonus(elapsed_s, self.seconds) if correct else 0
        result = Result(
            number=len(self.results) + 1,
            question=question,
            player_text=text,
            player_correct=correct,
            timed_out=timed_out,
            passed=passed,
            elapsed_s=max(0.0, min(elapsed_s, self.seconds)),
            model=model,
            player_points=points_for(correct, player_streak, bonus),
            model_points=points_for(model_correct, model_streak),
            player_streak=player_streak,
            model_streak=model_streak,
        )
        self.results.append(result)
        return result

    def summary(self) -> Summary:
        """Totals so far (the final result once `finished`)."""
        return Summary(
            player_score=self.player_score,
            model_score=self.model_score,
            player_correct=sum(r.player_correct for r in self.results),
            model_correct=sum(r.model_correct for r in self.results),
            questions=len(self.results),
            player_best_streak=max((r.player_streak for r in self.results), default=0),
            model_best_streak=max((r.model_streak for r in self.results), default=0),
            model_mistakes=tuple(r for r in self.results if not r.model_correct),
            player_mistakes=tuple(r for r in self.results if not r.player_correct),
            seconds_played=sum(r.elapsed_s for r in self.results),
        )


def confidence_band(probability: float) -> str:
    """``sure``, ``unsure`` or ``guess``: how to colour a character the model chose."""
    if probability >= 0.9:
        return "sure"
    if probability >= 0.6:
        return "unsure"
    return "guess"


def outcome_sentence(summary: Summary, player: str, model: str) -> str:
    """One line saying who beat whom."""
    if summary.outcome == Outcome.WON:
        return f"{player} beat {model}, {summary.player_score:,} to {summary.model_score:,}!"
    if summary.outcome == Outcome.LOST:
        return f"{model} beat {player}, {summary.model_score:,} to {summary.player_score:,}."
    return f"A draw: {summary.player_score:,} each."
