"""Answers in well under a millisecond, from the saved files, in plain numpy.

The quiz and ``seq2add predict`` must not wait seconds for TensorFlow, and calling a Keras model on
one sample costs tens of milliseconds. `NumpyNetwork` runs the forward pass the architecture JSON
describes (LSTM, RepeatVector, Dense, TimeDistributed, Attention, Concatenate) with weights read
straight from the HDF5 file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from core.data import decode_answers, encode_expressions, parse_expression
from core.spec import ProblemSpec


class ModelFileError(ValueError):
    """A model's files are missing, unreadable or disagree; the message says which and why."""


# -- activations -----------------------------------------------------------------------------------


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # overflow-free logistic


def _hard_sigmoid(x: np.ndarray) -> np.ndarray:
    return np.clip(x / 6.0 + 0.5, 0.0, 1.0)  # Keras 3's definition


def _softmax(x: np.ndarray) -> np.ndarray:
    shifted = np.exp(x - x.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


_ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "linear": lambda x: x,
    "tanh": np.tanh,
    "sigmoid": _sigmoid,
    "hard_sigmoid": _hard_sigmoid,
    "relu": lambda x: np.maximum(x, 0.0),
    "softmax": _softmax,
}


def _activation(config: dict[str, Any], key: str) -> Callable[[np.ndarray], np.ndarray]:
    name = config.get(key, "linear")
    if isinstance(name, dict):  # a serialised activation object
        name = name.get("config", {}).get("name", name.get("class_name", ""))
    name = str(name).lower()
    if name not in _ACTIVATIONS:
        raise ModelFileError(
            f"the architecture uses the activation {name!r}, which seq2add can't run."
        )
    return _ACTIVATIONS[name]


# -- layers ----------------------------------------------------------------------------------------

Tensor = np.ndarray
Weights = list[np.ndarray]


def _sigmoid_in_place(x: np.ndarray) -> None:
    x *= 0.5
    np.tanh(x, out=x)
    x += 1.0
    x *= 0.5


def _run_lstm(config: dict[str, Any], weights: Weights, x: Tensor, **_: Any) -> list[Tensor]:
    kernel, recurrent, bias = weights if len(weights) == 3 else (*weights, None)
    units = recurrent.shape[0]
    act = _activation(config, "activation")
    recurrent_act = _activation(config, "recurrent_activation")
    # Keras' defaults (tanh, sigmoid) get a path that updates the gates in place: a 10,000-question
    # accuracy map spends most of its time here, and temporaries cost as much as the products.
    fused = act is np.tanh and recurrent_act is _sigmoid
    steps = x.shape[1]
    if x.strides[1] == 0:  # a RepeatVector's output: every step's projection is the same
        projected = x[:, 0] @ kernel
        if bias is not None:
            projected += bias
        projected = np.broadcast_to(projected[:, None, :], (x.shape[0], steps, projected.shape[-1]))
    else:
        projected = x @ kernel  # every step's input projection at once
        if bias is not None:
            projected += bias
    h = np.zeros((x.shape[0], units), x.dtype)
    c = np.zeros_like(h)
    outputs = np.empty((x.shape[0], steps, units), x.dtype)
    order = range(steps - 1, -1, -1) if config.get("go_backwards") else range(steps)
    for t_out, t in enumerate(order):
        z = h @ recurrent
        z += projected[:, t]
        if fused:
            _sigmoid_in_place(z[:, : 2 * units])
            _sigmoid_in_place(z[:, 3 * units :])
            g = z[:, 2 * units : 3 * units]
            np.tanh(g, out=g)
            c *= z[:, units : 2 * units]
            g *= z[:, :units]
            c += g
            h = np.tanh(c)
            h *= z[:, 3 * units :]
        else:
            i = recurrent_act(z[:, :units])
            f = recurrent_act(z[:, units : 2 * units])
            g = act(z[:, 2 * units : 3 * units])
            o = recurrent_act(z[:, 3 * units :])
            c = f * c + i * g
            h = o * act(c)
        outputs[:, t_out] = h
    result = outputs if config.get("return_sequences") else h
    if config.get("return_state"):
        return [result, h, c]
    return [result]


def _run_dense(config: dict[str, Any], weights: Weights, x: Tensor, **_: Any) -> list[Tensor]:
    y = x @ weights[0]
    if len(weights) > 1:
        y = y + weights[1]
    return [_activation(config, "activation")(y)]


def _run_time_distributed(
    config: dict[str, Any], weights: Weights, x: Tensor, **_: Any
) -> list[Tensor]:
    inner = config["layer"]
    if inner.get("class_name") != "Dense":
        raise ModelFileError("seq2add can only run a TimeDistributed Dense layer.")
    return _run_dense(inner.get("config", {}), weights, x)


def _run_repeat(config: dict[str, Any], weights: Weights, x: Tensor, **_: Any) -> list[Tensor]:
    # A read-only view with a zero stride: an LSTM reading it projects one step, not n.
    return [np.broadcast_to(x[:, None, :], (x.shape[0], int(config["n"]), x.shape[-1]))]


def _run_attention(
    config: dict[str, Any], weights: Weights, x: Sequence[Tensor], **_: Any
) -> list[Tensor]:
    if config.get("score_mode", "dot") != "dot":
        raise ModelFileError("seq2add can only run dot-product attention.")
    query, value = x[0], x[1]
    key = x[2] if len(x) > 2 else value
    scores = query @ np.swapaxes(key, 1, 2)
    if weights:  # use_scale=True adds one learned scale
        scores = scores * weights[0]
    distribution = _softmax(scores)
    # The second output is what Keras returns with return_attention_scores=True: which encoder
    # steps each decoder step read from (core.probe draws it).
    return [distribution @ value, distribution]


def _run_concatenate(
    config: dict[str, Any], weights: Weights, x: Sequence[Tensor], **_: Any
) -> list[Tensor]:
    return [np.concatenate(list(x), axis=int(config.get("axis", -1)))]


_RUNNERS: dict[str, Callable[..., list[Tensor]]] = {
    "LSTM": _run_lstm,
    "Dense": _run_dense,
    "TimeDistributed": _run_time_distributed,
    "RepeatVector": _run_repeat,
    "Attention": _run_attention,
    "Concatenate": _run_concatenate,
}


def _expected_shapes(class_name: str, config: dict[str, Any], width: int) -> list[tuple[int, ...]]:
    """Weight shapes a layer must have given its input width, to catch mismatched files."""
    if class_name == "LSTM":
        units = int(config["units"])
        return [(width, 4 * units), (units, 4 * units), (4 * units,)]
    if class_name == "TimeDistributed":
        return _expected_shapes("Dense", config["layer"]["config"], width)
    if class_name == "Dense":
        units = int(config["units"])
        return [(width, units), (units,)] if config.get("use_bias", True) else [(width, units)]
    return []


# -- the network -----------------------------------------------------------------------------------


@dataclass
class _Node:
    name: str
    class_name: str
    config: dict[str, Any]
    inputs: list[tuple[str, int]]
    """(layer name, output index) of each input, in call order."""
    list_input: bool
    """Whether the layer is called with a list (Attention, Concatenate)."""
    weights: Weights


def _snake_case(name: str) -> str:
    """Keras' own ``to_snake_case``, which names the groups of a weights file."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _tensor_refs(arg: Any) -> list[tuple[str, int]]:
    """The (layer, output index) references inside a serialised call argument."""
    if isinstance(arg, dict) and arg.get("class_name") == "__keras_tensor__":
        history = arg["config"]["keras_history"]
        return [(history[0], int(history[2]))]
    if isinstance(arg, (list, tuple)):
        return [ref for item in arg for ref in _tensor_refs(item)]
    return []


@lru_cache(maxsize=1)
def _single_threaded_blas() -> None:
    """Run numpy's matrix products on one thread.

    Our matrices are tiny (a few samples × a few hundred units): spreading them over threads
    costs more than it gains, and the threads fight TensorFlow's and other players' processes
    for the cores (a 1,000-question check took 160 ms instead of 15 ms while training ran).
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


class NumpyNetwork:
    """A Keras Sequential or Functional model's forward pass, in numpy.

    Built from the architecture JSON (Keras 3's, or Keras 2's for Sequential models) and the
    weights of each layer in model order.
    """

    def __init__(self, architecture: dict[str, Any], layer_weights: list[Weights]) -> None:
        _single_threaded_blas()
        self.nodes: list[_Node] = []
        self.input_shape: tuple[int, int] = (0, 0)
        self.output_name = ""
        self._build(architecture, layer_weights)

    @staticmethod
    def layer_specs(architecture: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
        """(name, class name, config) of every non-input layer, in model order."""
        config = architecture.get("config", {})
        layers = config.get("layers", config if isinstance(config, list) else [])
        specs = []
        for layer in layers:
            if layer.get("class_name") == "InputLayer":
                continue
            layer_config = layer.get("config", {})
            specs.append((layer_config.get("name", ""), layer["class_name"], layer_config))
        return specs

    def _build(self, architecture: dict[str, Any], layer_weights: list[Weights]) -> None:
        kind = architecture.get("class_name")
        if kind not in ("Sequential", "Functional", "Model"):
            raise ModelFileError(f"the architecture is a {kind!r}, not a Keras model.")
        config = architecture.get("config", {})
        layers = config.get("layers", [])
        self.input_shape = self.input_shape_of(layers)
        specs = self.layer_specs(architecture)
        if len(specs) != len(layer_weights):
            raise ModelFileError("the weights file does not hold one entry per layer.")
        previous = "input"
        width = self.input_shape[1]
        widths: dict[tuple[str, int], int] = {("input", 0): width}
        for (name, class_name, layer_config), weights in zip(specs, layer_weights, strict=True):
            if class_name not in _RUNNERS:
                raise ModelFileError(
                    f"the architecture has a {class_name} layer, which seq2add can't run."
                )
            raw = next(layer for layer in layers if layer.get("config", {}).get("name") == name)
            inbound = raw.get("inbound_nodes") or []
            if kind == "Sequential" or not inbound:
                refs, list_input = [(previous, 0)], False
            else:
                node = inbound[0]
                args = node["args"] if isinstance(node, dict) else node
                refs = _tensor_refs(args)
                list_input = isinstance(args, list) and len(args) == 1 and isinstance(args[0], list)
                refs = [
                    ("input", 0) if ref[0] in self._input_names(config) else ref for ref in refs
                ]
            in_width = widths.get(refs[0], width)
            expected = _expected_shapes(class_name, layer_config, in_width)
            shapes = [tuple(w.shape) for w in weights]
            if expected and shapes != expected:
                raise ModelFileError(
                    f"layer {name!r} has weights of shapes {shapes}, "
                    f"but the architecture needs {expected}."
                )
            self.nodes.append(_Node(name, class_name, layer_config, refs, list_input, weights))
            out_width = self._output_width(class_name, layer_config, refs, widths, in_width)
            for index in range(3):
                widths[(name, index)] = out_width
            previous = name
        self.output_name = previous
        if kind != "Sequential":
            outputs = config.get("output_layers") or []
            if outputs:
                first = outputs[0] if isinstance(outputs[0], list) else outputs
                self.output_name = first[0]

    @staticmethod
    def _input_names(config: dict[str, Any]) -> set[str]:
        inputs = config.get("input_layers") or []
        if inputs and not isinstance(inputs[0], list):
            inputs = [inputs]
        return {item[0] for item in inputs}

    @staticmethod
    def input_shape_of(layers: list[dict[str, Any]]) -> tuple[int, int]:
        """(input length, alphabet size) from an architecture's layers (the tutorial import
        reads it before building anything)."""
        for layer in layers:
            layer_config = layer.get("config", {})
            shape = (
                layer_config.get("batch_shape")
                or layer_config.get("batch_input_shape")
                or layer.get("build_config", {}).get("input_shape")
            )
            if shape:
                return int(shape[1]), int(shape[2])
        raise ModelFileError("the architecture does not say what shape its input has.")

    @staticmethod
    def _output_width(class_name, config, refs, widths, in_width) -> int:
        if class_name == "LSTM":
            return int(config["units"])
        if class_name == "Dense":
            return int(config["units"])
        if class_name == "TimeDistributed":
            return int(config["layer"]["config"]["units"])
        if class_name == "Concatenate":
            return sum(widths.get(ref, 0) for ref in refs)
        if class_name == "Attention":
            return widths.get(refs[1] if len(refs) > 1 else refs[0], in_width)
        return in_width

    @property
    def output_shape(self) -> tuple[int, int]:
        """(steps, symbols) of the network's output, found by running one zero sample."""
        out = self(np.zeros((1, *self.input_shape), np.float32))
        return out.shape[1], out.shape[2]

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Forward pass on (n, steps, symbols) one-hot inputs."""
        return self.forward(x)[(self.output_name, 0)]

    def forward(self, x: np.ndarray) -> dict[tuple[str, int], np.ndarray]:
        """Every layer's outputs, keyed by (layer name, output index), for a forward pass on
        (n, steps, symbols) one-hot inputs; the probe reads attention weights from it."""
        values: dict[tuple[str, int], np.ndarray] = {("input", 0): x}
        for node in self.nodes:
            args = [values[ref] for ref in node.inputs]
            arg: Any = args if node.list_input else args[0]
            outputs = _RUNNERS[node.class_name](node.config, node.weights, arg)
            for index, output in enumerate(outputs):
                values[(node.name, index)] = output
        return values

    @property
    def attention_name(self) -> str | None:
        """The name of the network's (first) Attention layer, or None if it has none."""
        return next((node.name for node in self.nodes if node.class_name == "Attention"), None)


# -- reading weights -------------------------------------------------------------------------------


def read_keras3_weights(path: Path, architecture: dict[str, Any]) -> list[Weights]:
    """Per-layer weights from a Keras 3 ``*.weights.h5`` file, in model order.

    Keras 3 names each layer's group by its class (``lstm``, ``lstm_1``, ``dense`` ...), counted
    in model order; LSTMs keep their variables under ``cell``, TimeDistributed under ``layer``.
    """
    seen: dict[str, int] = {}
    result: list[Weights] = []
    with h5py.File(path, "r") as handle:
        if "layers" not in handle:
            raise ModelFileError(
                f"{path.name} is not a Keras 3 weights file (it has no 'layers' group)."
            )
        groups = handle["layers"]
        for name, class_name, _ in NumpyNetwork.layer_specs(architecture):
            key = _snake_case(class_name)
            count = seen.get(key)
            seen[key] = 0 if count is None else count + 1
            if count is not None:
                key = f"{key}_{count + 1}"
            group = groups.get(key) or groups.get(name)
            result.append(_group_vars(group) if group is not None else [])
    return result


def _group_vars(group: h5py.Group) -> Weights:
    for sub in ("cell", "layer"):
        if sub in group and "vars" in group[sub]:
            group = group[sub]
            break
    if "vars" not in group:
        return []
    variables = group["vars"]
    return [np.asarray(variables[str(i)], np.float32) for i in range(len(variables))]


# -- the predictor ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """The model's answer to one expression, with how sure it was of each character."""

    expression: str
    """The expression as asked, canonical form."""
    text: str
    """What the model answered (may be malformed if the model is bad)."""
    expected: int
    """The true answer."""
    characters: tuple[str, ...]
    """Each output position's chosen symbol, in reading order (padding included)."""
    confidence: tuple[float, ...]
    """Softmax probability of each chosen symbol, in reading order."""

    @property
    def correct(self) -> bool:
        """Whether the whole answer is right."""
        return self.text == str(self.expected)


class Predictor:
    """A loaded model that answers questions without TensorFlow."""

    def __init__(self, spec: ProblemSpec, network: NumpyNetwork, name: str = "") -> None:
        self.spec = spec
        """The problem the model was trained on."""
        self.network = network
        """The numpy forward pass."""
        self.name = name
        """The model's name in the library, if it has one."""
        self._identity = np.eye(spec.alphabet_size, dtype=np.float32)

    def one_hot(self, inputs: np.ndarray) -> np.ndarray:
        """(n, input_length, alphabet) float32 one-hot vectors of (n, input_length) symbol ids."""
        return np.take(self._identity, inputs, axis=0)

    def probabilities(self, inputs: np.ndarray, batch_size: int = 4096) -> np.ndarray:
        """(n, output_length, alphabet) probabilities for (n, input_length) symbol ids."""
        outputs = [
            self.network(np.take(self._identity, inputs[start : start + batch_size], axis=0))
            for start in range(0, len(inputs), batch_size)
        ]
        return np.concatenate(outputs) if outputs else np.empty((0, *self.network.output_shape))

    def answer(self, expression: str) -> Answer:
        """Parse, check and answer one typed expression (raises ExpressionError if invalid)."""
        return self.answer_many([expression])[0]

    def answer_many(self, expressions: Sequence[str]) -> list[Answer]:
        """Answer several typed expressions in one forward pass."""
        parsed = [parse_expression(self.spec, text) for text in expressions]
        probabilities = self.probabilities(encode_expressions(self.spec, parsed))
        return self._answers(parsed, probabilities)

    def _answers(self, parsed, probabilities: np.ndarray) -> list[Answer]:
        texts = decode_answers(self.spec, probabilities)
        chosen = probabilities.argmax(axis=-1)
        confidence = np.take_along_axis(probabilities, chosen[..., None], axis=-1)[..., 0]
        if self.spec.reverse_output:
            chosen, confidence = chosen[:, ::-1], confidence[:, ::-1]
        alphabet = self.spec.alphabet
        return [
            Answer(
                expression.text,
                text,
                expression.value,
                tuple(alphabet[i] for i in row),
                tuple(float(p) for p in sure),
            )
            for expression, text, row, sure in zip(parsed, texts, chosen, confidence, strict=True)
        ]


def read_architecture_json(path: Path, label: str | None = None) -> dict[str, Any]:
    """A model architecture's JSON object; ``label`` names the file in messages."""
    label = label or path.name
    try:
        architecture = json.loads(path.read_text())
    except FileNotFoundError as error:
        raise ModelFileError(f"{label} does not exist.") from error
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFileError(f"{label} is not readable JSON ({error}).") from error
    if not isinstance(architecture, dict):
        raise ModelFileError(f"{label} does not describe a Keras model.")
    return architecture


def network_from_files(architecture_path: Path, weights_path: Path) -> NumpyNetwork:
    """Read an architecture JSON and a Keras 3 weights file into a `NumpyNetwork`."""
    architecture = read_architecture_json(architecture_path)
    try:
        weights = read_keras3_weights(weights_path, architecture)
    except FileNotFoundError as error:
        raise ModelFileError(f"{weights_path.name} is missing.") from error
    except ModelFileError:
        raise
    except (OSError, KeyError, ValueError) as error:
        raise ModelFileError(f"{weights_path.name} is not a readable HDF5 weights file.") from error
    try:
        return NumpyNetwork(architecture, weights)
    except (KeyError, IndexError, TypeError, StopIteration) as error:
        raise ModelFileError(
            f"{architecture_path.name} is not a model seq2add understands."
        ) from error


def network_from_keras(model: Any, architecture: dict[str, Any] | None = None) -> NumpyNetwork:
    """A `NumpyNetwork` from a live Keras model (used during and after training, and in tests).

    Pass the model's parsed ``to_json()`` as ``architecture`` when calling repeatedly: it
    doesn't change while training, and serialising it costs more than the forward pass.
    """
    architecture = architecture or json.loads(model.to_json())
    weights = [[np.asarray(w, np.float32) for w in layer.get_weights()] for layer in model.layers]
    weights = [
        w
        for layer, w in zip(model.layers, weights, strict=True)
        if layer.__class__.__name__ != "InputLayer"
    ]
    return NumpyNetwork(architecture, weights)
