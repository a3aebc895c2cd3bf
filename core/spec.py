"""The arithmetic problem a model learns: operators, terms, operand range and string layout.

A `ProblemSpec` is frozen and validated on construction. Everything the model's tensors depend on
(alphabet, input length, output length) is derived from it, never typed by hand, so data, model,
saved files and the quiz can never disagree about shapes.
"""

from __future__ import annotations

from dataclasses import asdict
from functools import cached_property, lru_cache
from typing import Any

from core.settings import OPERATORS as OPERATORS
from core.settings import SpecError as SpecError
from core.settings import parse_terms as parse_terms
from core.settings import settings_record

DIGITS = "0123456789"
MAX_TERMS = 12
"""Longest expression (in terms) a spec may ask for; enough for every preset and the app's form."""

MAX_OPERAND = 999_999_999_999
"""Largest operand: twelve digits."""

MAX_DIVISION_ONLY_LARGEST = 1_000
"""Division-only problems are capped here: their longest valid expression is found by search."""

MAX_ANSWER = 10**18 - 1
"""Answers are computed in int64; this keeps every result (and its negation) representable."""

_OPERATOR_NAMES = {"+": "addition", "-": "subtraction", "*": "multiplication", "/": "division"}


def digit_count(value: int) -> int:
    """Number of decimal digits of a non-negative integer (0 has one)."""
    return len(str(abs(value)))


@settings_record("problem", after={"pad_char": "pad_side"})
class ProblemSpec:
    """What the model is asked to compute, and how the strings are laid out.

    The default is the notebook's problem: three terms of 1–10 added, left-padded with spaces.
    The fields a person sets, their defaults and simple checks are the 'problem' settings of
    `core.settings.SETTINGS`; the checks across fields are below.
    """

    pad_char: str = " "
    """The padding symbol; always the last symbol of the alphabet."""
    notebook_lengths: bool = False
    """Use the notebook's length formulas (for imported tutorial models), not the true maxima."""

    def __post_init__(self) -> None:
        for name in ("min_terms", "max_terms"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise SpecError(name, f"{name} must be a whole number, not {value!r}.")
        if not 1 <= self.min_terms <= MAX_TERMS:
            raise SpecError(
                "terms", f"terms must be between 1 and {MAX_TERMS}, not {self.min_terms}."
            )
        if not self.min_terms <= self.max_terms <= MAX_TERMS:
            raise SpecError(
                "terms",
                f"the most terms must be between {self.min_terms} and {MAX_TERMS}, "
                f"not {self.max_terms}.",
            )
        if not 0 <= self.smallest <= MAX_OPERAND:
            raise SpecError("smallest", f"smallest must be between 0 and {MAX_OPERAND:,}.")
        if not 1 <= self.largest <= MAX_OPERAND:
            raise SpecError("largest", f"largest must be between 1 and {MAX_OPERAND:,}.")
        if self.smallest > self.largest:
            raise SpecError(
                "smallest",
                f"smallest ({self.smallest}) must not exceed largest ({self.largest}).",
            )
        if len(self.pad_char) != 1 or self.pad_char in DIGITS + OPERATORS:
            raise SpecError(
                "pad_char",
                "pad_char must be a single symbol that is neither a digit nor an operator.",
            )
        if self.notebook_lengths and (self.operators != "+" or self.min_terms != self.max_terms):
            raise SpecError(
                "notebook_lengths",
                "the notebook's length formulas only cover sums with a fixed number of terms.",
            )
        self._check_feasible()
        low, high = self.answer_range
        if max(abs(low), abs(high)) > MAX_ANSWER:
            raise SpecError(
                "largest",
                f"answers can reach {digit_count(max(abs(low), abs(high)))} digits, more than the "
                f"{digit_count(MAX_ANSWER)} that fit; lower largest or the number of terms.",
            )

    # -- construction helpers -------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The spec's fields plus its derived values, for ``spec.json`` and ``--json`` output."""
        data = asdict(self)
        data["alphabet"] = self.alphabet
        data["input_length"] = self.input_length
        data["output_length"] = self.output_length
        return data

    # -- derived values ---------------------------------------------------------------------------

    @cached_property
    def alphabet(self) -> str:
        """Digits, then the operators used, then padding; negative answers reuse ``-``."""
        return DIGITS + self.operators + self.pad_char

    @property
    def alphabet_size(self) -> int:
        """Number of symbols, the width of every one-hot vector."""
        return len(self.alphabet)

    @cached_property
    def input_length(self) -> int:
        """Characters in the longest valid expression.

        With any of + - * that is every operand at its widest; a division-only chain rarely
        allows that (``10/10/10`` is not whole), so its longest form is searched for.
        """
        if self.operators == "/" and not self.align_operands:
            return max(
                _longest_division_chain(self.smallest, self.largest, t) for t in self.term_counts
            )
        return self.max_terms * digit_count(self.largest) + self.max_terms - 1

    @cached_property
    def output_length(self) -> int:
        """Characters in the longest answer, a minus sign included."""
        if self.notebook_lengths:
            # The notebook's own formula, ceil(log10(n * (largest + 1))), in integer arithmetic.
            return digit_count(self.max_terms * (self.largest + 1) - 1)
        low, high = self.answer_range
        return max(len(str(low)), len(str(high)))

    @cached_property
    def answer_range(self) -> tuple[int, int]:
        """Lowest and highest answer of any valid expression (lowest is 0 when none is negative)."""
        bounds = [_expression_bounds(self, terms) for terms in self.term_counts]
        return min(b[0] for b in bounds), max(b[1] for b in bounds)

    @property
    def term_counts(self) -> range:
        """Every number of terms an expression may have."""
        return range(self.min_terms, self.max_terms + 1)

    @property
    def divisor_floor(self) -> int:
        """Smallest allowed divisor: operands below 1 can't divide."""
        return max(self.smallest, 1)

    def describe(self) -> str:
        """A short human description, e.g. ``3 terms of 1–10, +``."""
        terms = (
            f"{self.min_terms}"
            if self.min_terms == self.max_terms
            else f"{self.min_terms}–{self.max_terms}"
        )
        noun = "term" if terms == "1" else "terms"
        return f"{terms} {noun} of {self.smallest:,}–{self.largest:,}, {' '.join(self.operators)}"

    @property
    def terms_text(self) -> str:
        """The terms field as typed: ``3`` or ``2-5``."""
        if self.min_terms == self.max_terms:
            return str(self.min_terms)
        return f"{self.min_terms}-{self.max_terms}"

    def operator_names(self) -> list[str]:
        """Plain names of the operators used, for people."""
        return [_OPERATOR_NAMES[op] for op in self.operators]

    # -- validation helpers -----------------------------------------------------------------------

    def _check_feasible(self) -> None:
        """Division-only chains need operands large enough to divide whole, every step."""
        if self.operators != "/":
            return
        if self.largest > MAX_DIVISION_ONLY_LARGEST:
            raise SpecError(
                "largest",
                f"division-only problems go up to largest {MAX_DIVISION_ONLY_LARGEST:,}; "
                "add another operator for larger numbers.",
            )
        for terms in self.term_counts:
            if not _division_chain_possible(self, terms):
                raise SpecError(
                    "largest",
                    f"with only '/', {terms} terms need largest ≥ {self.divisor_floor}^{terms - 1} "
                    "so every division can come out whole; raise largest or use fewer terms.",
                )


# -- exact answer bounds ---------------------------------------------------------------------------
#
# An expression is a sum of signed "groups", each a chain of * and / over consecutive operands.
# Groups draw on disjoint operands, so the extremes of the whole are sums of the extremes of the
# groups, maximised over how the terms split into groups. tests/test_spec.py checks these against
# exhaustive enumeration of small problems.


def _division_chain_possible(spec: ProblemSpec, size: int) -> bool:
    """Can ``a / b / c ...`` with ``size`` operands come out whole at every step?"""
    return size == 1 or spec.smallest == 0 or spec.divisor_floor ** (size - 1) <= spec.largest


@lru_cache(maxsize=64)
def _longest_division_chain(smallest: int, largest: int, terms: int) -> int:
    """Length of the longest ``a/b/c...`` of ``terms`` operands whose every division is whole.

    Dynamic programming over the running value, which never exceeds ``largest``.
    """
    floor = max(smallest, 1)
    divisors: list[list[int]] = [[] for _ in range(largest + 1)]
    for d in range(floor, largest + 1):
        for multiple in range(d, largest + 1, d):
            divisors[multiple].append(d)
    divisors[0] = list(range(floor, largest + 1))  # 0 divides by anything
    impossible = -(10**9)
    # longest[v]: symbols that the remaining divisions can add to a running value v
    longest = [0] * (largest + 1)
    for _ in range(terms - 1):
        longest = [
            max((len(str(d)) + 1 + longest[v // d] for d in divisors[v]), default=impossible)
            for v in range(largest + 1)
        ]
    return max(len(str(a)) + longest[a] for a in range(smallest, largest + 1))


def _group_max(spec: ProblemSpec, size: int) -> int | None:
    """Largest value of a * / chain of ``size`` operands, or None if no such chain exists."""
    if size == 1:
        return spec.largest
    if "*" in spec.operators:
        return spec.largest**size
    if "/" in spec.operators and _division_chain_possible(spec, size):
        return spec.largest // spec.divisor_floor ** (size - 1)
    return None


def _division_chain_min(spec: ProblemSpec, size: int) -> int | None:
    """Smallest value of an all-``/`` chain (used only when there is no ``*``)."""
    if size == 1:
        return spec.smallest
    if "/" not in spec.operators or not _division_chain_possible(spec, size):
        return None
    return 0 if spec.smallest == 0 else 1


def _best_split(spec: ProblemSpec, terms: int, group_value, better) -> int:
    """Best total of group values over every way to split ``terms`` operands into groups."""
    best: list[int | None] = [0] + [None] * terms
    for total in range(1, terms + 1):
        for size in range(1, total + 1):
            value = group_value(spec, size)
            rest = best[total - size]
            if value is None or rest is None:
                continue
            candidate = rest + value
            if best[total] is None or better(candidate, best[total]):
                best[total] = candidate
    assert best[terms] is not None  # singletons always work
    return best[terms]


def _expression_bounds(spec: ProblemSpec, terms: int) -> tuple[int, int]:
    """Smallest and largest answer of a ``terms``-term expression."""
    ops = spec.operators
    heaviest = _best_split(spec, terms - 1, _group_max, lambda a, b: a > b) if terms > 1 else 0
    if "+" in ops:
        high = _best_split(spec, terms, _group_max, lambda a, b: a > b)
    elif "*" in ops:
        high = spec.largest**terms
    elif "-" in ops:
        # Only - and /: the first group as large as possible, then subtract the least we can.
        candidates = []
        for first in range(1, terms + 1):
            head = _group_max(spec, first)
            if head is None:
                continue
            rest = terms - first
            tail = _best_split(spec, rest, _division_chain_min, lambda a, b: a < b) if rest else 0
            candidates.append(head - tail)
        high = max(candidates)
    else:  # only "/"
        high = _group_max(spec, terms)
    # The most negative answer starts with the smallest operand and subtracts the heaviest groups.
    low = spec.smallest - heaviest if "-" in ops and terms > 1 else 0
    return low, high
