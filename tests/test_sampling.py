"""Length-balanced sampling: short numbers as often as long ones, for every operator."""

import re

import numpy as np
import pytest

from core.data import generate, length_balanced, length_share, small_problems
from core.spec import ProblemSpec, SpecError

LONG = ProblemSpec("+", 2, 2, 0, 999_999_999, reverse_input=True, align_operands=True)


def digit_histogram(batch) -> np.ndarray:
    """Share of operands with 1, 2, … digits (over the terms each expression has)."""
    present = np.arange(batch.spec.max_terms)[None, :] < batch.n_terms[:, None]
    counts = np.array([len(str(v)) for v in batch.operands[present].tolist()])
    return np.bincount(counts)[1:] / len(counts)


@pytest.mark.parametrize(
    "spec",
    [LONG, ProblemSpec("+", 2, 2, 0, 999), ProblemSpec("+-*", 2, 4, 1, 9_999)],
    ids=["9 digits", "3 digits", "variable terms"],
)
def test_the_balanced_sampler_gives_every_digit_count_the_same_share(spec):
    histogram = digit_histogram(generate(spec, 40_000, seed=5, sampling="length"))
    lengths = len(str(spec.largest))
    assert len(histogram) == lengths
    assert np.abs(histogram - 1 / lengths).max() < 0.01


def test_by_value_short_numbers_are_rare_and_a_mix_sits_between():
    by_value = digit_histogram(generate(LONG, 20_000, seed=1))
    mixed = digit_histogram(generate(LONG, 20_000, seed=1, sampling="mixed:0.5"))
    assert by_value[:5].sum() < 0.001
    assert abs(mixed[:5].sum() - 0.5 * 5 / 9) < 0.02


def test_value_sampling_is_the_default_draw_unchanged():
    spec = ProblemSpec("+-*/", 2, 3, 1, 20)
    default, named = generate(spec, 5_000, seed=3), generate(spec, 5_000, seed=3, sampling="value")
    np.testing.assert_array_equal(default.inputs, named.inputs)
    np.testing.assert_array_equal(default.targets, named.targets)


def test_zero_counts_as_one_digit_and_values_are_uniform_within_a_length():
    rng = np.random.default_rng(0)
    values = length_balanced(rng, 0, 99, (60_000,))
    assert values.min() == 0 and values.max() == 99
    one_digit = np.bincount(values[values < 10], minlength=10) / len(values)
    assert np.abs(one_digit - 0.05).max() < 0.006  # 0–9 share half, a tenth each


@pytest.mark.parametrize(
    "spec",
    [
        ProblemSpec("+-*/", 2, 3, 1, 20),
        ProblemSpec("/", 2, 3, 1, 1000),
        ProblemSpec("*/", 2, 4, 0, 5000),
    ],
)
def test_balanced_divisions_still_come_out_whole(spec):
    batch = generate(spec, 3_000, seed=2, sampling="length")
    for expression, answer in zip(batch.expressions[:500], batch.answers.tolist(), strict=False):
        numbers = [int(n) for n in re.findall(r"\d+", expression)]
        assert all(spec.smallest <= n <= spec.largest for n in numbers)
        assert eval(expression.replace("/", "//")) == answer
    # shorter operands than by value
    assert digit_histogram(batch)[0] > digit_histogram(generate(spec, 3_000, seed=2))[0]


@pytest.mark.parametrize(
    ("text", "share"), [("value", 0.0), ("length", 1.0), ("mixed:0.5", 0.5), ("mixed:.25", 0.25)]
)
def test_sampling_names(text, share):
    assert length_share(text) == share


@pytest.mark.parametrize("text", ["", "lengths", "mixed", "mixed:2", "mixed:-1", "mixed:0.5x"])
def test_bad_sampling_names_are_refused_naming_the_setting(text):
    with pytest.raises(SpecError) as caught:
        length_share(text)
    assert caught.value.field == "sampling"


def test_small_operands_are_enumerated_exactly_or_sampled():
    three_digit = ProblemSpec("+", 2, 2, 0, 999, reverse_input=True, reverse_output=True)
    every = small_problems(three_digit, 50_000, seed=1)
    assert len(every) == 441 and len(set(every.expressions)) == 441
    assert set(every.expressions) == {f"{a}+{b}" for a in range(21) for b in range(21)}
    assert every.inputs.shape[1] == three_digit.input_length
    sampled = small_problems(ProblemSpec("+", 2, 5, 1, 99), 2_000, seed=1)
    assert len(sampled) == 2_000 and sampled.operands.max() <= 20
    assert small_problems(ProblemSpec("+", 2, 2, 30, 99), 100, seed=1) is None
