"""Data generation, encoding and decoding, and parsing what people type."""

import re
from fractions import Fraction
from math import ceil, log10

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.data import (
    ExpressionError,
    decode_answers,
    encode_expressions,
    generate,
    parse_expression,
    to_one_hot,
)
from core.spec import OPERATORS, ProblemSpec, SpecError

NOTEBOOK_ALPHABET = [str(x) for x in range(10)] + ["+", " "]


def notebook_encode(expression: str, answer: int, n_numbers=3, largest=10):
    """The notebook's to_string, integer_encode and one_hot_encode, for one sample."""
    width_in = n_numbers * ceil(log10(largest + 1)) + n_numbers - 1
    width_out = ceil(log10(n_numbers * (largest + 1)))
    x = " " * (width_in - len(expression)) + expression
    y = " " * (width_out - len(str(answer))) + str(answer)
    index = {c: i for i, c in enumerate(NOTEBOOK_ALPHABET)}

    def one_hot(text):
        rows = []
        for char in text:
            row = [0] * len(NOTEBOOK_ALPHABET)
            row[index[char]] = 1
            rows.append(row)
        return rows

    return np.array(one_hot(x)), np.array(one_hot(y))


def python_value(expression: str) -> int:
    """Python's own arithmetic on the expression, with exact division."""
    tokens = re.findall(r"\d+|[+\-*/]", expression)
    source = "".join(f"Fraction({t})" if t.isdigit() else t for t in tokens)
    value = eval(source, {"Fraction": Fraction})
    assert value.denominator == 1
    return int(value)


def test_notebook_mode_matches_hand_checked_encodings():
    spec = ProblemSpec()
    cases = [("10+10+10", 30, "10+10+10", "30"), ("1+1+1", 3, "   1+1+1", " 3")]
    for expression, answer, padded_in, padded_out in cases:
        ids = encode_expressions(spec, [parse_expression(spec, expression)])
        assert "".join(NOTEBOOK_ALPHABET[i] for i in ids[0]) == padded_in
        x_expected, y_expected = notebook_encode(expression, answer)
        np.testing.assert_array_equal(to_one_hot(ids, 12)[0], x_expected)
        from core.data import render_answers

        y_ids = render_answers(spec, np.array([answer]))
        assert "".join(NOTEBOOK_ALPHABET[i] for i in y_ids[0]) == padded_out
        np.testing.assert_array_equal(to_one_hot(y_ids, 12)[0], y_expected)


def test_generated_notebook_batches_equal_the_notebooks_encoding():
    batch = generate(ProblemSpec(), 300, seed=4, one_hot=True)
    assert batch.x.shape == (300, 8, 12) and batch.y.shape == (300, 2, 12)
    assert batch.x.dtype == np.float32 and batch.y.dtype == np.float32
    for row, (expression, answer) in enumerate(zip(batch.expressions, batch.answers, strict=True)):
        x_expected, y_expected = notebook_encode(expression, int(answer))
        np.testing.assert_array_equal(batch.x[row], x_expected)
        np.testing.assert_array_equal(batch.y[row], y_expected)
    # The notebook draws every operand from 1..10 and always three of them.
    assert batch.operands.min() == 1 and batch.operands.max() == 10
    assert (batch.n_terms == 3).all()


def test_same_seed_same_data_and_different_seed_different_data():
    spec = ProblemSpec("+-*/", 2, 4, 0, 50)
    first, again, other = generate(spec, 500, 7), generate(spec, 500, 7), generate(spec, 500, 8)
    np.testing.assert_array_equal(first.inputs, again.inputs)
    np.testing.assert_array_equal(first.answers, again.answers)
    assert not np.array_equal(first.inputs, other.inputs)


def _spec_or_none(ops, smallest, span, low, extra, side, rin, rout, align):
    try:
        return ProblemSpec(
            ops, low, low + extra, smallest, smallest + span, side, " ", rin, rout, align
        )
    except SpecError:  # e.g. division-only chains that can't be whole; tested in test_spec
        return None


specs = st.builds(
    _spec_or_none,
    ops=st.sets(st.sampled_from("+-*"), min_size=1).map("".join)
    | st.sampled_from(["/", "+/", "-*/", "+-*/"]),
    smallest=st.integers(0, 30),
    span=st.integers(1, 2000),
    low=st.integers(1, 4),
    extra=st.integers(0, 2),
    side=st.sampled_from(["left", "right"]),
    rin=st.booleans(),
    rout=st.booleans(),
    align=st.booleans(),
).filter(lambda spec: spec is not None)


@settings(max_examples=80, deadline=None)
@given(spec=specs, seed=st.integers(0, 2**32 - 1))
def test_generated_answers_are_pythons_arithmetic_and_fit_the_lengths(spec, seed):
    batch = generate(spec, 200, seed)
    assert batch.inputs.shape == (200, spec.input_length)
    assert batch.targets.shape == (200, spec.output_length)
    low, high = spec.answer_range
    rows = zip(batch.expressions, batch.answers.tolist(), batch.n_terms, strict=True)
    for expression, answer, terms in rows:
        assert python_value(expression) == answer
        assert low <= answer <= high
        numbers = [int(t) for t in re.findall(r"\d+", expression)]
        assert len(numbers) == terms and spec.min_terms <= terms <= spec.max_terms
        assert all(spec.smallest <= v <= spec.largest for v in numbers)
        assert set(re.findall(r"[+\-*/]", expression)) <= set(spec.operators)
    # decode(encode(s)) == s, for answers and for expressions.
    assert decode_answers(spec, batch.targets) == [str(a) for a in batch.answers.tolist()]
    parsed = [parse_expression(spec, e) for e in batch.expressions]
    np.testing.assert_array_equal(encode_expressions(spec, parsed), batch.inputs)
    assert [p.value for p in parsed] == batch.answers.tolist()


def test_padding_and_reversal_layout():
    spec = ProblemSpec("+", 2, 2, 0, 999, "left", " ", True, True)
    ids = encode_expressions(spec, [parse_expression(spec, "12+345")])
    assert "".join(spec.alphabet[i] for i in ids[0]) == "543+21 "
    from core.data import render_answers

    out = render_answers(spec, np.array([357]))
    assert "".join(spec.alphabet[i] for i in out[0]) == "753 "
    right = ProblemSpec("+-", 2, 2, 0, 99, "right")
    ids = encode_expressions(right, [parse_expression(right, "3-45")])
    assert "".join(right.alphabet[i] for i in ids[0]) == "3-45 "
    assert "".join(right.alphabet[i] for i in render_answers(right, np.array([-42]))[0]) == "-42"
    columns = ProblemSpec("+", 2, 3, 0, 999, align_operands=True)
    ids = encode_expressions(columns, [parse_expression(columns, "7+45")])
    assert "".join(columns.alphabet[i] for i in ids[0]) == "      7+ 45"
    reversed_columns = ProblemSpec("+", 2, 2, 0, 999, align_operands=True, reverse_input=True)
    ids = encode_expressions(reversed_columns, [parse_expression(reversed_columns, "7+45")])
    assert "".join(reversed_columns.alphabet[i] for i in ids[0]) == "54 +7  "


def test_decode_accepts_probabilities_and_ids():
    spec = ProblemSpec()
    batch = generate(spec, 50, 1, one_hot=True)
    noisy = batch.y * 0.9 + 0.1 / spec.alphabet_size
    assert decode_answers(spec, noisy) == batch.answer_texts
    assert decode_answers(spec, batch.targets) == batch.answer_texts


def test_divisions_are_whole_and_subtraction_goes_negative():
    spec = ProblemSpec("-/", 2, 3, 0, 20)
    batch = generate(spec, 5000, 3)
    assert batch.contains_operator("/").mean() > 0.4
    assert (batch.answers < 0).any()
    for expression in batch.expressions:
        assert "/0" not in expression.replace("/10", "").replace("/20", "")
        python_value(expression)


def test_division_only_problems_use_their_longest_form():
    spec = ProblemSpec("/", 3, 3, 1, 10)
    batch = generate(spec, 3000, 5)
    assert max(len(e) for e in batch.expressions) == spec.input_length == 7


def test_per_row_caps_make_easier_rows_without_changing_the_encoding():
    spec = ProblemSpec("+", 2, 5, 0, 999_999)
    caps = np.where(np.arange(1000) < 500, 9, spec.largest)
    batch = generate(spec, 1000, 2, largest_per_row=caps, max_terms_per_row=np.full(1000, 2))
    assert batch.operands[:500].max() <= 9
    assert batch.operands[500:].max() > 9
    assert (batch.n_terms == 2).all()
    assert batch.inputs.shape == (1000, spec.input_length)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Type an expression such as 10+6+10"),
        ("   ", "Type an expression"),
        ("1++2", "two operators in a row"),
        ("+3", "can't start with '+'"),
        ("3+4+", "ends with an operator"),
        ("1*2+3", "'*' is not an operator this model learned"),
        ("1+x+2", "'x' is not a symbol this model knows"),
        ("1+2", "3 terms, and '1+2' has 2"),
        ("1+2+3+4", "has 4"),
        ("11+2+3", "11 is outside the numbers this model learned (1–10)"),
        ("0+2+3", "0 is outside"),
        pytest.param(
            "1" * 990 + "+2+3",
            "a 990-digit number is outside the numbers this model learned (1–10)",
            id="far more digits than any operand",
        ),
        pytest.param("0" * 900 + "11+2+3", "11 is outside", id="leading zeros don't count"),
        ("1 2+3+4", "two numbers in a row"),
    ],
)
def test_typed_expression_errors(text, fragment):
    with pytest.raises(ExpressionError) as caught:
        parse_expression(ProblemSpec(), text)
    assert fragment in str(caught.value)


def test_typed_expressions_tolerate_spaces_and_check_division():
    spec = ProblemSpec()
    parsed = parse_expression(spec, " 10 + 6+ 10 ")
    assert (parsed.text, parsed.operands, parsed.value) == ("10+6+10", (10, 6, 10), 26)
    division = ProblemSpec("+/", 2, 3, 0, 20)
    assert parse_expression(division, "8/2+1").value == 5
    with pytest.raises(ExpressionError, match="doesn't come out whole"):
        parse_expression(division, "7/2")
    with pytest.raises(ExpressionError, match="divide by zero"):
        parse_expression(division, "7/0")


def test_too_many_samples_are_refused_with_the_memory_they_need(monkeypatch):
    import core.data

    monkeypatch.setattr(core.data, "available_memory", lambda: 2 * 10**9)
    with pytest.raises(SpecError) as caught:
        generate(ProblemSpec(), 10**8, one_hot=True)
    assert caught.value.field == "samples"
    # 480 bytes of one-hot floats per sample, plus 69 of ids and numbers.
    assert "54.9 GB" in str(caught.value) and "2.0 GB" in str(caught.value)
    with pytest.raises(SpecError, match="whole number ≥ 1"):
        generate(ProblemSpec(), 0)


def test_every_operator_code_is_covered():
    spec = ProblemSpec(OPERATORS, 3, 3, 1, 12)
    batch = generate(spec, 4000, 11)
    for op in OPERATORS:
        assert batch.contains_operator(op).any()


def test_all_problems_lists_every_valid_expression_once():
    from core.data import all_problems, problem_count

    every = all_problems(ProblemSpec())
    assert len(every) == problem_count(ProblemSpec()) == 1_000
    assert every.expressions[0] == "1+1+1" and every.answer_texts[-1] == "30"
    division = all_problems(ProblemSpec("/", 2, 2, 1, 6))
    # a/b with b dividing a, a and b in 1..6: the divisor counts 1+2+2+3+2+4.
    assert (
        len(division) == 14 and "6/3" in division.expressions and "5/2" not in division.expressions
    )
    assert all_problems(ProblemSpec("+", 2, 2, 0, 999)) is None


def test_overlong_expressions_are_refused_before_they_are_read():
    from core.data import MAX_EXPRESSION_CHARS

    spec = ProblemSpec()
    for text in ("1+2+3" + " " * 1_000_000, "9" * 1_000_000, "+" * (MAX_EXPRESSION_CHARS + 1)):
        with pytest.raises(ExpressionError, match=r"at most 1,000\.$"):
            parse_expression(spec, text)
    # Up to the bound, spaces anywhere are still fine, and still separate numbers.
    padded = " " * 400 + "1 + 2+3" + " " * (MAX_EXPRESSION_CHARS - 407)
    assert parse_expression(spec, padded).value == 6
    with pytest.raises(ExpressionError, match="two numbers in a row"):
        parse_expression(spec, "1 2+3" + " " * 900)
