"""Architectures: the notebook's parameter count, configurable sizes, attention."""

from dataclasses import replace

import pytest

from core.model import ModelConfig, build_model, parameter_count
from core.spec import ProblemSpec, SpecError


def test_notebook_model_has_52212_parameters():
    model = build_model(ProblemSpec(), ModelConfig())
    assert model.count_params() == 52_212 == parameter_count(ProblemSpec(), ModelConfig())
    assert [layer.__class__.__name__ for layer in model.layers] == [
        "InputLayer",
        "LSTM",
        "RepeatVector",
        "LSTM",
        "TimeDistributed",
    ]
    assert model.output_shape == (None, 2, 12)


@pytest.mark.parametrize(
    ("spec", "config"),
    [
        (ProblemSpec("+-*/", 2, 3, 1, 20), ModelConfig("attention", 32, 24)),
        (ProblemSpec("+", 2, 5, 1, 99), ModelConfig("seq2seq", 20, 30, 2, 3)),
        (ProblemSpec("-", 2, 2, 0, 999), ModelConfig("attention", 16, 16, 3, 2)),
    ],
)
def test_parameter_count_matches_keras_without_importing_it(spec, config):
    model = build_model(spec, config)
    assert model.count_params() == parameter_count(spec, config)
    assert model.output_shape == (None, spec.output_length, spec.alphabet_size)
    assert ("attention" in {layer.name for layer in model.layers}) == (
        config.architecture == "attention"
    )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"architecture": "transformer"}, "architecture"),
        ({"encoder_units": 0}, "encoder_units"),
        ({"decoder_units": 5000}, "decoder_units"),
        ({"encoder_layers": 9}, "encoder_layers"),
    ],
)
def test_invalid_model_settings_are_refused(kwargs, field):
    with pytest.raises(SpecError) as caught:
        ModelConfig(**kwargs)
    assert caught.value.field == field
    assert field in str(caught.value)


def test_an_unrolled_model_is_the_same_model():
    import numpy as np

    from core.data import all_problems, to_one_hot
    from core.infer import network_from_keras

    spec, config = ProblemSpec(), ModelConfig("attention", 16, 12, 2, 1)
    looped = build_model(spec, config, seed=4)
    unrolled = build_model(spec, replace(config, unroll=True), seed=4)
    assert unrolled.count_params() == looped.count_params() == parameter_count(spec, config)
    assert all(layer.unroll for layer in unrolled.layers if hasattr(layer, "unroll"))
    for theirs, mine in zip(looped.get_weights(), unrolled.get_weights(), strict=True):
        np.testing.assert_array_equal(theirs, mine)  # the same seed draws the same weights
    x = to_one_hot(all_problems(spec).inputs[:50], spec.alphabet_size)
    expected = looped.predict(x, verbose=0)
    np.testing.assert_allclose(unrolled.predict(x, verbose=0), expected, atol=1e-5)
    np.testing.assert_allclose(network_from_keras(unrolled)(x), expected, atol=1e-5)
