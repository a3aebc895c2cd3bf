"""Importing models saved by the tutorial's own code, in Keras 3 and Keras 2 layouts."""

import json

import h5py
import keras
import numpy as np
import pytest

from core.data import generate
from core.spec import ProblemSpec
from core.store import ModelError, load_predictor, read_info
from core.tutorial import import_tutorial_model, read_tutorial_files


@pytest.fixture(scope="module")
def notebook_model():
    """The notebook's model, built with the notebook's own calls, with random weights."""
    model = keras.Sequential()
    model.add(keras.layers.LSTM(75, input_shape=(8, 12)))
    model.add(keras.layers.RepeatVector(2))
    model.add(keras.layers.LSTM(50, return_sequences=True))
    model.add(keras.layers.TimeDistributed(keras.layers.Dense(12, activation="softmax")))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    rng = np.random.default_rng(3)
    model.set_weights([rng.normal(0, 0.4, w.shape).astype("float32") for w in model.get_weights()])
    return model


def _keras2_architecture() -> dict:
    """How Keras 2.x's model.to_json() lays out the same Sequential model."""
    return {
        "class_name": "Sequential",
        "config": {
            "name": "sequential",
            "layers": [
                {
                    "class_name": "InputLayer",
                    "config": {
                        "batch_input_shape": [None, 8, 12],
                        "dtype": "float32",
                        "sparse": False,
                        "ragged": False,
                        "name": "lstm_input",
                    },
                },
                {
                    "class_name": "LSTM",
                    "config": {
                        "name": "lstm",
                        "units": 75,
                        "activation": "tanh",
                        "recurrent_activation": "sigmoid",
                        "return_sequences": False,
                        "batch_input_shape": [None, 8, 12],
                    },
                },
                {"class_name": "RepeatVector", "config": {"name": "repeat_vector", "n": 2}},
                {
                    "class_name": "LSTM",
                    "config": {
                        "name": "lstm_1",
                        "units": 50,
                        "activation": "tanh",
                        "recurrent_activation": "sigmoid",
                        "return_sequences": True,
                    },
                },
                {
                    "class_name": "TimeDistributed",
                    "config": {
                        "name": "time_distributed",
                        "layer": {
                            "class_name": "Dense",
                            "config": {
                                "name": "dense",
                                "units": 12,
                                "activation": "softmax",
                                "use_bias": True,
                            },
                        },
                    },
                },
            ],
        },
        "keras_version": "2.15.0",
        "backend": "tensorflow",
    }


def _write_keras2_weights(model, path):
    """Keras 2's legacy save_weights('weights.h5') layout, written with h5py."""
    groups = {
        "lstm": [
            "lstm/lstm_cell/kernel:0",
            "lstm/lstm_cell/recurrent_kernel:0",
            "lstm/lstm_cell/bias:0",
        ],
        "repeat_vector": [],
        "lstm_1": [
            "lstm_1/lstm_cell_1/kernel:0",
            "lstm_1/lstm_cell_1/recurrent_kernel:0",
            "lstm_1/lstm_cell_1/bias:0",
        ],
        "time_distributed": ["time_distributed/kernel:0", "time_distributed/bias:0"],
    }
    with h5py.File(path, "w") as handle:
        handle.attrs["layer_names"] = [name.encode() for name in groups]
        handle.attrs["backend"] = b"tensorflow"
        handle.attrs["keras_version"] = b"2.15.0"
        for layer, (name, weight_names) in zip(model.layers, groups.items(), strict=True):
            group = handle.create_group(name)
            group.attrs["weight_names"] = [w.encode() for w in weight_names]
            for weight_name, value in zip(weight_names, layer.get_weights(), strict=True):
                group.create_dataset(weight_name, data=value)


def _expected(model):
    batch = generate(ProblemSpec(), 200, 2, one_hot=True)
    return batch, np.asarray(model(batch.x, training=False))


def test_import_keras3_files_written_by_the_notebooks_code(tmp_path, notebook_model):
    (tmp_path / "architecture.json").write_text(notebook_model.to_json())
    notebook_model.save_weights(tmp_path / "model.weights.h5")
    files = read_tutorial_files(
        tmp_path / "architecture.json", tmp_path / "model.weights.h5", 3, 10
    )
    folder = import_tutorial_model(files, "from-notebook", root=tmp_path / "lib")
    batch, expected = _expected(notebook_model)
    predictor = load_predictor(folder)
    np.testing.assert_allclose(predictor.probabilities(batch.inputs), expected, atol=1e-5)
    info = read_info(folder)
    assert info.spec == ProblemSpec() and info.training["imported_from"]["layout"] == "keras3"
    assert 0 <= info.exact_match <= 1 and info.parameters == 52_212


def test_import_keras2_legacy_files(tmp_path, notebook_model):
    (tmp_path / "architecture.json").write_text(json.dumps(_keras2_architecture()))
    _write_keras2_weights(notebook_model, tmp_path / "weights.h5")
    files = read_tutorial_files(tmp_path / "architecture.json", tmp_path / "weights.h5", 3, 10)
    folder = import_tutorial_model(files, "legacy", root=tmp_path / "lib")
    batch, expected = _expected(notebook_model)
    np.testing.assert_allclose(
        load_predictor(folder).probabilities(batch.inputs), expected, atol=1e-5
    )
    assert read_info(folder).training["imported_from"]["layout"] == "keras2"


def test_import_refuses_a_problem_that_does_not_fit_the_model(tmp_path, notebook_model):
    (tmp_path / "architecture.json").write_text(notebook_model.to_json())
    notebook_model.save_weights(tmp_path / "model.weights.h5")
    with pytest.raises(ModelError, match="check the number of terms and the largest number given"):
        read_tutorial_files(tmp_path / "architecture.json", tmp_path / "model.weights.h5", 4, 10)
    with pytest.raises(ModelError, match="does not exist"):
        read_tutorial_files(tmp_path / "architecture.json", tmp_path / "nope.h5", 3, 10)
    other = keras.Sequential(
        [
            keras.Input((8, 12)),
            keras.layers.LSTM(20),
            keras.layers.RepeatVector(2),
            keras.layers.LSTM(50, return_sequences=True),
            keras.layers.TimeDistributed(keras.layers.Dense(12, activation="softmax")),
        ]
    )
    other.save_weights(tmp_path / "other.weights.h5")
    with pytest.raises(ModelError, match=r"has weights of shapes .* but its architecture needs"):
        read_tutorial_files(tmp_path / "architecture.json", tmp_path / "other.weights.h5", 3, 10)
