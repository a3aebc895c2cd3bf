"""The probe, the accuracy map and the mistake gallery, on the numpy path."""

from pathlib import Path

import numpy as np
import pytest

from core.accuracy_map import MAX_MISTAKES_KEPT, accuracy_map, cell_indexes, map_axes, map_questions
from core.data import ExpressionError, generate
from core.infer import Predictor, network_from_keras
from core.mistakes import group_mistakes
from core.model import ModelConfig, build_model
from core.probe import NO_ATTENTION_NOTE, attention_weights, probe, probe_many
from core.spec import ProblemSpec
from core.store import list_models, load_keras_model, load_predictor

SHIPPED = Path(__file__).resolve().parents[1] / "saved_models"
"""The shipped models, in the clone."""

ATTENTION_MODELS = [
    info.name
    for info in list_models(SHIPPED)
    if info.usable and info.model and info.model.architecture == "attention"
]


def _keras_attention_scores(model, x):
    """The scores Keras's own Attention layer returns for ``x`` (``return_attention_scores``)."""
    import keras

    layer = next(layer for layer in model.layers if layer.__class__.__name__ == "Attention")
    query, value = keras.Model(model.input, layer.input)(x, training=False)
    _, scores = layer([query, value], return_attention_scores=True)
    return np.asarray(scores)


@pytest.mark.parametrize("name", ATTENTION_MODELS)
def test_attention_weights_equal_keras_scores_for_shipped_models(name):
    model, info = load_keras_model(name)
    predictor = load_predictor(name, SHIPPED)
    batch = generate(info.spec, 200, seed=5, one_hot=True)
    expected = _keras_attention_scores(model, batch.x)
    ours = attention_weights(predictor, batch.inputs)
    assert ours is not None and ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, atol=1e-5)
    np.testing.assert_allclose(ours.sum(axis=-1), 1.0, atol=1e-5)


def test_shipped_attention_models_exist():
    assert ATTENTION_MODELS, "the attention check needs at least one shipped attention model"


def _random_attention_predictor(spec):
    model = build_model(spec, ModelConfig("attention", 12, 10), seed=3)
    rng = np.random.default_rng(4)
    model.set_weights([rng.normal(0, 0.8, w.shape).astype("float32") for w in model.get_weights()])
    return model, Predictor(spec, network_from_keras(model))


def test_probe_puts_attention_in_reading_order_for_reversed_specs():
    spec = ProblemSpec("+", 2, 2, 0, 99, reverse_input=True, reverse_output=True)
    model, predictor = _random_attention_predictor(spec)
    result = probe(predictor, "47+8")
    batch_inputs = predictor.one_hot(
        np.array([[spec.alphabet.index(c) for c in "".join(result.input_characters)[::-1]]])
    )
    raw = _keras_attention_scores(model, batch_inputs)[0]  # model order: both axes reversed
    np.testing.assert_allclose(np.array(result.attention), raw[::-1, ::-1], atol=1e-5)
    assert "".join(result.input_characters).strip() == "47+8"
    assert result.answer == predictor.answer("47+8").text
    assert len(result.attention) == spec.output_length == len(result.answer_characters)


def test_probe_reports_answer_truth_and_top_three_alternatives():
    predictor = load_predictor("notebook-perfect", SHIPPED)
    result = probe(predictor, " 4 + 9 + 9 ")
    assert (result.expression, result.truth) == ("4+9+9", "22")
    assert result.answer == predictor.answer("4+9+9").text and result.correct
    for choices in result.alternatives:
        assert len(choices) == 3
        probabilities = [choice.probability for choice in choices]
        assert probabilities == sorted(probabilities, reverse=True) and sum(probabilities) <= 1.0001
        assert len({choice.symbol for choice in choices}) == 3
    assert "".join(result.answer_characters).strip() == result.answer
    assert result.confidence == predictor.answer("4+9+9").confidence
    data = result.to_dict()
    assert data["attention"] == [list(map(lambda w: round(w, 6), row)) for row in result.attention]
    assert len(data["attention"][0]) == len(data["input_characters"]) == 8
    assert "attention_note" not in data


def test_probe_refuses_what_the_model_cannot_be_asked():
    predictor = load_predictor("notebook-perfect", SHIPPED)
    with pytest.raises(ExpressionError):
        probe(predictor, "4+9")  # three terms only
    assert probe_many(predictor, []) == []


def test_a_plain_seq2seq_model_says_it_has_no_attention(tiny_run):
    predictor = Predictor(tiny_run.spec, network_from_keras(tiny_run.model))
    result = probe(predictor, "1+2+3")
    assert result.attention is None and not result.has_attention
    data = result.to_dict()
    assert data["attention"] is None and data["attention_note"] == NO_ATTENTION_NOTE
    assert len(data["character_confidence"]) == tiny_run.spec.output_length


def test_two_term_maps_go_by_digit_counts_when_wide_and_spread_questions_evenly():
    spec = ProblemSpec("+", 2, 2, 0, 999)
    rows, columns = map_axes(spec)
    assert rows.labels == columns.labels == ("1 digit", "2 digits", "3 digits")
    batch, exhaustive = map_questions(spec, 900, seed=1)
    assert not exhaustive and len(batch) == 900
    assert (batch.answers == batch.operands.sum(axis=1)).all()
    row, column = cell_indexes(spec, batch)
    assert np.bincount(row * 3 + column).tolist() == [100] * 9
    ones = row == 0
    assert (batch.operands[ones, 0] <= 9).all() and (batch.operands[~ones, 0] >= 10).all()


def test_many_term_maps_go_by_terms_and_largest_operand():
    spec = ProblemSpec("+-", 2, 4, 1, 99)
    rows, columns = map_axes(spec)
    assert rows.labels == ("2 terms", "3 terms", "4 terms")
    assert columns.labels == ("1 digit", "2 digits")
    batch, _ = map_questions(spec, 600, seed=2)
    row, column = cell_indexes(spec, batch)
    assert np.bincount(row * 2 + column).tolist() == [100] * 6
    signs = np.where(batch.operator_codes == 1, -1, 1)
    expected = batch.operands[:, 0] + (signs * batch.operands[:, 1:]).sum(axis=1)
    assert (batch.answers == expected).all()
    assert [int(e.replace("-", "+").count("+")) + 1 for e in batch.expressions] == list(
        batch.n_terms
    )


def test_small_problems_are_mapped_exhaustively_by_value():
    predictor = load_predictor("notebook-perfect", SHIPPED)
    progress = []
    result = accuracy_map(predictor, progress=lambda done, total: progress.append((done, total)))
    assert result.exhaustive and result.samples == 1000
    assert result.rows.labels == ("3 terms",)
    assert result.columns.labels == tuple(str(v) for v in range(1, 11))
    assert sum(cell.total for cell in result.cells) == 1000
    assert result.cell(0, 0).total == 1  # only 1+1+1 has 1 as its largest operand
    assert progress[-1] == (1000, 1000)
    assert result.correct == 1000 and result.worst() == [] and result.mistakes == ()


def test_map_cells_count_the_model_own_mistakes_and_worst_cells_open_a_mistake(tiny_run):
    predictor = Predictor(tiny_run.spec, network_from_keras(tiny_run.model))
    result = accuracy_map(predictor, samples=1000)
    wrong = [p for p in predictor.answer_many([m.expression for m in result.mistakes])]
    assert all(not answer.correct for answer in wrong)
    assert len(result.mistakes) == min(1000 - result.correct, MAX_MISTAKES_KEPT)
    worst = result.worst(3)
    assert worst and all(cell.accuracy < 1 for cell in worst)
    assert [cell.accuracy for cell in worst] == sorted(cell.accuracy for cell in worst)
    assert not predictor.answer(worst[0].example).correct
    data = result.to_dict()
    assert len(data["correct"]) == len(result.rows.labels)
    assert data["worst"][0]["example"] == worst[0].example


def test_map_stops_when_cancelled():
    predictor = load_predictor("three-digit", SHIPPED)
    assert accuracy_map(predictor, samples=3000, cancelled=lambda: True) is None


def test_mistakes_group_by_operand_lengths_carries_and_operator(tiny_run):
    predictor = Predictor(tiny_run.spec, network_from_keras(tiny_run.model))
    result = accuracy_map(predictor, samples=1000)
    groups = group_mistakes(result.mistakes)
    assert sum(len(group.mistakes) for group in groups) == len(result.mistakes)
    sizes = [len(group.mistakes) for group in groups]
    assert sizes == sorted(sizes, reverse=True)
    for group in groups:
        assert {m.shape for m in group.mistakes} == {group.label}
        sure = [m.confidence for m in group.mistakes]
        assert sure == sorted(sure, reverse=True)
    mistake = result.mistakes[0]
    operands = [int(v) for v in mistake.expression.split("+")]
    assert mistake.operand_lengths == tuple(len(str(v)) for v in operands)
    assert mistake.truth == str(sum(operands)) and mistake.answer != mistake.truth
    assert mistake.shape.endswith("· +") and "carr" in mistake.shape
