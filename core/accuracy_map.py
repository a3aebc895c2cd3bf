"""Where a model is right and wrong: exact-match over a grid of problem shapes.

Two-term problems are mapped by the two operands (their values, or their digit counts when the
range is wide); longer ones by the number of terms × the largest operand. Questions are spread
evenly over the cells where the operators allow it (sums and differences), so a 1-digit + 1-digit
cell of a nine-digit problem is measured as well as a 9 + 9 one; small problems are mapped
exhaustively. The wrong answers found feed the mistake gallery (`core.mistakes`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any

import numpy as np

from core.data import (
    NO_OPERATOR,
    Batch,
    all_problems,
    decode_answers,
    generate,
    problem_count,
    render_answers,
    render_expressions,
)
from core.evaluate import DEFAULT_EVALUATION_SEED
from core.infer import Predictor
from core.mistakes import Mistake, mistakes_in
from core.spec import OPERATORS, ProblemSpec, digit_count

DEFAULT_MAP_SAMPLES = 10_000
"""Questions a map asks by default: enough for ~100 per cell of a 10 × 10 grid."""

MAX_VALUE_COLUMNS = 20
"""Operand ranges with at most this many values get one column per value; wider ones one per
digit count (a 1000-column grid reads as nothing at 80 columns)."""

MAX_MISTAKES_KEPT = 500
"""Wrong answers a map keeps for the gallery; a bad model makes thousands, alike."""

_CHUNK = 1_000
"""Questions per forward pass: small enough for a smooth progress bar, large enough to be fast."""

_POW10 = 10 ** np.arange(1, 19, dtype=np.int64)

Progress = Callable[[int, int], None]
"""Called with (questions answered, questions in all) after each chunk."""


@dataclass(frozen=True)
class Axis:
    """One side of the grid: how problems are binned along it."""

    name: str
    """What it measures, e.g. ``first operand`` or ``digits of the largest operand``."""
    labels: tuple[str, ...]
    """One label per bin, e.g. ``7`` or ``3 digits``."""
    lows: tuple[int, ...]
    """Smallest value in each bin."""
    highs: tuple[int, ...]
    """Largest value in each bin."""

    def bins(self, values: np.ndarray) -> np.ndarray:
        """The bin index of each value."""
        return np.searchsorted(np.asarray(self.highs, np.int64), values, side="left")


@dataclass(frozen=True)
class MapCell:
    """Exact-match on one cell of the map."""

    row: int
    """Row index."""
    column: int
    """Column index."""
    label: str
    """Where the cell is, in words: ``3 digits + 2 digits`` or ``4 terms, largest 7``."""
    correct: int
    """Answers right in the cell."""
    total: int
    """Questions asked in the cell (0: none possible or none drawn)."""
    example: str
    """A question from the cell to open in the probe: its first mistake, else its first question."""

    @property
    def accuracy(self) -> float:
        """Fraction right (1 for an empty cell, which has shown no mistake)."""
        return self.correct / self.total if self.total else 1.0


@dataclass(frozen=True)
class AccuracyMap:
    """A model's exact-match over a grid of problem shapes, and the mistakes found on the way."""

    rows: Axis
    """The vertical axis."""
    columns: Axis
    """The horizontal axis."""
    cells: tuple[MapCell, ...]
    """Every cell, row by row."""
    samples: int
    """Questions asked in all."""
    exhaustive: bool
    """Whether every possible question was asked (so the map is exact, not an estimate)."""
    mistakes: tuple[Mistake, ...] = field(default=())
    """Wrong answers found (at most `MAX_MISTAKES_KEPT`), in the order they were asked."""
    seconds: float = 0.0
    """Time the map took."""

    @property
    def correct(self) -> int:
        """Answers right over the whole map."""
        return sum(cell.correct for cell in self.cells)

    def cell(self, row: int, column: int) -> MapCell:
        """The cell at (``row``, ``column``)."""
        return self.cells[row * len(self.columns.labels) + column]

    def worst(self, count: int = 5) -> list[MapCell]:
        """Up to ``count`` cells with mistakes, worst first (ties: the better-measured first)."""
        wrong = [cell for cell in self.cells if cell.correct < cell.total]
        return sorted(wrong, key=lambda cell: (cell.accuracy, -cell.total))[:count]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``seq2add evaluate --map --json``)."""
        return {
            "rows": self.rows.name,
            "columns": self.columns.name,
            "row_labels": list(self.rows.labels),
            "column_labels": list(self.columns.labels),
            "correct": [
                [self.cell(r, c).correct for c in range(len(self.columns.labels))]
                for r in range(len(self.rows.labels))
            ],
            "total": [
                [self.cell(r, c).total for c in range(len(self.columns.labels))]
                for r in range(len(self.rows.labels))
            ],
            "samples": self.samples,
            "exhaustive": self.exhaustive,
            "worst": [
                {
                    "label": cell.label,
                    "correct": cell.correct,
                    "total": cell.total,
                    "accuracy": round(cell.accuracy, 6),
                    "example": cell.example,
                }
                for cell in self.worst()
            ],
        }


def operand_axis(spec: ProblemSpec, name: str) -> Axis:
    """Operand values as bins: one per value when few, else one per digit count."""
    low, high = spec.smallest, spec.largest
    if high - low + 1 <= MAX_VALUE_COLUMNS:
        values = tuple(range(low, high + 1))
        return Axis(name, tuple(str(v) for v in values), values, values)
    lows, highs, labels = [], [], []
    for digits in range(digit_count(low), digit_count(high) + 1):
        lows.append(max(low, 10 ** (digits - 1) if digits > 1 else 0))
        highs.append(min(high, 10**digits - 1))
        labels.append(f"{digits} digit{'s' if digits > 1 else ''}")
    return Axis(f"digits of the {name}", tuple(labels), tuple(lows), tuple(highs))


def is_two_term(spec: ProblemSpec) -> bool:
    """Whether the map is by the two operands (every problem has exactly two terms)."""
    return spec.min_terms == spec.max_terms == 2


def map_axes(spec: ProblemSpec) -> tuple[Axis, Axis]:
    """(rows, columns) of ``spec``'s map."""
    if is_two_term(spec):
        return operand_axis(spec, "first operand"), operand_axis(spec, "second operand")
    terms = tuple(spec.term_counts)
    labels = tuple(f"{t} term{'s' if t > 1 else ''}" for t in terms)
    return Axis("terms", labels, terms, terms), operand_axis(spec, "largest operand")


def _cell_label(spec: ProblemSpec, rows: Axis, columns: Axis, row: int, column: int) -> str:
    if is_two_term(spec):
        joiner = spec.operators if len(spec.operators) == 1 else "∘"
        return f"{rows.labels[row]} {joiner} {columns.labels[column]}"
    largest = columns.labels[column]
    return f"{rows.labels[row]}, largest {'has ' if 'digit' in largest else ''}{largest}"


def map_questions(spec: ProblemSpec, samples: int, seed: int) -> tuple[Batch, bool]:
    """The questions to map and whether they are every possible one.

    Small problems are asked exhaustively; sums and differences are drawn evenly per cell;
    other operators (whose divisions must come out whole) are drawn as training draws them.
    """
    if problem_count(spec) <= samples:
        batch = all_problems(spec, limit=samples)
        if batch is not None:
            return batch, True
    if set(spec.operators) <= {"+", "-"}:
        return _balanced(spec, samples, np.random.default_rng(seed)), False
    return generate(spec, samples, seed), False


def _balanced(spec: ProblemSpec, samples: int, rng: np.random.Generator) -> Batch:
    """Sums and differences spread evenly over the map's cells."""
    rows, columns = map_axes(spec)
    cells = [(r, c) for r in range(len(rows.labels)) for c in range(len(columns.labels))]
    counts = np.full(len(cells), samples // len(cells))
    counts[: samples % len(cells)] += 1
    width = spec.max_terms
    operands = np.zeros((samples, width), np.int64)
    n_terms = np.zeros(samples, np.int64)
    start = 0
    for (r, c), count in zip(cells, counts, strict=True):
        part = slice(start, start + count)
        start += count
        if is_two_term(spec):
            n_terms[part] = 2
            operands[part, 0] = rng.integers(rows.lows[r], rows.highs[r] + 1, count)
            operands[part, 1] = rng.integers(columns.lows[c], columns.highs[c] + 1, count)
            continue
        terms = rows.lows[r]
        n_terms[part] = terms
        # Every operand up to the column's top, then one of them moved into the column's range
        # so the column really holds the largest operand.
        block = rng.integers(spec.smallest, columns.highs[c] + 1, (count, terms))
        chosen = rng.integers(0, terms, count)
        block[np.arange(count), chosen] = rng.integers(columns.lows[c], columns.highs[c] + 1, count)
        operands[part, :terms] = block
    allowed = np.array([OPERATORS.index(op) for op in spec.operators], np.uint8)
    codes = allowed[rng.integers(0, len(allowed), (samples, width - 1))]
    codes[np.arange(width - 1)[None, :] >= n_terms[:, None] - 1] = NO_OPERATOR
    minus = codes == OPERATORS.index("-")
    answers = operands[:, 0] + np.where(minus, -operands[:, 1:], operands[:, 1:]).sum(axis=1)
    inputs = render_expressions(spec, operands, codes, n_terms)
    targets = render_answers(spec, answers)
    return Batch(spec, operands, codes, n_terms, answers, inputs, targets)


def cell_indexes(spec: ProblemSpec, batch: Batch) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of each question of ``batch`` on ``spec``'s map."""
    rows, columns = map_axes(spec)
    if is_two_term(spec):
        return rows.bins(batch.operands[:, 0]), columns.bins(batch.operands[:, 1])
    row = np.searchsorted(np.asarray(rows.lows), batch.n_terms)
    return row, columns.bins(batch.operands.max(axis=1))


def accuracy_map(
    predictor: Predictor,
    samples: int = DEFAULT_MAP_SAMPLES,
    seed: int = DEFAULT_EVALUATION_SEED,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> AccuracyMap | None:
    """Ask ``predictor`` ``samples`` questions spread over its map and score each cell.

    Returns None if ``cancelled`` turned true part-way (the app asked for a newer map).
    """
    start = perf_counter()
    spec = predictor.spec
    batch, exhaustive = map_questions(spec, samples, seed)
    n = len(batch)
    chosen = np.empty((n, spec.output_length), np.intp)
    sure = np.empty(n, np.float64)
    for first in range(0, n, _CHUNK):
        if cancelled is not None and cancelled():
            return None
        part = slice(first, first + _CHUNK)
        probabilities = predictor.probabilities(batch.inputs[part])
        chosen[part] = probabilities.argmax(axis=-1)
        # The probability of the whole answer: how sure the model was of what it said.
        sure[part] = np.prod(probabilities.max(axis=-1), axis=-1)
        if progress is not None:
            progress(min(first + _CHUNK, n), n)
    exact = (chosen == batch.targets).all(axis=1)
    rows, columns = map_axes(spec)
    row_of, column_of = cell_indexes(spec, batch)
    flat = row_of * len(columns.labels) + column_of
    size = len(rows.labels) * len(columns.labels)
    totals = np.bincount(flat, minlength=size)
    rights = np.bincount(flat, weights=exact, minlength=size).astype(np.int64)
    wrong_rows = np.flatnonzero(~exact)
    examples: dict[int, int] = {}
    for index in wrong_rows:
        examples.setdefault(int(flat[index]), int(index))
    for index in range(n):
        if len(examples) == size:
            break
        examples.setdefault(int(flat[index]), index)
    expressions = batch.expressions
    cells = tuple(
        MapCell(
            row=cell // len(columns.labels),
            column=cell % len(columns.labels),
            label=_cell_label(
                spec, rows, columns, cell // len(columns.labels), cell % len(columns.labels)
            ),
            correct=int(rights[cell]),
            total=int(totals[cell]),
            example=expressions[examples[cell]] if cell in examples else "",
        )
        for cell in range(size)
    )
    kept = wrong_rows[:MAX_MISTAKES_KEPT]
    mistakes = mistakes_in(batch, kept, decode_answers(spec, chosen[kept]), sure[kept])
    return AccuracyMap(
        rows=rows,
        columns=columns,
        cells=cells,
        samples=n,
        exhaustive=exhaustive,
        mistakes=tuple(mistakes),
        seconds=perf_counter() - start,
    )
