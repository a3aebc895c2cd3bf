"""Length-balanced evaluation: the by-length figures, the worst cell, small operands, warnings."""

import json
import shutil

import numpy as np
import pytest

from core.data import decode_symbols, render_answers, to_one_hot
from core.evaluate import evaluate, length_scores, length_warning
from core.spec import ProblemSpec
from core.store import read_info
from seq2add_tui.cli import main

THREE_DIGIT = ProblemSpec("+", 2, 2, 0, 999, reverse_input=True, reverse_output=True)


def oracle(spec: ProblemSpec, wrong_when=lambda numbers: False):
    """A probability function that answers right, except where ``wrong_when`` says."""

    def probabilities(inputs: np.ndarray) -> np.ndarray:
        texts = decode_symbols(spec, inputs, reverse=spec.reverse_input)
        answers = []
        for text in texts:
            numbers = [int(n) for n in text.replace(spec.pad_char, "").split("+")]
            answers.append(sum(numbers) + (1 if wrong_when(numbers) else 0))
        ids = render_answers(spec, np.array(answers, np.int64))
        return to_one_hot(ids, spec.alphabet_size)

    return probabilities


def test_a_model_wrong_on_short_operands_is_caught_by_length_but_not_by_value():
    wrong_on_one_digit_first = oracle(THREE_DIGIT, lambda numbers: numbers[0] < 10)
    scores = evaluate(wrong_on_one_digit_first, THREE_DIGIT, 3_000, seed=1)
    assert scores.exact_match > 0.98  # one-digit first operands are 1% by value
    lengths = scores.by_length
    assert abs(lengths.exact_match - 2 / 3) < 0.03  # a third of them by length
    assert lengths.worst_cell.label.startswith("1+") and lengths.worst_cell.accuracy == 0
    assert {c.label for c in lengths.cells} == {
        f"{a}+{b} digits" for a in (1, 2, 3) for b in (1, 2, 3)
    }
    assert lengths.small_operands.total == 441 and lengths.small_enumerated
    assert lengths.small_operands.correct == 441 - 10 * 21  # 0–9 first: wrong; 10–20: right
    data = scores.to_dict()
    assert data["exact_match_by_length"] == round(lengths.exact_match, 6)
    [(label, value)] = data["worst_length_cell"].items()
    assert label.startswith("1+") and value == 0
    assert data["small_operands"] == round(231 / 441, 6)
    assert scores.summary()["length_cells"]["3+3 digits"] == 1.0
    assert scores.headline_exact == lengths.exact_match


def test_small_operands_are_sampled_when_there_are_too_many():
    spec = ProblemSpec("+", 2, 5, 1, 99)  # 20^5 + … questions with operands ≤ 20
    lengths = length_scores(oracle(spec), spec, 500, seed=1)
    assert lengths.small_operands.total == 50_000 and not lengths.small_enumerated
    assert lengths.small_operands.accuracy == 1.0 and lengths.exact_match == 1.0
    assert lengths.cells[0].label == "2 terms, longest 1 digit"
    assert length_scores(oracle(spec), ProblemSpec("+", 2, 2, 30, 99), 50).small_operands is None


def test_warnings_come_from_the_models_own_records():
    metrics = {"length_cells": {"1+1 digits": 0.62, "3+3 digits": 0.999}}
    warning = length_warning(THREE_DIGIT, metrics, [7, 8])
    assert "62.0% of 1+1 digits questions" in warning
    assert length_warning(THREE_DIGIT, metrics, [700, 800]) is None
    assert length_warning(THREE_DIGIT, metrics, [70, 800]) is None  # not measured: no claim
    assert length_warning(THREE_DIGIT, {"length_cells": {"1+1 digits": "x"}}, [7, 8]) is None
    assert length_warning(THREE_DIGIT, {}, [7, 8]) is None


@pytest.fixture
def weak_library(tmp_path, library):
    """The tiny model, its records saying it gets 3-term one-digit sums wrong."""
    shutil.copytree(library / "tiny", tmp_path / "weak")
    spec_file = tmp_path / "weak" / "spec.json"
    document = json.loads(spec_file.read_text())
    document["metrics"] = {
        "exact_match": 0.97,
        "exact_match_by_length": 0.5,
        "length_cells": {"3 terms, longest 1 digit": 0.4, "3 terms, longest 2 digits": 1.0},
    }
    spec_file.write_text(json.dumps(document))
    return tmp_path


def test_predict_warns_where_the_records_show_a_weak_cell(capsys, weak_library):
    code = main(["predict", "weak", "1+2+3", "10+10+10", "--models-dir", str(weak_library)])
    out, err = capsys.readouterr()
    assert code == 0 and out.count("\n") == 2
    assert err.count("\n") == 1 and err.startswith("warning: 1+2+3: this model got 40.0%")
    code = main(
        ["predict", "weak", "1+2+3", "10+10+10", "--json", "--models-dir", str(weak_library)]
    )
    first, second = json.loads(capsys.readouterr().out)
    assert "40.0%" in first["warning"] and "warning" not in second


def test_predict_answers_the_good_expressions_and_names_the_bad(capsys, library, tiny_run):
    argv = ["predict", "tiny", "1+2+3", "1++2", "4+5+6", "7+8", "--models-dir", str(library)]
    code = main(argv)
    out, err = capsys.readouterr()
    expected = [a.text for a in tiny_run.predictor().answer_many(["1+2+3", "4+5+6"])]
    assert code == 2
    assert out == f"1+2+3 = {expected[0]}\n4+5+6 = {expected[1]}\n"
    lines = err.splitlines()
    assert len(lines) == 2 and "'1++2'" in lines[0] and "two operators in a row" in lines[0]
    assert "'7+8'" in lines[1] and "has 2" in lines[1]
    code = main([*argv, "--json"])
    entries = json.loads(capsys.readouterr().out)
    assert code == 2 and [e.get("error") is not None for e in entries] == [False, True, False, True]
    assert entries[1]["expression"] == "1++2" and entries[2]["answer"] == expected[1]


def test_models_headline_is_the_lower_of_the_two(weak_library):
    info = read_info(weak_library / "weak")
    assert info.headline_exact == 0.5 and info.to_dict()["exact_match_by_length"] == 0.5


def test_the_evaluation_panel_shows_the_length_figures_and_table():
    from rich.console import Console

    from seq2add_tui.widgets.evaluation_panel import scores_renderable

    wrong_on_one_digit_first = oracle(THREE_DIGIT, lambda numbers: numbers[0] < 10)
    scores = evaluate(wrong_on_one_digit_first, THREE_DIGIT, 900, seed=1)
    console = Console(width=80, record=True)
    console.print(scores_renderable(scores))
    text = console.export_text()
    assert "By length" in text and "Worst lengths" in text and "Operands ≤ 20" in text
    assert "all 441" in text and "By operand lengths" in text
    row_one = next(line for line in text.splitlines() if line.startswith("1  "))
    assert row_one.split() == ["1", "✗0.0", "✗0.0", "✗0.0"]  # wrong marked, not only coloured
