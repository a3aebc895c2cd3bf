"""Import a model made by the tutorial notebook's own code into the model library.

The notebook saves ``model.to_json()`` and ``model.save_weights(...)``: with Keras 3 that is a
``*.weights.h5`` file, with Keras 2 a legacy ``weights.h5`` laid out by layer name. Either way the
architecture is LSTM(s) → RepeatVector → LSTM(s) → TimeDistributed(Dense); we read its sizes,
rebuild it with `build_model`, copy the weights across and save a normal seq2add model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from core.infer import (
    ModelFileError,
    NumpyNetwork,
    Weights,
    read_architecture_json,
    read_keras3_weights,
)
from core.model import ModelConfig
from core.spec import ProblemSpec, SpecError
from core.store import ModelError


@dataclass(frozen=True)
class TutorialArchitecture:
    """What the tutorial's architecture JSON says, reduced to our settings."""

    input_length: int
    alphabet_size: int
    output_length: int
    model: ModelConfig
    keras_version: str


def read_architecture(path: Path) -> tuple[dict[str, Any], TutorialArchitecture]:
    """Parse a tutorial ``architecture.json`` (Keras 2 or 3) checking it is the tutorial's model."""
    try:
        document = read_architecture_json(Path(path), str(path))
    except ModelFileError as error:
        raise ModelError(str(error)) from error
    try:
        layers = NumpyNetwork.layer_specs(document)
        input_length, alphabet_size = NumpyNetwork.input_shape_of(document["config"]["layers"])
    except (KeyError, TypeError, ModelFileError) as error:
        raise ModelError(f"{path} is not a Keras model architecture.") from error
    kinds = [class_name for _, class_name, _ in layers]
    if "RepeatVector" not in kinds:
        raise ModelError(f"{path} is not the tutorial's encoder–decoder (no RepeatVector).")
    split = kinds.index("RepeatVector")
    encoder = [config for _, kind, config in layers[:split] if kind == "LSTM"]
    decoder = [config for _, kind, config in layers[split + 1 :] if kind == "LSTM"]
    expected = ["LSTM"] * len(encoder) + ["RepeatVector"] + ["LSTM"] * len(decoder)
    if not encoder or not decoder or kinds != [*expected, "TimeDistributed"]:
        raise ModelError(
            f"{path} is not the tutorial's model "
            "(LSTM → RepeatVector → LSTM → TimeDistributed(Dense))."
        )
    for config in encoder + decoder:
        if (
            str(config.get("recurrent_activation", "sigmoid")) != "sigmoid"
            or str(config.get("activation", "tanh")) != "tanh"
        ):
            raise ModelError(f"{path} uses LSTM activations other than Keras' defaults.")
        if config.get("go_backwards") or config.get("stateful"):
            raise ModelError(
                f"{path} uses backwards or stateful LSTMs, which seq2add doesn't build."
            )
    units = {int(c["units"]) for c in encoder}, {int(c["units"]) for c in decoder}
    if len(units[0]) != 1 or len(units[1]) != 1:
        raise ModelError(f"{path} stacks LSTMs of different sizes, which seq2add doesn't build.")
    output_length = int(layers[split][2]["n"])
    model = ModelConfig("seq2seq", units[0].pop(), units[1].pop(), len(encoder), len(decoder))
    version = str(document.get("keras_version", "3" if "module" in document else "2"))
    return document, TutorialArchitecture(
        input_length, alphabet_size, output_length, model, version
    )


def read_weights(path: Path, document: dict[str, Any]) -> tuple[list[Weights], str]:
    """Per-layer weights in model order, from a Keras 3 or a legacy Keras 2 HDF5 file."""
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"{path} does not exist.")
    try:
        with h5py.File(path, "r") as handle:
            legacy = "layer_names" in handle.attrs or "model_weights" in handle
        if not legacy:
            return read_keras3_weights(path, document), "keras3"
        return _read_legacy_weights(path, document), "keras2"
    except ModelFileError as error:
        raise ModelError(f"{path} can't be read: {error}") from error
    except (OSError, KeyError, ValueError) as error:
        raise ModelError(f"{path} is not a readable HDF5 weights file.") from error


def _read_legacy_weights(path: Path, document: dict[str, Any]) -> list[Weights]:
    """Keras 2's layout: ``layer_names`` in order, each group listing its ``weight_names``."""

    def text(value: Any) -> str:
        return value.decode() if isinstance(value, bytes) else str(value)

    with h5py.File(path, "r") as handle:
        group = handle.get("model_weights", handle)
        by_layer = {}
        for layer_name in (text(n) for n in group.attrs["layer_names"]):
            layer = group[layer_name]
            names = [text(n) for n in layer.attrs.get("weight_names", [])]
            by_layer[layer_name] = [np.asarray(layer[n], np.float32) for n in names]
    specs = NumpyNetwork.layer_specs(document)
    weighted = [name for name, kind, _ in specs if kind in ("LSTM", "TimeDistributed", "Dense")]
    if not all(by_layer.get(name) for name in weighted):
        # Names differ (the JSON was saved from another session); fall back to file order.
        in_order = iter([arrays for arrays in by_layer.values() if arrays])
        by_layer = {name: next(in_order, []) for name in weighted}
    return [by_layer.get(name, []) if name in weighted else [] for name, _, _ in specs]


def tutorial_spec(terms: int, largest: int, architecture: TutorialArchitecture) -> ProblemSpec:
    """The notebook's problem for ``terms`` and ``largest``, with lengths matching the model."""
    try:
        exact = ProblemSpec(min_terms=terms, max_terms=terms, smallest=1, largest=largest)
        notebook = ProblemSpec(
            min_terms=terms, max_terms=terms, smallest=1, largest=largest, notebook_lengths=True
        )
    except SpecError as error:
        raise ModelError(str(error)) from error
    shape = (architecture.input_length, architecture.alphabet_size, architecture.output_length)
    for spec in (exact, notebook):
        if (spec.input_length, spec.alphabet_size, spec.output_length) == shape:
            return spec
    raise ModelError(
        f"The architecture maps {shape[0]}×{shape[1]} inputs to {shape[2]} outputs, but {terms} "
        f"terms of 1–{largest} need {notebook.input_length}×{notebook.alphabet_size} to "
        f"{notebook.output_length}; check the number of terms and the largest number given."
    )


@dataclass(frozen=True)
class TutorialFiles:
    """A tutorial model's files, read and checked, ready to import (no TensorFlow needed yet)."""

    architecture_path: Path
    weights_path: Path
    spec: ProblemSpec
    architecture: TutorialArchitecture
    layer_weights: list[Weights]
    layout: str
    """``keras3`` or ``keras2``."""
    network: NumpyNetwork


def read_tutorial_files(
    architecture_path: Path, weights_path: Path, terms: int, largest: int
) -> TutorialFiles:
    """Read and cross-check the notebook's files; raises ModelError in one sentence."""
    document, architecture = read_architecture(Path(architecture_path))
    spec = tutorial_spec(terms, largest, architecture)
    layer_weights, layout = read_weights(Path(weights_path), document)
    try:
        network = NumpyNetwork(document, layer_weights)  # checks every shape against the JSON
    except ModelFileError as error:
        raise ModelError(f"{weights_path} doesn't fit {architecture_path}: {error}") from error
    return TutorialFiles(
        Path(architecture_path),
        Path(weights_path),
        spec,
        architecture,
        layer_weights,
        layout,
        network,
    )


def import_tutorial_model(
    files: TutorialFiles,
    name: str,
    root: Path | None = None,
    evaluation_samples: int = 2_000,
    overwrite: bool = False,
) -> Path:
    """Turn checked tutorial files into the library model ``root/name``; returns its folder."""
    from core.evaluate import evaluate
    from core.infer import Predictor
    from core.model import build_model
    from core.store import check_name, save_model

    check_name(name)
    model = build_model(files.spec, files.architecture.model)
    weighted = [layer for layer in model.layers if layer.weights]
    arrays = [w for w in files.layer_weights if w]
    if len(weighted) != len(arrays):
        raise ModelError("The weights file has a different number of layers than the model.")
    for layer, values in zip(weighted, arrays, strict=True):
        layer.set_weights(values)
    predictor = Predictor(files.spec, files.network)
    scores = evaluate(predictor.probabilities, files.spec, evaluation_samples)
    return save_model(
        model,
        files.spec,
        name,
        root=root,
        model_config=files.architecture.model,
        training={
            "imported_from": {
                "architecture": str(files.architecture_path),
                "weights": str(files.weights_path),
                "layout": files.layout,
                "keras_version": files.architecture.keras_version,
            }
        },
        metrics=scores.summary(),
        overwrite=overwrite,
    )
