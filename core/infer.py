"""Answers in well under a millisecond, from the saved files, in plain numpy.

The quiz and ``seq2add predict`` must not wait seconds for TensorFlow, and calling a Keras model on
one sample costs tens of milliseconds. `NumpyNetwork` runs the forward pass the architecture JSON
describes (LSTM, RepeatVector, Dense, TimeDistributed, Attention, Concatenate) with weights read
straight from the HDF5 file.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from core.data import ExpressionError, decode_answers, encode_expressions, parse_expression
from core.model_files import (
    INPUT,
    MAX_ARCHITECTURE_BYTES,
    Architecture,
    LayerPlan,
    ModelFileError,
    Weights,
    read_architecture,
    read_json,
    read_weights,
    shown,
)
from core.spec import ProblemSpec

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
    # The plan keeps the inner Dense's config (see `core.model_files.LayerPlan`).
    return _run_dense(config, weights, x)


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


# -- the network -----------------------------------------------------------------------------------


@dataclass
class _Node:
    plan: LayerPlan
    weights: Weights


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

    Built from the architecture JSON (Keras 3's, or Keras 2's for Sequential models), checked
    and planned by `Architecture.parse`, and the weights of each layer in model order.
    """

    def __init__(
        self, architecture: dict[str, Any] | Architecture, layer_weights: list[Weights]
    ) -> None:
        _single_threaded_blas()
        if not isinstance(architecture, Architecture):
            architecture = Architecture.parse(architecture)
        self.architecture = architecture
        """The checked plan this network runs."""
        if len(architecture.layers) != len(layer_weights):
            raise ModelFileError("the weights do not hold one entry per layer")
        for plan, weights in zip(architecture.layers, layer_weights, strict=True):
            shapes = tuple(tuple(w.shape) for w in weights)
            if shapes != plan.weight_shapes:
                raise ModelFileError(
                    f"layer {shown(plan.name)} has weights of shapes {list(shapes)}, "
                    f"but the architecture needs {list(plan.weight_shapes)}"
                )
        self.nodes = [
            _Node(plan, weights)
            for plan, weights in zip(architecture.layers, layer_weights, strict=True)
        ]

    @property
    def input_shape(self) -> tuple[int, int]:
        """(steps, symbols) of one input sample."""
        return self.architecture.input_shape

    @property
    def output_shape(self) -> tuple[int, int]:
        """(steps, symbols) of one answer, known from the architecture without running it."""
        return self.architecture.output_shape

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Forward pass on (n, steps, symbols) one-hot inputs."""
        return self.forward(x)[self.architecture.output]

    def forward(self, x: np.ndarray) -> dict[tuple[str, int], np.ndarray]:
        """Every layer's outputs, keyed by (layer name, output index), for a forward pass on
        (n, steps, symbols) one-hot inputs; the probe reads attention weights from it."""
        values: dict[tuple[str, int], np.ndarray] = {(INPUT, 0): x}
        for node in self.nodes:
            plan = node.plan
            args = [values[ref] for ref in plan.inputs]
            arg: Any = args if plan.list_input else args[0]
            outputs = _RUNNERS[plan.kind](plan.config, node.weights, arg)
            for index, output in enumerate(outputs):
                values[(plan.name, index)] = output
        return values

    @property
    def output_name(self) -> str:
        """The layer whose first output is the answer."""
        return self.architecture.output[0]

    @property
    def attention_name(self) -> str | None:
        """The name of the network's (first) Attention layer, or None if it has none."""
        return next((n.plan.name for n in self.nodes if n.plan.kind == "Attention"), None)


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


BATCH_NUMBERS = 64_000_000
"""Most intermediate values one forward batch may hold (256 MB as float32)."""


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
        """(n, output_length, alphabet) probabilities for (n, input_length) symbol ids.

        Batches shrink for wide networks so one batch never holds more than
        `BATCH_NUMBERS` intermediate values.
        """
        batch_size = max(1, min(batch_size, BATCH_NUMBERS // self.network.architecture.activations))
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

    def answer_each(self, expressions: Sequence[str]) -> list[Answer | ExpressionError]:
        """Answer every valid expression in one forward pass; each invalid one gets, in its
        place, the error that says why, so one typo doesn't lose the other answers."""
        results: list[Answer | ExpressionError | None] = []
        parsed = []
        for text in expressions:
            try:
                parsed.append(parse_expression(self.spec, text))
                results.append(None)
            except ExpressionError as error:
                results.append(error)
        answers = iter(self.answer_parsed(parsed) if parsed else [])
        return [next(answers) if result is None else result for result in results]

    def answer_parsed(self, parsed: list) -> list[Answer]:
        """Answer already parsed expressions in one forward pass."""
        return self._answers(parsed, self.probabilities(encode_expressions(self.spec, parsed)))

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
    """A model architecture's JSON object, size- and depth-checked; ``label`` names the file."""
    document = read_json(path, label or path.name, MAX_ARCHITECTURE_BYTES)
    if not isinstance(document, dict):
        raise ModelFileError(f"{label or path.name} does not describe a Keras model")
    return document


def network_from_files(architecture_path: Path, weights_path: Path) -> NumpyNetwork:
    """Read an architecture JSON and a Keras 3 weights file into a `NumpyNetwork`.

    Everything is checked before it is allocated (see `core.model_files`).
    """
    _, architecture = read_architecture(architecture_path)
    return NumpyNetwork(architecture, read_weights(weights_path, architecture))


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
