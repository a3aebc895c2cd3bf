"""The numpy predictor: same probabilities as Keras, instant answers, no TensorFlow."""

import json
import subprocess
import sys

import numpy as np
import pytest

from core.data import generate
from core.infer import Predictor, network_from_files, network_from_keras
from core.model import ModelConfig, build_model
from core.spec import ProblemSpec


def _randomise(model, seed):
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(0, 0.6, w.shape).astype("float32") for w in model.get_weights()])


@pytest.mark.parametrize(
    ("spec", "config"),
    [
        (ProblemSpec(), ModelConfig()),
        (ProblemSpec("+-*/", 2, 3, 1, 20, reverse_output=True), ModelConfig("attention", 24, 20)),
        (ProblemSpec("+", 2, 4, 0, 99, "right"), ModelConfig("seq2seq", 12, 18, 2, 2)),
        (
            ProblemSpec("-*", 2, 2, 0, 999, reverse_input=True),
            ModelConfig("attention", 16, 16, 2, 3),
        ),
    ],
)
def test_numpy_probabilities_match_keras(tmp_path, spec, config):
    model = build_model(spec, config)
    _randomise(model, 7)
    batch = generate(spec, 300, 3, one_hot=True)
    expected = np.asarray(model(batch.x, training=False))
    # From the live model and from the files Keras writes.
    (tmp_path / "a.json").write_text(model.to_json())
    model.save_weights(tmp_path / "a.weights.h5")
    for network in (
        network_from_keras(model),
        network_from_files(tmp_path / "a.json", tmp_path / "a.weights.h5"),
    ):
        np.testing.assert_allclose(network(batch.x), expected, atol=1e-5)
    predictor = Predictor(spec, network_from_keras(model))
    np.testing.assert_allclose(predictor.probabilities(batch.inputs), expected, atol=1e-5)


def test_answers_carry_per_character_confidence(tiny_run):
    predictor = tiny_run.predictor()
    answer = predictor.answer("10+3+7")
    assert answer.expression == "10+3+7" and answer.expected == 20
    assert len(answer.characters) == len(answer.confidence) == 2
    assert all(0.0 < c <= 1.0 for c in answer.confidence)
    assert answer.text == "".join(answer.characters).strip()
    probabilities = predictor.probabilities(generate(tiny_run.spec, 1, 0).inputs)
    assert probabilities.shape == (1, 2, 12)
    np.testing.assert_allclose(probabilities.sum(axis=-1), 1.0, atol=1e-5)


def test_loading_and_answering_never_imports_tensorflow(library):
    code = (
        "import sys, json\n"
        "from core.store import load_predictor\n"
        f"p = load_predictor('tiny', __import__('pathlib').Path({str(library)!r}))\n"
        "a = p.answer('1+2+3')\n"
        "heavy = {'tensorflow', 'keras', 'textual'}\n"
        "print(json.dumps([a.text, sorted(m for m in sys.modules if m.split('.')[0] in heavy)]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    text, heavy = json.loads(result.stdout)
    assert text.lstrip("-").isdigit()
    assert heavy == []
