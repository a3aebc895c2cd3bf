"""Honest scores for a model: exact-match first, then where and on what it goes wrong.

Per-character accuracy (what Keras and the notebook report) flatters a model: an answer with one
wrong digit out of two still counts as half right. A player only cares whether the whole answer is
right, so `exact_match` leads, with breakdowns that show which problems are hard.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from time import perf_counter
from typing import Any

import numpy as np

from core.data import (
    NO_OPERATOR,
    Batch,
    decode_answers,
    digit_counts,
    generate,
    small_problems,
    small_problems_enumerated,
)
from core.percent import BRIEF, percent
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

SMALL_OPERAND_LIMIT = 50_000
"""Small-operand questions are all scored when there are at most this many, else this many drawn
with a fixed seed."""

_SMALL_SEED = 20

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
class LengthCell(Breakdown):
    """Exact-match on one combination of operand lengths (one cell of the table)."""

    row: int = 0
    """Row of the table: digits of the first operand, or the number of terms."""
    column: int = 0
    """Column: digits of the second operand, or of the longest operand."""


@dataclass(frozen=True)
class LengthScores:
    """Exact-match where people look: on length-balanced questions, by operand lengths, and on
    every question whose operands are all small.

    Drawn uniformly by value, a range like 0–999,999,999 almost never asks about a number under
    100,000, so a model can score 99.9% there and still get ``7+8`` wrong.
    """

    samples: int
    """Length-balanced questions scored."""
    exact_match: float
    """Exact-match over them."""
    cells: list[LengthCell]
    """Each operand-length combination that was asked, row by row."""
    row_title: str
    """What rows count: ``first operand`` or ``terms``."""
    column_title: str
    """What columns count: ``second operand`` or ``longest operand``."""
    small_operands: Breakdown | None
    """Exact-match over questions with every operand ≤ 20 (None if the range has none)."""
    small_enumerated: bool
    """Whether ``small_operands`` is every such question (else a fixed-seed sample)."""

    @property
    def worst_cell(self) -> LengthCell | None:
        """The operand-length combination the model gets right least often."""
        asked = [cell for cell in self.cells if cell.total]
        return min(asked, key=lambda cell: cell.accuracy) if asked else None

    def worst_cell_dict(self) -> dict[str, float]:
        """``{"1+3 digits": 0.91}``: the worst cell's label and exact-match."""
        worst = self.worst_cell
        return {worst.label: round(worst.accuracy, 6)} if worst else {}

    def cell_table(self) -> dict[str, float]:
        """Every cell's exact-match by label, as stored with a model to warn about weak ones."""
        return {cell.label: round(cell.accuracy, 6) for cell in self.cells if cell.total}


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
    by_length: LengthScores | None = None
    """Scores on length-balanced and small-operand questions, when they were asked."""

    @property
    def exact_match_by_length(self) -> float | None:
        """Exact-match on length-balanced questions (None if not measured)."""
        return self.by_length.exact_match if self.by_length else None

    @property
    def headline_exact(self) -> float:
        """The lower of exact-match by value and by length: what a list should show."""
        return min(self.exact_match, self.exact_match_by_length or self.exact_match)

    def length_dict(self) -> dict[str, Any]:
        """The length-balanced figures under their public names (empty if not measured)."""
        scores = self.by_length
        if scores is None:
            return {}
        small = scores.small_operands
        return {
            "exact_match_by_length": round(scores.exact_match, 6),
            "worst_length_cell": scores.worst_cell_dict(),
            "small_operands": round(small.accuracy, 6) if small else None,
            "small_operands_questions": small.total if small else 0,
            "small_operands_enumerated": scores.small_enumerated,
            "length_samples": scores.samples,
            "length_cells": scores.cell_table(),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, for ``--json`` and ``spec.json``."""
        data = asdict(self)
        data.pop("by_length")
        data.update(self.length_dict())
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
            **self.length_dict(),
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
    *,
    by_length: bool = True,
) -> Evaluation:
    """Score a model on ``samples`` fresh problems drawn with ``seed`` uniformly by value and,
    unless ``by_length`` is off, on as many length-balanced ones and the small operands."""
    batch = generate(spec, samples, seed)
    start = perf_counter()
    output = probabilities(batch.inputs)
    lengths = length_scores(probabilities, spec, samples, seed) if by_length else None
    return replace(
        score(batch, output, examples=examples),
        seconds=perf_counter() - start,
        by_length=lengths,
    )


def length_scores(
    probabilities: ProbabilityFunction,
    spec: ProblemSpec,
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_EVALUATION_SEED,
) -> LengthScores:
    """Exact-match on ``samples`` length-balanced questions, by operand lengths, and on the
    small-operand questions (`core.data.small_problems`)."""
    batch = generate(spec, samples, seed, sampling="length")
    exact = _exact(batch, probabilities)
    rows, columns = length_coordinates(batch)
    two_terms = spec.min_terms == spec.max_terms == 2
    cells = []
    for row in np.unique(rows):
        for column in np.unique(columns[rows == row]):
            mask = (rows == row) & (columns == column)
            label = _cell_label(two_terms, int(row), int(column))
            cells.append(
                LengthCell(label, int(exact[mask].sum()), int(mask.sum()), int(row), int(column))
            )
    small_batch = small_problems(spec, SMALL_OPERAND_LIMIT, _SMALL_SEED)
    small = None
    if small_batch is not None:
        right = _exact(small_batch, probabilities)
        small = Breakdown("operands ≤ 20", int(right.sum()), len(right))
    return LengthScores(
        samples=len(batch),
        exact_match=float(exact.mean()),
        cells=cells,
        row_title="first operand" if two_terms else "terms",
        column_title="second operand" if two_terms else "longest operand",
        small_operands=small,
        small_enumerated=small_problems_enumerated(spec, SMALL_OPERAND_LIMIT),
    )


def length_coordinates(batch: Batch) -> tuple[np.ndarray, np.ndarray]:
    """Each question's cell: (digits of the first, of the second operand) for two-term problems,
    else (number of terms, digits of the longest operand)."""
    digits = digit_counts(batch.operands)
    spec = batch.spec
    if spec.min_terms == spec.max_terms == 2:
        return digits[:, 0], digits[:, 1]
    present = np.arange(spec.max_terms)[None, :] < batch.n_terms[:, None]
    return batch.n_terms, np.where(present, digits, 0).max(axis=1)


def length_cell_label(spec: ProblemSpec, operands: list[int]) -> str:
    """The cell a question of these operands falls in, labelled as `length_scores` labels it."""
    digits = [len(str(abs(v))) for v in operands]
    if spec.min_terms == spec.max_terms == 2:
        return _cell_label(True, digits[0], digits[1])
    return _cell_label(False, len(operands), max(digits))


def _cell_label(two_terms: bool, row: int, column: int) -> str:
    """``1+3 digits`` for two-term problems, else ``4 terms, longest 2 digits``."""
    if two_terms:
        return f"{row}+{column} digits"
    return f"{row} terms, longest {column} digit{'' if column == 1 else 's'}"


WEAK_CELL = 0.99
"""A length cell a model gets right less often than this earns a warning with its answers."""


def length_warning(spec: ProblemSpec, metrics: dict[str, Any], operands: list[int]) -> str | None:
    """A one-sentence warning when the model's own records (``spec.json`` metrics) show it is
    weak on questions with operands of these lengths; None when they don't, or say nothing."""
    cells = metrics.get("length_cells")
    if not isinstance(cells, dict):
        return None
    label = length_cell_label(spec, operands)
    accuracy = cells.get(label)
    if isinstance(accuracy, bool) or not isinstance(accuracy, (int, float)):
        return None
    if accuracy >= WEAK_CELL:
        return None
    return (
        f"this model got {percent(accuracy, BRIEF)} of {label} questions right when it was "
        "evaluated; this answer may be wrong."
    )


def _exact(batch: Batch, probabilities: ProbabilityFunction) -> np.ndarray:
    """Which answers of ``batch`` the model gets entirely right."""
    chosen = np.concatenate(
        [
            probabilities(batch.inputs[start : start + 10_000]).argmax(-1)
            for start in range(0, len(batch), 10_000)
        ]
    )
    return (chosen == batch.targets).all(axis=1)


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
