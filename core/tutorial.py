"""Import a model made by the tutorial notebook's own code into the model library.

The notebook saves ``model.to_json()`` and ``model.save_weights(...)``: with Keras 3 that is a
``*.weights.h5`` file, with Keras 2 a legacy ``weights.h5`` laid out by layer name. Either way the
architecture is LSTM(s) → RepeatVector → LSTM(s) → TimeDistributed(Dense); we read its sizes,
rebuild it with `build_model`, copy the weights across and save a normal seq2add model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.infer import NumpyNetwork
from core.model import MAX_LAYERS, MAX_UNITS, ModelConfig
from core.model_files import (
    Architecture,
    ModelFileError,
    Weights,
    keras3_datasets,
    read_checked,
)
from core.model_files import read_architecture as checked_architecture
from core.spec import ProblemSpec, SpecError
from core.store import ModelError

if TYPE_CHECKING:
    import h5py

MAX_FILE_LAYERS = 64
"""Most layers (and weights per layer) a legacy weights file may list."""


@dataclass(frozen=True)
class TutorialArchitecture:
    """What the tutorial's architecture JSON says, reduced to our settings."""

    input_length: int
    alphabet_size: int
    output_length: int
    model: ModelConfig
    keras_version: str


def read_architecture(path: Path) -> tuple[Architecture, TutorialArchitecture]:
    """Parse a tutorial ``architecture.json`` (Keras 2 or 3) checking it is the tutorial's model.

    Every size is checked (see `core.model_files`) before anything is built.
    """
    try:
        document, plan = checked_architecture(Path(path), str(path))
    except ModelFileError as error:
        raise ModelError(f"{_clause(str(error))}.") from None
    layers = plan.layers
    kinds = [layer.kind for layer in layers]
    if "RepeatVector" not in kinds:
        raise ModelError(f"{path} is not the tutorial's encoder–decoder (no RepeatVector).")
    split = kinds.index("RepeatVector")
    encoder = [layer.config for layer in layers[:split] if layer.kind == "LSTM"]
    decoder = [layer.config for layer in layers[split + 1 :] if layer.kind == "LSTM"]
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
        if config["units"] > MAX_UNITS:
            raise ModelError(f"{path} has LSTMs wider than the {MAX_UNITS:,} units seq2add builds.")
    units = {c["units"] for c in encoder}, {c["units"] for c in decoder}
    if len(units[0]) != 1 or len(units[1]) != 1:
        raise ModelError(f"{path} stacks LSTMs of different sizes, which seq2add doesn't build.")
    if len(encoder) > MAX_LAYERS or len(decoder) > MAX_LAYERS:
        raise ModelError(
            f"{path} stacks more than {MAX_LAYERS} LSTMs, which seq2add doesn't build."
        )
    output_length = layers[split].outputs[0][0] or 0
    model = ModelConfig("seq2seq", units[0].pop(), units[1].pop(), len(encoder), len(decoder))
    version = str(document.get("keras_version", "3" if "module" in document else "2"))
    input_length, alphabet_size = plan.input_shape
    return plan, TutorialArchitecture(input_length, alphabet_size, output_length, model, version)


def _clause(message: str) -> str:
    return message.rstrip().rstrip(".")


def read_weights(path: Path, plan: Architecture) -> tuple[list[Weights], str]:
    """Per-layer weights in model order, from a Keras 3 or a legacy Keras 2 HDF5 file.

    Each array's shape and type are checked from the file's metadata before it is read.
    """
    import h5py  # a fifth of a second: the app's Import dialog imports this module at start-up

    path = Path(path)
    if not path.is_file():
        raise ModelError(f"{path} does not exist.")
    try:
        with h5py.File(path, "r") as handle:
            legacy = "layer_names" in handle.attrs or "model_weights" in handle
            if legacy:
                datasets, layout = _legacy_datasets(handle, plan), "keras2"
            else:
                datasets, layout = keras3_datasets(handle, plan), "keras3"
            return read_checked(datasets, plan, path.stat().st_size), layout
    except ModelFileError as error:
        raise ModelError(f"{path} can't be read: {_clause(str(error))}.") from None
    except (OSError, KeyError, ValueError, TypeError) as error:
        raise ModelError(f"{path} is not a readable HDF5 weights file.") from error


def _legacy_datasets(handle: h5py.File, plan: Architecture) -> list[list[Any]]:
    """Keras 2's layout: ``layer_names`` in order, each group listing its ``weight_names``."""

    def text(value: Any) -> str:
        return value.decode() if isinstance(value, bytes) else str(value)

    group = handle.get("model_weights", handle)
    names = group.attrs["layer_names"]
    if len(names) > MAX_FILE_LAYERS:
        raise ModelFileError(f"the weights file lists more than {MAX_FILE_LAYERS} layers")
    by_layer = {}
    for layer_name in (text(n) for n in names):
        layer = group[layer_name]
        weight_names = [text(n) for n in layer.attrs.get("weight_names", [])][:MAX_FILE_LAYERS]
        by_layer[layer_name] = [layer[n] for n in weight_names]
    weighted = [layer.name for layer in plan.layers if layer.weight_shapes]
    if not all(by_layer.get(name) for name in weighted):
        # Names differ (the JSON was saved from another session); fall back to file order.
        in_order = iter([arrays for arrays in by_layer.values() if arrays])
        by_layer = {name: next(in_order, []) for name in weighted}
    return [by_layer.get(layer.name, []) if layer.weight_shapes else [] for layer in plan.layers]


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
    plan, architecture = read_architecture(Path(architecture_path))
    spec = tutorial_spec(terms, largest, architecture)
    layer_weights, layout = read_weights(Path(weights_path), plan)
    try:
        network = NumpyNetwork(plan, layer_weights)  # checks every shape against the JSON
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
