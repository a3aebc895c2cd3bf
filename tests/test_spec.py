"""The problem specification: defaults, validation messages and derived lengths."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.data import ExpressionError, evaluate_exact
from core.spec import OPERATORS, ProblemSpec, SpecError, parse_terms


def test_default_is_the_notebooks_problem():
    spec = ProblemSpec()
    assert spec.alphabet == "0123456789+ "
    assert (spec.input_length, spec.output_length) == (8, 2)
    assert spec.answer_range == (0, 30)
    assert spec.describe() == "3 terms of 1–10, +"


def test_operators_are_normalised_and_extend_the_alphabet_in_order():
    spec = ProblemSpec(operators="/*-")
    assert spec.operators == "-*/"
    assert spec.alphabet == "0123456789-*/ "
    assert ProblemSpec(operators="*").alphabet == "0123456789* "


def test_spec_round_trips_through_its_dict():
    spec = ProblemSpec("+-", 2, 4, 0, 99, "right", ".", True, True)
    data = spec.to_dict()
    assert data["alphabet"] == spec.alphabet
    assert ProblemSpec.from_dict(data) == spec


@pytest.mark.parametrize(
    ("kwargs", "field", "fragment"),
    [
        ({"min_terms": 0, "max_terms": 0}, "terms", "between 1 and"),
        ({"min_terms": 3, "max_terms": 2}, "terms", "most terms must be between 3"),
        ({"smallest": 11, "largest": 10}, "smallest", "must not exceed largest"),
        ({"operators": "+x"}, "operators", "'x' is not one of them"),
        ({"operators": ""}, "operators", "at least one"),
        ({"largest": 0}, "largest", "between 1 and"),
        ({"smallest": -1}, "smallest", "between 0 and"),
        ({"pad_side": "middle"}, "pad_side", "'left' or 'right'"),
        ({"pad_char": "7"}, "pad_char", "neither a digit"),
        (
            {"operators": "*", "min_terms": 12, "max_terms": 12, "largest": 99_999},
            "largest",
            "digits",
        ),
        ({"operators": "/", "smallest": 5, "largest": 10}, "largest", "whole"),
        ({"operators": "/", "largest": 5000}, "largest", "division-only"),
        ({"operators": "+-", "notebook_lengths": True}, "notebook_lengths", "sums"),
    ],
)
def test_invalid_specs_name_the_field_in_one_sentence(kwargs, field, fragment):
    with pytest.raises(SpecError) as caught:
        ProblemSpec(**kwargs)
    assert caught.value.field == field
    message = str(caught.value)
    assert fragment in message
    assert message.endswith(".") and message.count(". ") == 0


def test_parse_terms():
    assert parse_terms("3") == (3, 3)
    assert parse_terms(" 2 - 5 ") == (2, 5)
    assert parse_terms("2–5") == (2, 5)
    with pytest.raises(SpecError, match="number like 3"):
        parse_terms("three")
    with pytest.raises(SpecError) as caught:
        parse_terms(" 5-2 ")
    assert str(caught.value) == "terms 5-2: the first number must not exceed the second."
    with pytest.raises(SpecError) as caught:
        parse_terms("9" * 5000)  # int() would refuse it with a traceback
    assert str(caught.value).endswith("not '99999999999999999999…'.")


def test_notebook_lengths_follow_the_notebooks_formula():
    # ceil(log10(3 * (3 + 1))) = 2, although 3+3+3 = 9 needs one character.
    spec = ProblemSpec(largest=3, notebook_lengths=True)
    assert (spec.input_length, spec.output_length) == (5, 2)
    assert ProblemSpec(largest=3).output_length == 1


# -- derived lengths are the true maxima -----------------------------------------------------------


def _every_valid_expression(spec):
    """Brute force: every expression of the spec whose divisions are all whole."""
    for terms in spec.term_counts:
        for numbers in itertools.product(range(spec.smallest, spec.largest + 1), repeat=terms):
            for ops in itertools.product(spec.operators, repeat=terms - 1):
                try:
                    value = evaluate_exact(list(numbers), list(ops))
                except ExpressionError:
                    continue
                pairs = zip(ops, numbers[1:], strict=True)
                text = str(numbers[0]) + "".join(o + str(n) for o, n in pairs)
                yield text, value


def _check_against_brute_force(spec):
    found = list(_every_valid_expression(spec))
    assert found, "every accepted spec has valid expressions"
    values = [value for _, value in found]
    assert spec.input_length == max(len(text) for text, _ in found)
    assert spec.output_length == max(len(str(value)) for value in values)
    low, high = spec.answer_range
    assert high == max(values)
    if min(values) < 0:
        assert low == min(values)
    else:
        assert low == 0
    # Negative answers need a minus sign, which only subtraction brings into the alphabet.
    assert min(values) >= 0 or "-" in spec.alphabet


@pytest.mark.parametrize(
    "operators", ["".join(c) for n in range(1, 5) for c in itertools.combinations(OPERATORS, n)]
)
@pytest.mark.parametrize(
    ("smallest", "largest", "terms"),
    [(1, 10, (3, 3)), (0, 4, (1, 4)), (2, 9, (2, 3)), (3, 12, (2, 2)), (1, 3, (4, 4))],
)
def test_lengths_are_true_maxima_for_every_operator_set(operators, smallest, largest, terms):
    try:
        spec = ProblemSpec(operators, terms[0], terms[1], smallest, largest)
    except SpecError:
        # Only division-only chains may be impossible; then brute force finds none either.
        assert operators == "/"
        spec = ProblemSpec("+", terms[0], terms[1], smallest, largest)
        impossible = ProblemSpec.__new__(ProblemSpec)
        object.__setattr__(impossible, "operators", "/")
        for name in ("min_terms", "max_terms", "smallest", "largest"):
            object.__setattr__(impossible, name, getattr(spec, name))
        assert not list(_every_valid_expression(impossible))
        return
    _check_against_brute_force(spec)


@settings(max_examples=60, deadline=None)
@given(
    operators=st.sets(st.sampled_from(OPERATORS), min_size=1).map("".join),
    smallest=st.integers(0, 6),
    span=st.integers(0, 9),
    low_terms=st.integers(1, 3),
    extra_terms=st.integers(0, 1),
)
def test_lengths_match_brute_force_on_random_small_specs(
    operators, smallest, span, low_terms, extra_terms
):
    try:
        spec = ProblemSpec(
            operators, low_terms, low_terms + extra_terms, smallest, max(smallest + span, 1)
        )
    except SpecError as error:
        assert error.field == "largest" and operators == "/"
        return
    _check_against_brute_force(spec)
