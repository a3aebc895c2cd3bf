"""Honest scores for a model: exact-match first, then where and on what it goes wrong.

Per-character accuracy (what Keras and the notebook report) flatters a model: an answer with one
wrong digit out of two still counts as half right. A player only cares whether the whole answer is
right, so `exact_match` leads, with breakdowns that show which problems are hard.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from time import perf_counter
from typing import Any

import numpy as np

from core.data import NO_OPERATOR, Batch, decode_answers, generate
from core.spec import OPERATORS, ProblemSpec

ProbabilityFunction = Callable[[np.ndarray], np.ndarray]
"""Maps (n, input_length) symbol ids to (n, output_length, alphabet) probabilities."""

DEFAULT_SAMPLES = 10_000
"""The notebook evaluates on 10,000 fresh samples."""

MAX_SAMPLES = 1_000_000
"""Most samples one evaluation may score; the app's form and the CLI refuse more, whose arrays
would take gigabytes."""

DEFAULT_EVALUATION_SEED = 20_251_130
"""Fixed so repeated evaluations compare like with like, and distinct from training seeds."""

_EPSILON = 1e-7  # Keras clips probabilities this far from 0 and 1 in cross-entropy


@dataclass(frozen=True)
class Breakdown:
    """Exact-match accuracy on one slice of the samples."""

    label: str
    """What the slice is, e.g. ``×`` or ``3 terms`` or ``2 carries``."""
    correct: int
    """Answers right in this slice."""
    total: int
    """Samples in this slice."""

    @property
    def accuracy(self) -> float:
        """Fraction right (0 for an empty slice)."""
        return self.correct / self.total if self.total else 0.0


@dataclass(frozen=True)
class SamplePrediction:
    """One question, the model's answer and the truth."""

    expression: str
    """The question, e.g. ``10+3+7``."""
    predicted: str
    """The model's answer."""
    expected: str
    """The true answer."""

    @property
    def correct(self) -> bool:
        """Whether the whole answer is right."""
        return self.predicted == self.expected

    def line(self) -> str:
        """The notebook's form: ``10+3+7 = 20 (expected 20)``."""
        return f"{self.expression} = {self.predicted} (expected {self.expected})"


@dataclass(frozen=True)
class Evaluation:
    """A model's scores on a batch of fresh samples."""

    samples: int
    """How many samples were scored."""
    loss: float
    """Mean categorical cross-entropy per output character."""
    char_accuracy: float
    """Fraction of output characters right (padding included, as Keras counts)."""
    exact_match: float
    """Fraction of answers entirely right."""
    exact_correct: int
    """Number of answers entirely right."""
    per_position: list[float]
    """Accuracy of each output character, left to right as the answer reads."""
    by_operator: list[Breakdown] = field(default_factory=list)
    """Exact-match on expressions containing each operator."""
    by_terms: list[Breakdown] = field(default_factory=list)
    """Exact-match by number of terms."""
    by_carries: list[Breakdown] = field(default_factory=list)
    """Exact-match of pure sums by how many carries the column addition needs."""
    examples: list[SamplePrediction] = field(default_factory=list)
    """A few predictions to show, wrong ones first."""
    seconds: float = 0.0
    """Time the scoring took."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, for ``--json`` and ``spec.json``."""
        data = asdict(self)
        for key in ("by_operator", "by_terms", "by_carries"):
            data[key] = [
                {"label": b.label, "correct": b.correct, "total": b.total, "accuracy": b.accuracy}
                for b in getattr(self, key)
            ]
        data["examples"] = [
            {**asdict(e), "correct": e.correct, "line": e.line()} for e in self.examples
        ]
        return data

    def summary(self) -> dict[str, Any]:
        """The headline figures, stored with a saved model."""
        return {
            "samples": self.samples,
            "loss": round(self.loss, 6),
            "char_accuracy": round(self.char_accuracy, 6),
            "exact_match": round(self.exact_match, 6),
            "exact_correct": self.exact_correct,
            "per_position": [round(p, 6) for p in self.per_position],
        }


_OPERATOR_LABELS = {"+": "+", "-": "−", "*": "×", "/": "÷"}


def score(
    batch: Batch, probabilities: np.ndarray, examples: int = 10, seconds: float = 0.0
) -> Evaluation:
    """Score ``probabilities`` against the truth in ``batch``."""
    spec = batch.spec
    n = len(batch)
    chosen = probabilities.argmax(axis=-1)
    right_chars = chosen == batch.targets
    truth = np.take_along_axis(probabilities, batch.targets[..., None].astype(np.intp), axis=-1)
    loss = float(-np.log(np.clip(truth, _EPSILON, 1 - _EPSILON)).mean())
    exact = right_chars.all(axis=1)
    in_reading_order = right_chars[:, ::-1] if spec.reverse_output else right_chars

    def slice_of(label: str, mask: np.ndarray) -> Breakdown:
        return Breakdown(label, int(exact[mask].sum()), int(mask.sum()))

    by_operator = [
        slice_of(_OPERATOR_LABELS[op], batch.contains_operator(op)) for op in spec.operators
    ]
    by_terms = [slice_of(f"{t} terms", batch.n_terms == t) for t in spec.term_counts]
    by_carries: list[Breakdown] = []
    if "+" in spec.operators:
        plus = OPERATORS.index("+")
        pure_sums = np.isin(batch.operator_codes, (plus, NO_OPERATOR)).all(axis=1)
        carries = carry_counts(batch.operands)
        for count in np.unique(carries[pure_sums]):
            label = f"{count} carr{'y' if count == 1 else 'ies'}"
            by_carries.append(slice_of(label, pure_sums & (carries == count)))

    predicted = decode_answers(spec, chosen)
    chosen_examples = _examples(batch, predicted, exact, examples)
    return Evaluation(
        samples=n,
        loss=loss,
        char_accuracy=float(right_chars.mean()),
        exact_match=float(exact.mean()),
        exact_correct=int(exact.sum()),
        per_position=[float(p) for p in in_reading_order.mean(axis=0)],
        by_operator=by_operator,
        by_terms=by_terms,
        by_carries=by_carries,
        examples=chosen_examples,
        seconds=seconds,
    )


def _examples(
    batch: Batch, predicted: list[str], exact: np.ndarray, count: int
) -> list[SamplePrediction]:
    """Up to ``count`` distinct questions: mistakes first (at most half), then right answers."""
    picked: dict[str, SamplePrediction] = {}
    for rows, limit in ((np.flatnonzero(~exact), count // 2), (np.flatnonzero(exact), count)):
        for row in rows:
            if len(picked) >= limit:
                break
            expression = batch.expressions[row]
            picked.setdefault(
                expression, SamplePrediction(expression, predicted[row], batch.answer_texts[row])
            )
    return list(picked.values())


def evaluate(
    probabilities: ProbabilityFunction,
    spec: ProblemSpec,
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_EVALUATION_SEED,
    examples: int = 10,
) -> Evaluation:
    """Score a model on ``samples`` fresh problems drawn with ``seed``."""
    batch = generate(spec, samples, seed)
    start = perf_counter()
    output = probabilities(batch.inputs)
    return score(batch, output, examples=examples, seconds=perf_counter() - start)


def carry_counts(operands: np.ndarray) -> np.ndarray:
    """How many columns carry when adding each row's operands by hand (absent terms are 0)."""
    carries = np.zeros(len(operands), np.int64)
    carry = np.zeros(len(operands), np.int64)
    remaining = operands.copy()
    while remaining.any() or carry.any():
        column = remaining % 10
        total = column.sum(axis=1) + carry
        carry = total // 10
        carries += carry > 0
        remaining //= 10
    return carries
