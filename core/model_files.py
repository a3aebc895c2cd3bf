"""Reading a model's files without trusting them: bounded JSON, typed records, checked weights.

A model folder may come from anywhere (a download, a hand edit, a half-written disk). Every number
that decides how much memory or time a load takes is checked against fixed limits, and every
weights dataset's shape and type against what the architecture implies, before anything is
allocated or read. Each refusal is a `ModelFileError` whose message is one sentence.
"""

from __future__ import annotations

import json
import math
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import UserError
from core.model import ModelConfig
from core.settings import field_types
from core.spec import ProblemSpec, SpecError

MAX_SPEC_BYTES = 1_000_000
"""Largest ``spec.json`` read; the shipped ones are about 2 KB."""
MAX_ARCHITECTURE_BYTES = 4_000_000
"""Largest ``architecture.json`` read; the shipped ones are about 20 KB."""
MAX_JSON_DEPTH = 64
"""Deepest nesting of ``[`` and ``{`` accepted; Keras writes about 10."""
MAX_UNITS = 4_096
"""Most units an LSTM or Dense layer may have."""
MAX_LENGTH = 1_000
"""Most time steps an input or a RepeatVector may have."""
MAX_SYMBOLS = 1_000
"""Widest one-hot input accepted."""
MAX_LAYERS = 64
"""Most layers an architecture may list."""
MAX_WIDTH = 16_384
"""Widest tensor a layer may produce (concatenations add widths up)."""
MAX_PARAMETERS = 64_000_000
"""Most weights a model may have (256 MB as float32); the app's largest settings make ~63M."""
MAX_ACTIVATIONS = 16_000_000
"""Most numbers one sample's forward pass may hold (64 MB as float32)."""

LAYER_KINDS = (
    "InputLayer",
    "LSTM",
    "Dense",
    "TimeDistributed",
    "RepeatVector",
    "Attention",
    "Concatenate",
)
"""The only layers seq2add reads, builds and runs."""
ACTIVATIONS = ("linear", "tanh", "sigmoid", "hard_sigmoid", "relu", "softmax")
"""Activations the numpy forward pass implements."""
MODEL_KINDS = ("Sequential", "Functional", "Model")

INPUT = ""
"""Key of the model's input tensor in `LayerPlan.inputs` (layer names are never empty)."""

Shape = tuple[int | None, int]
"""(time steps or None for a plain vector, width) of one sample's tensor."""
Weights = list[np.ndarray]


class ModelFileError(UserError, ValueError):
    """A model's files are missing, unreadable, oversized or disagree; one sentence says why."""


def shown(value: Any, limit: int = 40) -> str:
    """``value`` quoted for a message, cut short: a hostile name must not flood the screen."""
    text = str(value)
    return repr(text if len(text) <= limit else text[:limit] + "…")


# -- bounded JSON ----------------------------------------------------------------------------------

_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+(?:"|$)', re.S)
"""A JSON string, or an unterminated one running to the end; possessive, so linear."""


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


def nesting_depth(text: str) -> int:
    """Deepest ``[``/``{`` nesting of a JSON text, without recursing (strings ignored)."""
    skeleton = np.frombuffer(_STRING.sub("", text).encode("utf-8"), np.uint8)
    steps = np.isin(skeleton, (ord("["), ord("{"))).astype(np.int64)
    steps -= np.isin(skeleton, (ord("]"), ord("}")))
    return int(np.cumsum(steps).max(initial=0))


def read_json(path: Path, label: str, max_bytes: int) -> Any:
    """Parse a small JSON file: regular, at most ``max_bytes``, shallow, finite numbers only."""
    data = _read_regular(path, label, max_bytes)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ModelFileError(f"{label} is not UTF-8 text") from None
    depth = nesting_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise ModelFileError(
            f"{label} nests {depth:,} levels deep; seq2add reads at most {MAX_JSON_DEPTH}"
        )
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as error:
        reason = str(error).split(":")[0]
        raise ModelFileError(f"{label} is not readable JSON ({reason})") from None


def _read_regular(path: Path, label: str, max_bytes: int) -> bytes:
    """A regular file's bytes; FIFOs and devices (which could block or never end) are refused."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ModelFileError(f"{label} is not a regular file")
        if info.st_size > max_bytes:
            raise ModelFileError(
                f"{label} is {info.st_size:,} bytes; seq2add reads at most {max_bytes:,}"
            )
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise ModelFileError(f"{label} does not exist") from None
    except OSError as error:
        raise ModelFileError(f"{label} can't be read ({error.strerror or error})") from None
    if len(data) > max_bytes:
        raise ModelFileError(f"{label} is larger than the {max_bytes:,} bytes seq2add reads")
    return data


# -- small typed checks ----------------------------------------------------------------------------


def _whole(value: Any, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ModelFileError(f"{what} must be a whole number, not {shown(value)}")
    if not low <= value <= high:
        raise ModelFileError(f"{what} is {value:,}; it must be from {low:,} to {high:,}")
    return value


def _flag(config: dict[str, Any], key: str, what: str, default: bool = False) -> bool:
    value = config.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ModelFileError(f"{key} of {what} must be true or false, not {shown(value)}")
    return value


def _mapping(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ModelFileError(f"{what} must be a JSON object, not {type(value).__name__}")
    return value


def _finite_number(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and abs(value) < 1e300
    )


# -- spec.json -------------------------------------------------------------------------------------

_PROBLEM_TYPES: dict[str, type] = {
    **field_types("problem"),
    "pad_char": str,
    "notebook_lengths": bool,
}
_MODEL_TYPES: dict[str, type] = field_types("model")
_NUMBER_METRICS = ("samples", "loss", "char_accuracy", "exact_match", "exact_correct")
_FRACTION_METRICS = ("char_accuracy", "exact_match")
_TRAINING_TYPES = field_types("training")
_NUMBER_TRAINING = (
    *(name for name, kind in _TRAINING_TYPES.items() if kind in (int, float)),
    "epochs_run",
    "fit_seconds",
    "samples_seen",
    "best_val_exact_match",
)
_TEXT_TRAINING = (*(n for n, kind in _TRAINING_TYPES.items() if kind is str), "status", "preset")
_BOOL_TRAINING = tuple(name for name, kind in _TRAINING_TYPES.items() if kind is bool)


@dataclass(frozen=True)
class SavedSpec:
    """What a model's ``spec.json`` says, every field checked for type and range."""

    problem: ProblemSpec
    """The problem it learned."""
    model: ModelConfig | None = None
    """Its architecture settings (None when imported from elsewhere)."""
    parameters: int | None = None
    """Trainable parameter count."""
    metrics: dict[str, Any] = field(default_factory=dict)
    """Evaluation summary recorded at save time (known keys are finite numbers)."""
    training: dict[str, Any] = field(default_factory=dict)
    """Training settings recorded at save time (known keys have their proper types)."""
    created: str = ""
    """ISO time it was saved."""


def _typed_fields(data: Any, types: dict[str, Any], what: str) -> dict[str, Any]:
    data = _mapping(data, what)
    for key, kind in types.items():
        if key not in data:
            continue
        value = data[key]
        wrong_bool = kind is int and isinstance(value, bool)
        if wrong_bool or not isinstance(value, kind):
            name = {str: "text", int: "a whole number", bool: "true or false"}[kind]
            raise ModelFileError(f"{key} in {what} must be {name}, not {shown(value)}")
        if kind is str and len(value) > 100:
            raise ModelFileError(f"{key} in {what} is longer than 100 characters")
    return {key: data[key] for key in types if key in data}


def _check_metrics(metrics: dict[str, Any]) -> dict[str, Any]:
    for key in _NUMBER_METRICS:
        value = metrics.get(key)
        if value is not None and not _finite_number(value):
            raise ModelFileError(f"spec.json's metrics.{key} must be a number, not {shown(value)}")
    for key in _FRACTION_METRICS:
        value = metrics.get(key)
        if value is not None and not 0 <= value <= 1:
            raise ModelFileError(f"spec.json's metrics.{key} must be from 0 to 1, not {value}")
    per_position = metrics.get("per_position")
    if per_position is not None and (
        not isinstance(per_position, list)
        or len(per_position) > MAX_LENGTH
        or not all(_finite_number(v) for v in per_position)
    ):
        raise ModelFileError("spec.json's metrics.per_position must be a list of numbers")
    return metrics


def _check_training(training: dict[str, Any]) -> dict[str, Any]:
    for key in _NUMBER_TRAINING:
        value = training.get(key)
        if value is not None and not _finite_number(value):
            raise ModelFileError(f"spec.json's training.{key} must be a number, not {shown(value)}")
    for key in _TEXT_TRAINING:
        value = training.get(key)
        if value is not None and not isinstance(value, str):
            raise ModelFileError(f"spec.json's training.{key} must be text, not {shown(value)}")
    for key in _BOOL_TRAINING:
        if key in training and not isinstance(training[key], bool):
            raise ModelFileError(f"spec.json's training.{key} must be true or false")
    imported = training.get("imported_from")
    if imported is not None and not (
        isinstance(imported, dict) and all(isinstance(v, str) for v in imported.values())
    ):
        raise ModelFileError("spec.json's training.imported_from must map names to text")
    return training


def parse_saved_spec(document: Any) -> SavedSpec:
    """Check a parsed ``spec.json`` field by field and build its typed record."""
    document = _mapping(document, "spec.json")
    if "problem" not in document:
        raise ModelFileError("spec.json lacks a problem description")
    problem_fields = _typed_fields(document["problem"], _PROBLEM_TYPES, "spec.json's problem")
    try:
        problem = ProblemSpec(**problem_fields)
    except SpecError as error:
        raise ModelFileError(f"spec.json describes an invalid problem: {error}") from None
    model = None
    if document.get("model") is not None:
        model_fields = _typed_fields(document["model"], _MODEL_TYPES, "spec.json's model")
        try:
            model = ModelConfig(**model_fields)
        except SpecError as error:
            raise ModelFileError(f"spec.json describes an invalid network: {error}") from None
    parameters = document.get("parameters")
    if parameters is not None:
        _whole(parameters, "spec.json's parameters", 0, MAX_PARAMETERS)
    created = document.get("created", "")
    if not isinstance(created, str) or len(created) > 64:
        raise ModelFileError("spec.json's created must be a short date text")
    metrics = _check_metrics(_mapping(document.get("metrics") or {}, "spec.json's metrics"))
    training = _check_training(_mapping(document.get("training") or {}, "spec.json's training"))
    return SavedSpec(problem, model, parameters, dict(metrics), dict(training), created)


def read_saved_spec(path: Path) -> SavedSpec:
    """Read and check a model's ``spec.json``."""
    return parse_saved_spec(read_json(path, "spec.json", MAX_SPEC_BYTES))


# -- architecture.json -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LayerPlan:
    """One layer of a checked architecture: what it reads, what it makes, what weights it needs."""

    name: str
    kind: str
    config: dict[str, Any]
    """The layer's own config (the inner Dense's, for TimeDistributed)."""
    inputs: tuple[tuple[str, int], ...]
    """(layer name, output index) of each input in call order; `INPUT` is the model's input."""
    list_input: bool
    """Whether the layer is called with a list (Attention, Concatenate)."""
    outputs: tuple[Shape, ...]
    """Shape of each output (an LSTM with return_state has three)."""
    weight_shapes: tuple[tuple[int, ...], ...]
    """Exact shape of each weights array, in Keras' order."""


@dataclass(frozen=True)
class Architecture:
    """A Keras architecture JSON reduced to what seq2add runs, with every size checked."""

    kind: str
    """``Sequential`` or ``Functional``."""
    input_shape: tuple[int, int]
    """(steps, symbols) of one input sample."""
    layers: tuple[LayerPlan, ...]
    """Every layer but the input, in model order (the order of the weights file)."""
    output: tuple[str, int]
    """Which layer output is the model's answer."""
    output_shape: tuple[int, int]
    """(steps, symbols) of one answer."""
    parameters: int
    """Number of weights."""
    activations: int
    """Numbers one sample's forward pass holds, to size batches."""

    @classmethod
    def parse(cls, document: Any) -> Architecture:
        """Check an architecture JSON object and plan its layers; raises ModelFileError."""
        return _Planner(document).plan()


class _Planner:
    """Walks an architecture's layers once, checking each against the shapes before it."""

    def __init__(self, document: Any) -> None:
        document = _mapping(document, "architecture.json")
        self.kind = document.get("class_name")
        if self.kind not in MODEL_KINDS:
            raise ModelFileError(
                f"architecture.json describes a {shown(self.kind)}, not a Keras model"
            )
        config = document.get("config", {})
        self.config = config if isinstance(config, dict) else {}
        layers = config if isinstance(config, list) else self.config.get("layers", [])
        if not isinstance(layers, list) or not layers:
            raise ModelFileError("architecture.json lists no layers")
        if len(layers) > MAX_LAYERS:
            raise ModelFileError(
                f"architecture.json lists {len(layers):,} layers; seq2add reads at most "
                f"{MAX_LAYERS}"
            )
        self.raw_layers = [_mapping(layer, "every layer of architecture.json") for layer in layers]
        self.shapes: dict[tuple[str, int], Shape] = {}
        self.input_names: set[str] = set()

    def plan(self) -> Architecture:
        input_shape = self._input_shape()
        self.shapes[(INPUT, 0)] = input_shape
        plans: list[LayerPlan] = []
        previous = (INPUT, 0)
        names: set[str] = set()
        for raw in self.raw_layers:
            kind = raw.get("class_name")
            if kind not in LAYER_KINDS:
                known = ", ".join(LAYER_KINDS[1:])
                raise ModelFileError(
                    f"architecture.json has a {shown(kind)} layer; seq2add runs only {known}"
                )
            config = _mapping(raw.get("config", {}), f"a {kind} layer's config")
            name = config.get("name", raw.get("name"))
            if not isinstance(name, str) or not name or len(name) > 200 or "/" in name:
                raise ModelFileError(f"architecture.json has a layer named {shown(name)}")
            if name in names:
                raise ModelFileError(f"architecture.json has two layers named {shown(name)}")
            names.add(name)
            if kind == "InputLayer":
                self.input_names.add(name)
                continue
            inputs, list_input = self._inputs(raw, name, previous)
            plan = self._layer(name, kind, config, inputs, list_input)
            for index, shape in enumerate(plan.outputs):
                self.shapes[(name, index)] = shape
            plans.append(plan)
            previous = (name, 0)
        if not plans:
            raise ModelFileError("architecture.json has no layers after its input")
        output = self._output(previous)
        steps, width = self.shapes[output]
        if steps is None:
            raise ModelFileError("architecture.json's model answers with a vector, not a sequence")
        parameters = sum(math.prod(s) for plan in plans for s in plan.weight_shapes)
        if parameters > MAX_PARAMETERS:
            raise ModelFileError(
                f"architecture.json has {parameters:,} weights; seq2add loads at most "
                f"{MAX_PARAMETERS:,}"
            )
        activations = (
            sum(
                (shape[0] or 1) * shape[1] * (4 if plan.kind == "LSTM" else 1)
                for plan in plans
                for shape in plan.outputs
            )
            + input_shape[0] * input_shape[1]
        )
        if activations > MAX_ACTIVATIONS:
            raise ModelFileError(
                f"architecture.json's layers would hold {activations:,} numbers per sample; "
                f"seq2add allows {MAX_ACTIVATIONS:,}"
            )
        return Architecture(
            str(self.kind),
            (int(input_shape[0] or 0), input_shape[1]),
            tuple(plans),
            output,
            (steps, width),
            parameters,
            activations,
        )

    # -- pieces ----------------------------------------------------------------------------------

    def _input_shape(self) -> Shape:
        for raw in self.raw_layers:
            config = raw.get("config")
            config = config if isinstance(config, dict) else {}
            build = raw.get("build_config")
            shape = (
                config.get("batch_shape")
                or config.get("batch_input_shape")
                or (build.get("input_shape") if isinstance(build, dict) else None)
            )
            if shape:
                if not isinstance(shape, list) or len(shape) != 3 or shape[0] is not None:
                    raise ModelFileError(
                        "architecture.json's input must be a batch of sequences "
                        f"[null, steps, symbols], not {shown(shape)}"
                    )
                steps = _whole(shape[1], "the input's length", 1, MAX_LENGTH)
                symbols = _whole(shape[2], "the input's symbols", 1, MAX_SYMBOLS)
                return steps, symbols
        raise ModelFileError("architecture.json does not say what shape its input has")

    def _inputs(
        self, raw: dict[str, Any], name: str, previous: tuple[str, int]
    ) -> tuple[tuple[tuple[str, int], ...], bool]:
        inbound = raw.get("inbound_nodes")
        if self.kind == "Sequential" or not inbound:
            return (previous,), False
        if not isinstance(inbound, list) or len(inbound) != 1:
            raise ModelFileError(f"layer {shown(name)} is called more than once or oddly")
        node = inbound[0]
        args = node.get("args") if isinstance(node, dict) else None
        if not isinstance(args, list) or not args:
            raise ModelFileError(f"layer {shown(name)}'s inputs are not in Keras 3's format")
        list_input = len(args) == 1 and isinstance(args[0], list)
        items = args[0] if list_input else args[:1]
        refs = []
        for item in items:
            history = None
            if isinstance(item, dict) and item.get("class_name") == "__keras_tensor__":
                tensor_config = item.get("config")
                if isinstance(tensor_config, dict):
                    history = tensor_config.get("keras_history")
            if not (
                isinstance(history, list)
                and len(history) == 3
                and isinstance(history[0], str)
                and isinstance(history[2], int)
                and not isinstance(history[2], bool)
            ):
                raise ModelFileError(f"layer {shown(name)} has an input seq2add can't follow")
            ref = (INPUT, 0) if history[0] in self.input_names else (history[0], history[2])
            if ref not in self.shapes:
                raise ModelFileError(
                    f"layer {shown(name)} reads {shown(history[0])} output {history[2]}, "
                    "which no earlier layer makes"
                )
            refs.append(ref)
        return tuple(refs), list_input

    def _layer(
        self,
        name: str,
        kind: str,
        config: dict[str, Any],
        inputs: tuple[tuple[str, int], ...],
        list_input: bool,
    ) -> LayerPlan:
        what = f"layer {shown(name)}"
        shapes = [self.shapes[ref] for ref in inputs]
        if kind in ("Attention", "Concatenate") and (not list_input or len(inputs) < 2):
            raise ModelFileError(f"{what} ({kind}) needs a list of inputs")
        if kind not in ("Attention", "Concatenate") and list_input:
            raise ModelFileError(f"{what} ({kind}) takes one input, not a list")
        steps, width = shapes[0]
        weights: list[tuple[int, ...]] = []
        if kind == "LSTM":
            if steps is None:
                raise ModelFileError(f"{what} is an LSTM but its input is not a sequence")
            units = _whole(config.get("units"), f"the units of {what}", 1, MAX_UNITS)
            for key in ("activation", "recurrent_activation"):
                _check_activation(config, key, what)
            for key in ("return_sequences", "return_state", "go_backwards", "stateful"):
                _flag(config, key, what)
            bias = _flag(config, "use_bias", what, default=True)
            weights = [(width, 4 * units), (units, 4 * units)] + ([(4 * units,)] if bias else [])
            main: Shape = (steps, units) if config.get("return_sequences") else (None, units)
            outputs = [main, (None, units), (None, units)] if config.get("return_state") else [main]
        elif kind in ("Dense", "TimeDistributed"):
            if kind == "TimeDistributed":
                if steps is None:
                    raise ModelFileError(f"{what} is TimeDistributed but its input is a vector")
                inner = _mapping(config.get("layer"), f"{what}'s inner layer")
                if inner.get("class_name") != "Dense":
                    inner_kind = shown(inner.get("class_name"))
                    raise ModelFileError(f"{what} wraps {inner_kind}, not Dense")
                config = _mapping(inner.get("config", {}), f"{what}'s inner Dense")
            units = _whole(config.get("units"), f"the units of {what}", 1, MAX_UNITS)
            _check_activation(config, "activation", what)
            bias = _flag(config, "use_bias", what, default=True)
            weights = [(width, units)] + ([(units,)] if bias else [])
            outputs = [(steps, units)]
        elif kind == "RepeatVector":
            if steps is not None:
                raise ModelFileError(f"{what} repeats a vector, but its input is a sequence")
            n = _whole(config.get("n"), f"the repeat count n of {what}", 1, MAX_LENGTH)
            outputs = [(n, width)]
        elif kind == "Attention":
            if len(shapes) > 3 or any(s[0] is None for s in shapes):
                raise ModelFileError(f"{what} needs two or three sequences")
            query, value = shapes[0], shapes[1]
            key = shapes[2] if len(shapes) > 2 else value
            if config.get("score_mode", "dot") != "dot":
                raise ModelFileError(f"{what} is not dot-product attention")
            if query[1] != key[1] or key[0] != value[0]:
                raise ModelFileError(
                    f"{what} compares widths {query[1]} and {key[1]} over {key[0]} and "
                    f"{value[0]} steps; they must match"
                )
            if _flag(config, "use_scale", what):
                weights = [()]
            # The second output is the attention distribution (query steps × key steps).
            outputs = [(query[0], value[1]), (query[0], key[0])]
        else:  # Concatenate
            axis = config.get("axis", -1)
            rank = 3 if steps is not None else 2
            if axis not in (-1, rank - 1) or isinstance(axis, bool):
                raise ModelFileError(f"{what} joins along axis {shown(axis)}; only the last works")
            if any(s[0] != steps for s in shapes):
                raise ModelFileError(f"{what} joins tensors of different lengths")
            outputs = [(steps, sum(s[1] for s in shapes))]
        for out_steps, out_width in outputs:
            if out_width > MAX_WIDTH:
                raise ModelFileError(
                    f"{what} makes tensors {out_width:,} wide; seq2add allows {MAX_WIDTH:,}"
                )
            if out_steps is not None and out_steps > MAX_LENGTH:
                raise ModelFileError(f"{what} makes sequences longer than {MAX_LENGTH:,} steps")
        return LayerPlan(name, kind, config, inputs, list_input, tuple(outputs), tuple(weights))

    def _output(self, previous: tuple[str, int]) -> tuple[str, int]:
        if self.kind == "Sequential":
            return previous
        outputs = self.config.get("output_layers") or []
        if not isinstance(outputs, list) or not outputs:
            return previous
        first = outputs[0] if isinstance(outputs[0], list) else outputs
        if len(outputs) > 1 and isinstance(outputs[0], list):
            raise ModelFileError("architecture.json's model has more than one output")
        if len(first) != 3 or not isinstance(first[0], str) or (first[0], 0) not in self.shapes:
            raise ModelFileError(f"architecture.json's output {shown(first)} is no layer")
        return first[0], 0


def _check_activation(config: dict[str, Any], key: str, what: str) -> None:
    name = config.get(key, "linear")
    if isinstance(name, dict):  # a serialised activation object
        inner = name.get("config")
        name = inner.get("name") if isinstance(inner, dict) else name.get("class_name")
    if not isinstance(name, str) or name.lower() not in ACTIVATIONS:
        raise ModelFileError(f"{what} uses the activation {shown(name)}, which seq2add can't run")


def read_architecture(path: Path, label: str = "architecture.json") -> tuple[dict, Architecture]:
    """Read and check an architecture JSON; returns the object and its checked plan."""
    document = read_json(path, label, MAX_ARCHITECTURE_BYTES)
    try:
        return document, Architecture.parse(document)
    except ModelFileError as error:
        if label == "architecture.json":
            raise
        raise ModelFileError(str(error).replace("architecture.json", label, 1)) from None


def check_fits(problem: ProblemSpec, architecture: Architecture) -> None:
    """Refuse an architecture whose input or answer doesn't fit ``problem``'s tensors."""
    needs_in = (problem.input_length, problem.alphabet_size)
    needs_out = (problem.output_length, problem.alphabet_size)
    if architecture.input_shape != needs_in or architecture.output_shape != needs_out:
        has_in, has_out = architecture.input_shape, architecture.output_shape
        raise ModelFileError(
            f"the architecture maps {has_in[0]}×{has_in[1]} to {has_out[0]}×{has_out[1]}, but "
            f"the problem needs {needs_in[0]}×{needs_in[1]} to "
            f"{needs_out[0]}×{needs_out[1]}"
        )


# -- weights ---------------------------------------------------------------------------------------


def snake_case(name: str) -> str:
    """Keras' own ``to_snake_case``, which names the groups of a weights file."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _hard_child(group: Any, key: str) -> Any:
    """``group[key]`` if it is stored in this file: soft and external links are not followed."""
    import h5py

    link = group.get(key, getlink=True)
    if link is None:
        return None
    if not isinstance(link, h5py.HardLink):
        raise ModelFileError(f"the weights file links {shown(key)} elsewhere")
    return group[key]


def keras3_datasets(handle: Any, architecture: Architecture) -> list[list[Any]]:
    """Each layer's weight datasets (not yet read) from a Keras 3 ``*.weights.h5`` file.

    Keras 3 names each layer's group by its class (``lstm``, ``lstm_1``, ``dense`` ...), counted in
    model order; LSTMs keep their variables under ``cell``, TimeDistributed under ``layer``.
    """
    import h5py

    groups = _hard_child(handle, "layers")
    if not isinstance(groups, h5py.Group):
        raise ModelFileError("the weights file is not Keras 3's (it has no 'layers' group)")
    seen: dict[str, int] = {}
    result = []
    for plan in architecture.layers:
        key = snake_case(plan.kind)
        count = seen.get(key)
        seen[key] = 0 if count is None else count + 1
        if count is not None:
            key = f"{key}_{count + 1}"
        group = _hard_child(groups, key) if key in groups else None
        if group is None and plan.name in groups:
            group = _hard_child(groups, plan.name)
        result.append(_variables(group) if isinstance(group, h5py.Group) else [])
    return result


def _variables(group: Any) -> list[Any]:
    import h5py

    for sub in ("cell", "layer"):
        if sub in group:
            inner = _hard_child(group, sub)
            if isinstance(inner, h5py.Group) and "vars" in inner:
                group = inner
                break
    if "vars" not in group:
        return []
    variables = _hard_child(group, "vars")
    if not isinstance(variables, h5py.Group) or len(variables) > 16:
        raise ModelFileError("the weights file has a malformed 'vars' group")
    return [_hard_child(variables, str(i)) for i in range(len(variables))]


def read_checked(
    datasets: list[list[Any]], architecture: Architecture, file_size: int
) -> list[Weights]:
    """Read every layer's weights after checking shapes, types and sizes from the metadata.

    Keras stores weights uncompressed, so a file can't honestly declare more bytes than it holds:
    that catches a dataset that claims gigabytes of (compressed, or never written) zeros.
    """
    import h5py

    declared = 0
    for plan, found in zip(architecture.layers, datasets, strict=True):
        what = f"layer {shown(plan.name)}"
        if len(found) != len(plan.weight_shapes):
            raise ModelFileError(
                f"the weights file has {len(found)} arrays for {what}; its architecture needs "
                f"{len(plan.weight_shapes)}"
            )
        for dataset in found:
            if not isinstance(dataset, h5py.Dataset):
                raise ModelFileError(f"the weights file's entry for {what} is not an array")
            if dataset.is_virtual or dataset.external:
                raise ModelFileError(f"the weights of {what} are kept in another file")
            if dataset.dtype.kind != "f" or dataset.dtype.itemsize > 8:
                raise ModelFileError(
                    f"the weights of {what} are stored as {dataset.dtype}, not floating point"
                )
            declared += dataset.size * dataset.dtype.itemsize
        shapes = [tuple(dataset.shape) for dataset in found]
        if shapes != list(plan.weight_shapes):
            raise ModelFileError(
                f"{what} has weights of shapes {shapes}, but its architecture needs "
                f"{list(plan.weight_shapes)}"
            )
    if declared > file_size:
        raise ModelFileError(
            f"the weights file declares {declared:,} bytes of weights but holds only {file_size:,}"
        )
    result = []
    for plan, found in zip(architecture.layers, datasets, strict=True):
        arrays = [np.asarray(dataset[()], np.float32) for dataset in found]
        if not all(np.isfinite(array).all() for array in arrays):
            raise ModelFileError(
                f"the weights of layer {shown(plan.name)} include NaN or infinite values"
            )
        result.append(arrays)
    return result


def read_weights(path: Path, architecture: Architecture) -> list[Weights]:
    """Per-layer weights from a Keras 3 ``*.weights.h5`` file, checked before they are read."""
    import h5py

    file_size = _regular_size(path)
    try:
        with h5py.File(path, "r") as handle:
            return read_checked(keras3_datasets(handle, architecture), architecture, file_size)
    except ModelFileError:
        raise
    except (OSError, KeyError, ValueError, TypeError) as error:
        raise ModelFileError(f"{path.name} is not a readable HDF5 weights file") from error


def _regular_size(path: Path) -> int:
    """A regular file's size; FIFOs and devices are refused before h5py opens them."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ModelFileError(f"{path.name} is missing") from None
    except OSError as error:
        raise ModelFileError(f"{path.name} can't be read ({error.strerror or error})") from None
    if not stat.S_ISREG(info.st_mode):
        raise ModelFileError(f"{path.name} is not a regular file")
    return info.st_size
