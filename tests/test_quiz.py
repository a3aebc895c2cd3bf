"""The quiz's rules: rounds inside the model's problem, answer checking and fair scoring."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.data import parse_expression
from core.infer import Answer
from core.presets import PRESETS
from core.quiz import (
    BASE_POINTS,
    DIFFICULTIES,
    MAX_STREAK_BONUS,
    MAX_TIME_BONUS,
    AnswerError,
    QuizError,
    QuizRound,
    answer_problem,
    confidence_band,
    level_caps,
    make_questions,
    outcome_sentence,
    parse_answer,
    streak_bonus,
    time_bonus,
)
from core.spec import ProblemSpec

SPECS = [preset.spec for preset in PRESETS.values()]


class ScriptedModel:
    """A stand-in predictor whose answers are chosen by the test: right unless told otherwise."""

    def __init__(self, spec: ProblemSpec, wrong: set[int] = frozenset(), name: str = "scripted"):
        self.spec = spec
        self.name = name
        self.wrong = wrong
        self.calls = 0

    def answer_many(self, expressions):
        answers = []
        for index, text in enumerate(expressions):
            value = parse_expression(self.spec, text).value
            said = str(value + 1 if index in self.wrong else value)
            answers.append(Answer(text, said, value, tuple(said), tuple(0.9 for _ in said)))
        self.calls += 1
        return answers


# -- questions -------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    spec=st.sampled_from(SPECS),
    difficulty=st.sampled_from(list(DIFFICULTIES)),
    seed=st.integers(0, 2**32 - 1),
    count=st.integers(1, 25),
)
def test_questions_stay_inside_the_models_problem(spec, difficulty, seed, count):
    questions = make_questions(spec, count, seed, difficulty)
    assert len(questions) == count
    for question in questions:
        parsed = parse_expression(spec, question.expression)  # raises if outside the spec
        assert parsed.value == question.answer
        assert parsed.text == question.expression


def test_the_same_seed_asks_the_same_questions():
    spec = ProblemSpec()
    assert make_questions(spec, 10, 5) == make_questions(spec, 10, 5)
    assert make_questions(spec, 10, 5) != make_questions(spec, 10, 6)


def test_a_round_does_not_repeat_itself_when_the_problem_is_big_enough():
    questions = make_questions(ProblemSpec(), 30, 1)
    assert len({q.expression for q in questions}) == 30


def test_tiny_problems_still_fill_a_round():
    spec = ProblemSpec("+", 2, 2, 0, 1)  # only four different sums exist
    questions = make_questions(spec, 10, 3)
    assert len(questions) == 10 and len({q.expression for q in questions}) <= 4


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.describe())
def test_easier_levels_use_smaller_numbers_and_fewer_terms(spec):
    easy, medium, full = (level_caps(spec, f) for f in (1 / 3, 2 / 3, 1.0))
    assert full == (spec.largest, spec.max_terms)
    assert easy[0] <= medium[0] <= full[0] and easy[1] <= medium[1] <= full[1]
    assert spec.smallest <= easy[0] and spec.min_terms <= easy[1]


def test_easy_really_is_easier_on_the_notebook_problem():
    spec = ProblemSpec()
    easy = make_questions(spec, 50, 1, "easy")
    assert max(max(parse_expression(spec, q.expression).operands) for q in easy) <= 4
    ramp = make_questions(spec, 9, 1, "ramp")
    first = parse_expression(spec, ramp[0].expression).operands
    assert max(first) <= 4


def test_unknown_difficulty_and_bad_counts_are_one_sentence():
    with pytest.raises(QuizError, match="is not a difficulty; choose one of full"):
        make_questions(ProblemSpec(), 5, 1, "insane")
    with pytest.raises(QuizError, match="1 to 100 questions"):
        make_questions(ProblemSpec(), 0, 1)
    with pytest.raises(QuizError, match="2 to 600 seconds"):
        QuizRound(ScriptedModel(ProblemSpec()), make_questions(ProblemSpec(), 2, 1), seconds=1)


# -- answers ---------------------------------------------------------------------------------------


@given(st.integers(-(10**9), 10**9))
def test_every_whole_number_is_an_answer(value):
    assert parse_answer(str(value)) == value
    assert parse_answer(f"  {value} ") == value


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "Type your answer"),
        ("   ", "Type your answer"),
        ("-", "A minus needs digits"),
        ("--3", "A minus can only come first"),
        ("3-", "A minus can only come first"),
        ("1.5", "'.' can't be part of an answer"),
        ("+4", "'+' can't be part of an answer"),
        ("12a", "'a' can't be part of an answer"),
    ],
)
def test_invalid_answers_say_why(text, reason):
    assert reason in answer_problem(text)
    with pytest.raises(AnswerError, match=re.escape(reason)):
        parse_answer(text)


def test_answers_longer_than_the_problem_allows_are_refused():
    assert "at most 2 digits" in answer_problem("123", max_digits=2)
    assert answer_problem("-12", max_digits=2) is None


# -- points ----------------------------------------------------------------------------------------


def test_streak_bonus_grows_then_caps():
    assert [streak_bonus(n) for n in range(0, 9)] == [0, 0, 10, 20, 30, 40, 50, 50, 50]
    assert max(streak_bonus(n) for n in range(100)) == MAX_STREAK_BONUS


@given(
    limit=st.floats(2, 600),
    a=st.floats(0, 700, allow_nan=False),
    b=st.floats(0, 700, allow_nan=False),
)
def test_time_bonus_falls_with_time_and_stays_in_range(limit, a, b):
    early, late = sorted((a, b))
    assert 0 <= time_bonus(late, limit) <= time_bonus(early, limit) <= MAX_TIME_BONUS
    assert time_bonus(0, limit) == MAX_TIME_BONUS and time_bonus(limit, limit) == 0


def test_confidence_bands():
    assert [confidence_band(p) for p in (0.99, 0.9, 0.75, 0.6, 0.3)] == [
        "sure",
        "sure",
        "unsure",
        "unsure",
        "guess",
    ]


# -- rounds ----------------------------------------------------------------------------------------


def _round(wrong=frozenset(), count=5, seconds=10.0, seed=4) -> QuizRound:
    spec = ProblemSpec()
    return QuizRound(ScriptedModel(spec, set(wrong)), make_questions(spec, count, seed), seconds)


def test_the_model_answers_every_question_in_one_batch_when_the_round_starts():
    round_ = _round()
    assert round_.predictor.calls == 1
    for question in round_.questions:
        round_.submit(str(question.answer), 1.0)
    assert round_.predictor.calls == 1 and round_.finished


def test_a_perfect_quick_player_beats_a_perfect_model():
    round_ = _round()
    for question in round_.questions:
        round_.submit(str(question.answer), 2.0)  # 8 of 10 s left: 80% of the time bonus
    summary = round_.summary()
    streaks = sum(streak_bonus(n) for n in range(1, 6))
    assert summary.model_score == 5 * BASE_POINTS + streaks
    assert summary.player_score == summary.model_score + 5 * round(0.8 * MAX_TIME_BONUS)
    assert summary.outcome == "won" and not summary.model_mistakes
    assert "beat scripted" in outcome_sentence(summary, "ann", "scripted")


def test_one_slip_loses_to_a_perfect_model_even_when_instant():
    round_ = _round()
    for index, question in enumerate(round_.questions):
        round_.submit(str(question.answer + (index == 2)), 0.0)
    summary = round_.summary()
    assert summary.outcome == "lost" and summary.player_correct == 4
    assert [r.number for r in summary.player_mistakes] == [3]


def test_model_mistakes_are_listed_and_break_its_streak():
    round_ = _round(wrong={1, 3})
    for question in round_.questions:
        round_.submit(str(question.answer), 9.0)
    summary = round_.summary()
    assert [r.number for r in summary.model_mistakes] == [2, 4]
    assert [r.model_streak for r in round_.results] == [1, 0, 1, 0, 1]
    assert summary.model_score == 3 * BASE_POINTS
    assert summary.model_best_streak == 1 and summary.player_best_streak == 5


def test_the_model_gets_no_time_bonus():
    round_ = _round(count=1)
    result = round_.submit(str(round_.current.answer), 0.0)
    assert result.player_points.time == MAX_TIME_BONUS and result.model_points.time == 0


def test_invalid_answers_are_not_recorded():
    round_ = _round()
    with pytest.raises(AnswerError):
        round_.submit("-", 1.0)
    with pytest.raises(AnswerError):
        round_.submit("", 1.0)
    assert round_.results == [] and round_.number == 1


def test_time_out_and_pass_score_nothing_and_end_the_streak():
    round_ = _round()
    round_.submit(str(round_.current.answer), 1.0)
    timed_out = round_.time_out()
    assert timed_out.timed_out and not timed_out.player_correct
    assert timed_out.player_points.total == 0 and timed_out.player_streak == 0
    assert timed_out.elapsed_s == round_.seconds
    passed = round_.pass_question(3.0)
    assert passed.passed and passed.player_points.total == 0


def test_a_right_answer_after_the_clock_ran_out_counts_as_timed_out():
    round_ = _round()
    result = round_.submit(str(round_.current.answer), 10.5)
    assert result.timed_out and not result.player_correct


def test_replay_asks_the_same_questions_from_the_start():
    round_ = _round()
    round_.submit("0", 1.0)
    again = round_.replay()
    assert again.questions == round_.questions and again.results == []
    with pytest.raises(QuizError, match="the round is over"):
        finished = _round(count=1)
        finished.time_out()
        _ = finished.current


def test_a_round_with_the_shipped_model_needs_no_tensorflow():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from core.store import load_predictor\n"
        "from core.quiz import QuizRound\n"
        "r = QuizRound.start(load_predictor('notebook-perfect'), 10, seed=1)\n"
        "for q in r.questions: r.submit(str(q.answer), 1.0)\n"
        "s = r.summary()\n"
        "assert s.model_correct >= 9, s\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"


def test_round_limits_are_checked():
    spec = ProblemSpec()
    with pytest.raises(QuizError, match="at least one question"):
        QuizRound(ScriptedModel(spec), [], 10)
    with pytest.raises(QuizError, match="2 to 600 seconds"):
        QuizRound(ScriptedModel(spec), make_questions(spec, 1, 1), 0.5)
