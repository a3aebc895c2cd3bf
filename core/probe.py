"""Look inside one answer: what the model said, how sure it was, what else it considered, and
(for attention models) which input characters each answer character was read from.

Runs on the numpy path in well under a millisecond, so the probe can follow every keystroke; the
attention weights come from the same forward pass as the answer (`NumpyNetwork.forward`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.data import decode_answers, encode_expressions, parse_expression
from core.infer import Predictor

TOP_ALTERNATIVES = 3
"""How many candidate symbols the probe lists for each answer character."""

NO_ATTENTION_NOTE = (
    "This model (plain seq2seq) has no attention: its decoder reads one summary vector of the "
    "whole expression, so there is no map of where it looked; per-position confidence is shown "
    "instead."
)
"""Said in place of the attention map for models without an Attention layer."""


@dataclass(frozen=True)
class Alternative:
    """One symbol the model considered for an answer character."""

    symbol: str
    """The symbol (the padding symbol means 'nothing here')."""
    probability: float
    """The softmax probability the model gave it."""


@dataclass(frozen=True)
class ProbeResult:
    """Everything the probe shows about one expression; positions are in reading order."""

    expression: str
    """The expression, canonical form (``13+6+10``)."""
    answer: str
    """What the model answered, padding stripped."""
    truth: str
    """The true answer."""
    input_characters: tuple[str, ...]
    """The model's input as a person reads it, padding included (one per attention column)."""
    answer_characters: tuple[str, ...]
    """The model's chosen symbol at each output position, padding included."""
    alternatives: tuple[tuple[Alternative, ...], ...]
    """For each answer character, the `TOP_ALTERNATIVES` likeliest symbols, best first."""
    attention: tuple[tuple[float, ...], ...] | None
    """(answer characters × input characters) attention weights, each row summing to 1; None
    for a model without attention."""
    pad_char: str = " "
    """The spec's padding symbol, so views can show padding as padding."""

    @property
    def correct(self) -> bool:
        """Whether the whole answer is right."""
        return self.answer == self.truth

    @property
    def confidence(self) -> tuple[float, ...]:
        """The probability of each chosen answer character."""
        return tuple(choices[0].probability for choices in self.alternatives)

    @property
    def has_attention(self) -> bool:
        """Whether the model has attention weights to show."""
        return self.attention is not None

    def strongest_inputs(self, row: int) -> list[int]:
        """Input positions answer character ``row`` read from most, strongest first."""
        if self.attention is None:
            return []
        weights = self.attention[row]
        return sorted(range(len(weights)), key=lambda column: -weights[column])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``seq2add predict --explain --json``)."""
        data: dict[str, Any] = {
            "expression": self.expression,
            "answer": self.answer,
            "truth": self.truth,
            "correct": self.correct,
            "input_characters": list(self.input_characters),
            "answer_characters": list(self.answer_characters),
            "character_confidence": [round(p, 6) for p in self.confidence],
            "alternatives": [
                [{"symbol": a.symbol, "probability": round(a.probability, 6)} for a in choices]
                for choices in self.alternatives
            ],
            "attention": (
                None
                if self.attention is None
                else [[round(w, 6) for w in row] for row in self.attention]
            ),
        }
        if self.attention is None:
            data["attention_note"] = NO_ATTENTION_NOTE
        return data


def attention_weights(predictor: Predictor, inputs: np.ndarray) -> np.ndarray | None:
    """(n, output_length, input_length) attention weights in the model's own step order, for
    (n, input_length) symbol ids; None if the model has no attention."""
    network = predictor.network
    name = network.attention_name
    if name is None:
        return None
    values = network.forward(predictor.one_hot(inputs))
    return values[(name, 1)]


def probe(predictor: Predictor, text: str) -> ProbeResult:
    """Ask ``predictor`` one typed expression and keep everything there is to see.

    Raises `core.data.ExpressionError` (one sentence) for an expression the model can't be asked.
    """
    return probe_many(predictor, [text])[0]


def probe_many(predictor: Predictor, texts: Sequence[str]) -> list[ProbeResult]:
    """`probe` for several expressions, in one forward pass."""
    spec = predictor.spec
    parsed = [parse_expression(spec, text) for text in texts]
    if not parsed:
        return []
    inputs = encode_expressions(spec, parsed)
    network = predictor.network
    values = network.forward(predictor.one_hot(inputs))
    probabilities = values[(network.output_name, 0)]
    name = network.attention_name
    attention = values[(name, 1)] if name is not None else None
    answers = decode_answers(spec, probabilities)
    alphabet = spec.alphabet
    # Reading order: flip what the spec feeds or emits backwards.
    if spec.reverse_output:
        probabilities = probabilities[:, ::-1]
        if attention is not None:
            attention = attention[:, ::-1]
    if spec.reverse_input:
        inputs = inputs[:, ::-1]
        if attention is not None:
            attention = attention[:, :, ::-1]
    ranked = np.argsort(-probabilities, axis=-1, kind="stable")[..., :TOP_ALTERNATIVES]
    top = np.take_along_axis(probabilities, ranked, axis=-1)
    results = []
    for row, expression in enumerate(parsed):
        alternatives = tuple(
            tuple(
                Alternative(alphabet[symbol], float(p))
                for symbol, p in zip(ranked[row, step], top[row, step], strict=True)
            )
            for step in range(ranked.shape[1])
        )
        results.append(
            ProbeResult(
                expression=expression.text,
                answer=answers[row],
                truth=str(expression.value),
                input_characters=tuple(alphabet[i] for i in inputs[row]),
                answer_characters=tuple(choices[0].symbol for choices in alternatives),
                alternatives=alternatives,
                attention=(
                    None
                    if attention is None
                    else tuple(tuple(float(w) for w in step) for step in attention[row])
                ),
                pad_char=spec.pad_char,
            )
        )
    return results
