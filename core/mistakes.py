"""The mistake gallery: wrong answers, grouped by what they share.

A list of 300 wrong sums says little; "most mistakes are 3-digit + 3-digit sums with 3 carries"
says where the model is weak. Each mistake keeps its question so a view can open it in the probe.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.data import NO_OPERATOR, Batch
from core.evaluate import carry_counts
from core.spec import OPERATORS

OPERATOR_SIGNS = {"+": "+", "-": "−", "*": "×", "/": "÷"}
"""How operators are printed in group labels."""


@dataclass(frozen=True)
class Mistake:
    """One wrong answer."""

    expression: str
    """The question, e.g. ``989+123``."""
    answer: str
    """What the model said."""
    truth: str
    """The right answer."""
    confidence: float
    """The probability the model gave its whole (wrong) answer: high means confidently wrong."""
    operand_lengths: tuple[int, ...]
    """Digits of each operand, left to right."""
    carries: int | None
    """Column carries of a pure sum (None when the expression has another operator)."""
    operators: str
    """The distinct operators used, in ``+-*/`` order."""

    @property
    def shape(self) -> str:
        """What it shares with similar mistakes: ``3+3 digits · 2 carries · +``."""
        parts = ["+".join(str(n) for n in self.operand_lengths) + " digits"]
        if self.carries is not None:
            parts.append(f"{self.carries} carr{'y' if self.carries == 1 else 'ies'}")
        parts.append(" ".join(OPERATOR_SIGNS[op] for op in self.operators))
        return " · ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "expression": self.expression,
            "answer": self.answer,
            "truth": self.truth,
            "confidence": round(self.confidence, 6),
            "group": self.shape,
        }


@dataclass(frozen=True)
class MistakeGroup:
    """Mistakes that share operand lengths, carries and operators."""

    label: str
    """The shared shape, e.g. ``3+3 digits · 3 carries · +``."""
    mistakes: tuple[Mistake, ...]
    """The mistakes, most confidently wrong first."""


def mistakes_in(
    batch: Batch, rows: Sequence[int] | np.ndarray, answers: Sequence[str], sure: np.ndarray
) -> list[Mistake]:
    """`Mistake` records for ``rows`` of ``batch``, given the model's ``answers`` to them and
    how sure it was (both in the order of ``rows``)."""
    rows = np.asarray(rows, np.intp)
    if not len(rows):
        return []
    operands = batch.operands[rows]
    codes = batch.operator_codes[rows]
    terms = batch.n_terms[rows]
    plus = OPERATORS.index("+")
    pure_sums = np.isin(codes, (plus, NO_OPERATOR)).all(axis=1)
    carries = carry_counts(operands)
    expressions = batch.expressions
    answer_texts = batch.answer_texts
    result = []
    for index, row in enumerate(rows):
        count = int(terms[index])
        used = {OPERATORS[code] for code in codes[index] if code != NO_OPERATOR}
        result.append(
            Mistake(
                expression=expressions[row],
                answer=answers[index],
                truth=answer_texts[row],
                confidence=float(sure[index]),
                operand_lengths=tuple(len(str(int(v))) for v in operands[index, :count]),
                carries=int(carries[index]) if pure_sums[index] else None,
                operators="".join(op for op in OPERATORS if op in used),
            )
        )
    return result


def group_mistakes(mistakes: Sequence[Mistake]) -> list[MistakeGroup]:
    """Mistakes grouped by shape, the largest group first, each most confidently wrong first."""
    groups: dict[str, list[Mistake]] = defaultdict(list)
    for mistake in mistakes:
        groups[mistake.shape].append(mistake)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    return [
        MistakeGroup(label, tuple(sorted(items, key=lambda m: -m.confidence)))
        for label, items in ordered
    ]
