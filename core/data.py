"""Problems as arrays: generate them fast, encode them for the model, decode its answers.

Generation is vectorised over rows: Python loops run over term positions and digit places only,
never over samples, so a million problems take a fraction of a second.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

import numpy as np

from core.errors import UserError
from core.settings import SAMPLINGS as SAMPLINGS
from core.settings import length_share
from core.spec import DIGITS, OPERATORS, ProblemSpec, SpecError, digit_count

NO_OPERATOR = 255
"""Operator code for slots past an expression's last term."""

_POW10 = 10 ** np.arange(19, dtype=np.int64)
_DIVISOR_CANDIDATES = 24
"""Divisors tried per division; plenty to find one for every operand up to twelve digits."""
_MAX_ATTEMPTS = 200
"""Redraws allowed for rows whose divisions could not come out whole (only they are redrawn)."""
_RANDOM_ATTEMPTS = 8
"""Redraws that pick divisors from the running value; later ones plan divisions first, which
finds the rare chains (64/4/4/4 within 4–64) that random picks almost never hit."""


@dataclass(frozen=True)
class Batch:
    """N problems of one spec, as the numbers behind them and as model-ready arrays."""

    spec: ProblemSpec
    """The problem these samples were drawn from."""
    operands: np.ndarray
    """(n, max_terms) int64; slots past ``n_terms`` are 0."""
    operator_codes: np.ndarray
    """(n, max_terms - 1) uint8 indexes into ``+-*/``; ``NO_OPERATOR`` past the end."""
    n_terms: np.ndarray
    """(n,) number of terms of each expression."""
    answers: np.ndarray
    """(n,) int64 true results."""
    inputs: np.ndarray
    """(n, input_length) uint8 symbol ids, padded and reversed as the spec says."""
    targets: np.ndarray
    """(n, output_length) uint8 symbol ids."""
    x: np.ndarray | None = None
    """(n, input_length, alphabet) float32 one-hot inputs, when asked for."""
    y: np.ndarray | None = None
    """(n, output_length, alphabet) float32 one-hot targets, when asked for."""

    def __len__(self) -> int:
        return len(self.answers)

    @cached_property
    def expressions(self) -> list[str]:
        """The expressions as people write them (``10+3+7``), unpadded and unreversed."""
        texts = decode_symbols(self.spec, self.inputs, reverse=self.spec.reverse_input)
        if self.spec.align_operands:  # the padding inside is layout, not part of the question
            return [text.replace(self.spec.pad_char, "") for text in texts]
        return texts

    @cached_property
    def answer_texts(self) -> list[str]:
        """The true answers as strings."""
        return [str(a) for a in self.answers.tolist()]

    @property
    def nbytes(self) -> int:
        """Bytes held by every array of the batch."""
        arrays = (self.operands, self.operator_codes, self.n_terms, self.answers)
        arrays += (self.inputs, self.targets, self.x, self.y)
        return sum(a.nbytes for a in arrays if a is not None)

    def contains_operator(self, op: str) -> np.ndarray:
        """(n,) bool: which expressions use ``op``."""
        return (self.operator_codes == OPERATORS.index(op)).any(axis=1)


# -- generation ------------------------------------------------------------------------------------


def generate(
    spec: ProblemSpec,
    n: int,
    seed: int | np.random.Generator | None = None,
    *,
    one_hot: bool = False,
    largest_per_row: np.ndarray | None = None,
    max_terms_per_row: np.ndarray | None = None,
    sampling: str = "value",
) -> Batch:
    """Draw ``n`` problems of ``spec``; the same seed gives the same batch.

    ``sampling`` (see `SAMPLINGS`) says how operands are drawn; ``value`` draws exactly what it
    always did for a seed, so old recipes reproduce.

    ``largest_per_row`` and ``max_terms_per_row`` cap individual rows below the spec's own limits,
    which is how a training curriculum mixes easy problems in without changing the encoding.
    Rows are made in fixed-size chunks, each with its own random stream, spread over the CPU's
    cores; the result does not depend on how many cores there are.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise SpecError("samples", f"the number of samples must be a whole number ≥ 1, not {n!r}.")
    n = int(n)
    share = length_share(sampling)
    check_memory(spec, n, one_hot=one_hot)
    highs = term_highs = None
    if largest_per_row is not None:
        highs = np.clip(np.asarray(largest_per_row, np.int64), spec.divisor_floor, spec.largest)
        highs = np.maximum(highs, spec.smallest)
    if max_terms_per_row is not None:
        term_highs = np.clip(
            np.asarray(max_terms_per_row, np.int64), spec.min_terms, spec.max_terms
        )

    batch = Batch(
        spec,
        operands=np.zeros((n, spec.max_terms), np.int64),
        operator_codes=np.full((n, spec.max_terms - 1), NO_OPERATOR, np.uint8),
        n_terms=np.zeros(n, np.int64),
        answers=np.zeros(n, np.int64),
        inputs=np.empty((n, spec.input_length), np.uint8),
        targets=np.empty((n, spec.output_length), np.uint8),
        x=np.empty((n, spec.input_length, spec.alphabet_size), np.float32) if one_hot else None,
        y=np.empty((n, spec.output_length, spec.alphabet_size), np.float32) if one_hot else None,
    )
    starts = range(0, n, _CHUNK_ROWS)
    streams = _child_generators(seed, len(starts))

    def fill(index: int) -> None:
        rows = slice(starts[index], starts[index] + _CHUNK_ROWS)
        _fill_rows(
            batch,
            rows,
            streams[index],
            None if highs is None else highs[rows],
            None if term_highs is None else term_highs[rows],
            share,
        )

    if len(starts) == 1:
        fill(0)
    else:
        with ThreadPoolExecutor(max_workers=min(len(starts), os.cpu_count() or 1, 8)) as pool:
            list(pool.map(fill, range(len(starts))))
    return batch


_CHUNK_ROWS = 1 << 17
"""Rows per chunk: large enough that numpy's per-call costs vanish, small enough to share cores."""


def _child_generators(
    seed: int | np.random.Generator | None, count: int
) -> list[np.random.Generator]:
    """One independent random stream per chunk, all derived from ``seed``."""
    if isinstance(seed, np.random.Generator):
        return seed.spawn(count)
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(count)]


def _fill_rows(
    batch: Batch,
    rows: slice,
    rng: np.random.Generator,
    highs: np.ndarray | None,
    term_highs: np.ndarray | None,
    share: float = 0.0,
) -> None:
    """Draw, evaluate and render one chunk of ``batch`` in place."""
    spec = batch.spec
    size = len(batch.answers[rows])
    pending = np.arange(size)
    operands, codes = batch.operands[rows], batch.operator_codes[rows]
    n_terms, answers = batch.n_terms[rows], batch.answers[rows]
    for attempt in range(_MAX_ATTEMPTS):
        drawn = _draw(
            spec,
            rng,
            len(pending),
            None if highs is None else highs[pending],
            None if term_highs is None else term_highs[pending],
            planned_divisions=attempt >= _RANDOM_ATTEMPTS,
            share=share,
        )
        ok = drawn[4]
        done = pending[ok]
        operands[done], codes[done], n_terms[done], answers[done] = (a[ok] for a in drawn[:4])
        pending = pending[~ok]
        if not len(pending):
            break
    else:  # pragma: no cover - only a spec _check_feasible missed could get here
        raise SpecError("operators", "could not draw problems whose divisions all come out whole.")
    batch.inputs[rows] = render_expressions(spec, operands, codes, n_terms)
    batch.targets[rows] = render_answers(spec, answers)
    if batch.x is not None and batch.y is not None:
        identity = np.eye(spec.alphabet_size, dtype=np.float32)
        np.take(identity, batch.inputs[rows], axis=0, out=batch.x[rows])
        np.take(identity, batch.targets[rows], axis=0, out=batch.y[rows])


def _draw(
    spec: ProblemSpec,
    rng: np.random.Generator,
    m: int,
    highs: np.ndarray | None,
    term_highs: np.ndarray | None,
    planned_divisions: bool = False,
    share: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Draw one attempt per row and compute its answer with * and / before + and -.

    Returns operands, operator codes, term counts, answers and which rows are valid (a division
    may find no whole divisor; those rows are drawn again). A ``share`` of the rows have their
    operands (divisors included) drawn length-balanced.
    """
    width = spec.max_terms
    top_terms = spec.max_terms if term_highs is None else term_highs
    if spec.min_terms == spec.max_terms:
        n_terms = np.full(m, spec.min_terms, np.int64)
    else:
        n_terms = rng.integers(spec.min_terms, top_terms + 1, size=m)
    if highs is None:
        highs = np.full(m, spec.largest, np.int64)
        operands = rng.integers(spec.smallest, spec.largest + 1, size=(m, width))
    else:
        operands = rng.integers(spec.smallest, highs[:, None] + 1, size=(m, width))
    balanced = _balanced_rows(rng, m, share)
    if balanced is not None:
        operands[balanced] = length_balanced(
            rng, spec.smallest, highs[balanced, None], (int(balanced.sum()), width)
        )
    allowed = np.array([OPERATORS.index(op) for op in spec.operators], np.uint8)
    if len(allowed) == 1:
        codes = np.full((m, width - 1), allowed[0], np.uint8)
    else:
        codes = allowed[rng.integers(0, len(allowed), size=(m, width - 1))]
    past_end = np.arange(width)[None, :] >= n_terms[:, None]
    if past_end.any():
        operands[past_end] = 0
        codes[past_end[:, 1:]] = NO_OPERATOR
    ok = np.ones(m, bool)
    if planned_divisions and "/" in spec.operators:
        _plan_divisions(spec, rng, operands, codes, highs, ok, balanced)
        answers = _evaluate_with_precedence(spec, None, operands, codes, n_terms, None, ok)
    elif "*" in spec.operators or "/" in spec.operators:
        answers = _evaluate_with_precedence(
            spec, rng, operands, codes, n_terms, highs, ok, balanced
        )
    else:  # only + and -: a signed sum, and absent terms are already 0
        answers = operands[:, 0].copy()
        for j in range(1, width):
            minus = codes[:, j - 1] == OPERATORS.index("-")
            answers += np.where(minus, -operands[:, j], operands[:, j])
    return operands, codes, n_terms, answers, ok


def _balanced_rows(rng: np.random.Generator, m: int, share: float) -> np.ndarray | None:
    """Which of ``m`` rows are drawn length-balanced (None: none of them, and no draw made, so
    value sampling stays what it always was for a seed)."""
    if share <= 0:
        return None
    if share >= 1:
        return np.ones(m, bool)
    return rng.random(m) < share


def length_balanced(
    rng: np.random.Generator, low: int | np.ndarray, high: int | np.ndarray, shape: tuple
) -> np.ndarray:
    """Integers in [low, high] whose digit count is uniform over the counts the range allows,
    each value then uniform among the numbers of that many digits (0 counts as one digit)."""
    low = np.broadcast_to(np.asarray(low, np.int64), shape)
    high = np.broadcast_to(np.asarray(high, np.int64), shape)
    fewest, most = digit_counts(low), digit_counts(high)
    digits = fewest + (rng.random(shape) * (most - fewest + 1)).astype(np.int64)
    digits = np.minimum(digits, most)
    first = np.where(digits == 1, 0, _POW10[digits - 1])
    return rng.integers(np.maximum(low, first), np.minimum(high, _POW10[digits] - 1) + 1)


def _mixed_draw(
    rng: np.random.Generator, low: np.ndarray, high: np.ndarray, balanced: np.ndarray | None
) -> np.ndarray:
    """One integer in [low, high] per row: length-balanced on ``balanced`` rows, else uniform."""
    values = rng.integers(low, high + 1)
    if balanced is not None and balanced.any():
        values[balanced] = length_balanced(
            rng, low[balanced], high[balanced], values[balanced].shape
        )
    return values


def _plan_divisions(
    spec: ProblemSpec,
    rng: np.random.Generator,
    operands: np.ndarray,
    codes: np.ndarray,
    highs: np.ndarray,
    ok: np.ndarray,
    balanced: np.ndarray | None = None,
) -> None:
    """Choose each group's divisors first, then make its first operand a multiple of them all.

    A group is a run of * and / between + and -; if its first operand is a multiple of every
    divisor in it, each division comes out whole whatever the multipliers are. Divisors are
    drawn left to right within a budget that leaves room for the ones still to come.
    """
    m, width = operands.shape
    plus, minus, divide = (OPERATORS.index(op) for op in "+-/")
    starts = np.ones((m, width), bool)
    starts[:, 1:] = (codes == plus) | (codes == minus) | (codes == NO_OPERATOR)
    divides = np.zeros((m, width), bool)
    divides[:, 1:] = codes == divide
    remaining = np.zeros((m, width), np.int64)  # divisions from here to the group's end
    count = np.zeros(m, np.int64)
    for j in range(width - 1, -1, -1):
        count += divides[:, j]
        remaining[:, j] = count
        count[starts[:, j]] = 0
    floor = spec.divisor_floor
    budget = highs.copy()
    for j in range(width):
        budget = np.where(starts[:, j], highs, budget)
        here = divides[:, j]
        if not here.any():
            continue
        room = budget[here] // floor ** np.maximum(remaining[here, j] - 1, 0)
        possible = room >= floor
        ok[np.flatnonzero(here)[~possible]] = False
        top = np.maximum(room, floor)
        divisors = _mixed_draw(
            rng, np.full(len(top), floor), top, None if balanced is None else balanced[here]
        )
        operands[here, j] = divisors
        budget[here] //= divisors
    product = np.ones(m, np.int64)
    for j in range(width - 1, -1, -1):
        product = np.where(divides[:, j], product * operands[:, j], product)
        first = starts[:, j]
        low = -(-spec.smallest // product[first])  # ceil
        high = highs[first] // product[first]
        fits = low <= high
        ok[np.flatnonzero(first)[~fits]] = False
        multiplier = rng.integers(low, np.maximum(high, low) + 1)
        if balanced is not None and balanced[first].any():
            # the first operand's length balanced: a balanced value, rounded up to a multiple
            lengthy = balanced[first] & fits
            step = product[first][lengthy]
            value = length_balanced(
                rng, step * low[lengthy], step * high[lengthy], (int(lengthy.sum()),)
            )
            multiplier[lengthy] = -(-value // step)
        operands[first, j] = product[first] * multiplier
        product[first] = 1


def _evaluate_with_precedence(
    spec: ProblemSpec,
    rng: np.random.Generator | None,
    operands: np.ndarray,
    codes: np.ndarray,
    n_terms: np.ndarray,
    highs: np.ndarray | None,
    ok: np.ndarray,
    balanced: np.ndarray | None = None,
) -> np.ndarray:
    """Answers with * and / before + and -, every division whole.

    With ``rng``, each divisor is chosen here from the running value of its group and written
    into ``operands``; without, the given divisors are checked. Rows whose divisions can't be
    whole are flagged in ``ok``.
    """
    m, width = operands.shape
    total = np.zeros(m, np.int64)
    sign = np.ones(m, np.int64)
    group = operands[:, 0].copy()
    for j in range(1, width):
        active = j < n_terms
        code = codes[:, j - 1]
        divide = active & (code == OPERATORS.index("/"))
        if divide.any() and rng is not None and highs is not None:
            divisors, found = _pick_divisors(
                spec,
                rng,
                group[divide],
                highs[divide],
                None if balanced is None else balanced[divide],
            )
            operands[divide, j] = divisors
            ok[divide] &= found
        elif divide.any():
            divisors = operands[divide, j]
            ok[divide] &= (divisors > 0) & (group[divide] % np.maximum(divisors, 1) == 0)
        value = operands[:, j]
        starts_group = active & (code <= OPERATORS.index("-"))
        total = np.where(starts_group, total + sign * group, total)
        sign = np.where(starts_group, np.where(code == OPERATORS.index("+"), 1, -1), sign)
        group = np.where(starts_group, value, group)
        group = np.where(active & (code == OPERATORS.index("*")), group * value, group)
        group = np.where(divide, group // np.maximum(value, 1), group)
    return total + sign * group


def problem_count(spec: ProblemSpec) -> int:
    """How many expressions the spec allows, counting divisions before checking they are whole."""
    values = spec.largest - spec.smallest + 1
    ops = len(spec.operators)
    return sum(values**t * ops ** (t - 1) for t in spec.term_counts)


def all_problems(spec: ProblemSpec, limit: int = 200_000) -> Batch | None:
    """Every valid expression of a small problem, once each (None if there are over ``limit``).

    The notebook's problem has only 1,000; scoring all of them proves a model is perfect, where
    random samples can only suggest it.
    """
    if problem_count(spec) > limit:
        return None
    values = np.arange(spec.smallest, spec.largest + 1, dtype=np.int64)
    allowed = np.array([OPERATORS.index(op) for op in spec.operators], np.uint8)
    parts = []
    for terms in spec.term_counts:
        numbers = np.stack(np.meshgrid(*[values] * terms, indexing="ij"), -1).reshape(-1, terms)
        if terms > 1:
            grid = np.meshgrid(*[allowed] * (terms - 1), indexing="ij")
            ops = np.stack(grid, -1).reshape(-1, terms - 1)
        else:
            ops = np.zeros((1, 0), np.uint8)
        rows = len(numbers) * len(ops)
        operands = np.zeros((rows, spec.max_terms), np.int64)
        operands[:, :terms] = np.repeat(numbers, len(ops), axis=0)
        codes = np.full((rows, spec.max_terms - 1), NO_OPERATOR, np.uint8)
        codes[:, : terms - 1] = np.tile(ops, (len(numbers), 1))
        n_terms = np.full(rows, terms, np.int64)
        ok = np.ones(rows, bool)
        answers = _evaluate_with_precedence(spec, None, operands, codes, n_terms, None, ok)
        parts.append((operands[ok], codes[ok], n_terms[ok], answers[ok]))
    operands, codes, n_terms, answers = (
        np.concatenate(column) for column in zip(*parts, strict=True)
    )
    inputs = render_expressions(spec, operands, codes, n_terms)
    targets = render_answers(spec, answers)
    return Batch(spec, operands, codes, n_terms, answers, inputs, targets)


SMALL_OPERAND = 20
"""Operands up to this are the sums people type first (9+3, 11+9): scored on their own."""


def _small_spec(spec: ProblemSpec) -> ProblemSpec | None:
    """The spec cut down to operands ≤ `SMALL_OPERAND` (None if it has none)."""
    top = min(SMALL_OPERAND, spec.largest)
    if spec.smallest > top:
        return None
    try:
        return replace(spec, largest=top)
    except SpecError:  # e.g. division-only chains that can't come out whole below 20
        return None


def small_problems_enumerated(spec: ProblemSpec, limit: int) -> bool:
    """Whether `small_problems` lists every small-operand question rather than a sample."""
    small = _small_spec(spec)
    return small is not None and problem_count(small) <= limit


def small_problems(spec: ProblemSpec, limit: int, seed: int | np.random.Generator) -> Batch | None:
    """Questions of ``spec`` whose operands are all ≤ `SMALL_OPERAND`: every one, once, when
    there are at most ``limit`` (counted before divisions are checked whole), else ``limit``
    drawn with ``seed``. None when the spec has no such operands."""
    small = _small_spec(spec)
    if small is None:
        return None
    top = small.largest
    if not small_problems_enumerated(spec, limit):
        return generate(spec, limit, seed, largest_per_row=np.full(limit, top))
    every = all_problems(small, limit)
    assert every is not None
    inputs = render_expressions(spec, every.operands, every.operator_codes, every.n_terms)
    targets = render_answers(spec, every.answers)
    return replace(every, spec=spec, inputs=inputs, targets=targets)


def concatenate(batches: list[Batch]) -> Batch:
    """One batch of the rows of several batches of the same spec (one-hot arrays if all have
    them)."""
    spec = batches[0].spec
    columns = ("operands", "operator_codes", "n_terms", "answers", "inputs", "targets")
    joined = {name: np.concatenate([getattr(b, name) for b in batches]) for name in columns}
    for name in ("x", "y"):
        parts = [getattr(b, name) for b in batches]
        joined[name] = None if any(p is None for p in parts) else np.concatenate(parts)
    return Batch(spec, **joined)


def _pick_divisors(
    spec: ProblemSpec,
    rng: np.random.Generator,
    dividends: np.ndarray,
    highs: np.ndarray,
    balanced: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """A random divisor of each dividend within the operand range, and whether one was found.

    Random candidates that divide exactly are preferred; failing those, the largest common divisor
    of a candidate and the dividend still divides it and may be in range. ``balanced`` rows draw
    their candidates length-balanced.
    """
    low = spec.divisor_floor
    candidates = rng.integers(low, highs[:, None] + 1, size=(len(dividends), _DIVISOR_CANDIDATES))
    if balanced is not None and balanced.any():
        candidates[balanced] = length_balanced(
            rng, low, highs[balanced, None], (int(balanced.sum()), _DIVISOR_CANDIDATES)
        )
    exact = dividends[:, None] % candidates == 0
    choice = np.argmax(exact * rng.random(candidates.shape), axis=1)
    divisors = candidates[np.arange(len(dividends)), choice]
    found = exact.any(axis=1)
    if not found.all():
        common = np.gcd(dividends[~found, None], candidates[~found])
        best = common.max(axis=1)
        divisors[~found] = np.where(best >= low, best, 1)
        found[~found] = best >= low
    return divisors, found


# -- encoding --------------------------------------------------------------------------------------


def digit_counts(values: np.ndarray) -> np.ndarray:
    """Decimal digits of each non-negative value (0 has one)."""
    return np.maximum(np.searchsorted(_POW10, values, side="right"), 1)


# Rendering builds each term as a fixed-width block (digits right-aligned after gaps, then the
# operator that follows it), and then squeezes the gaps out of every row with boolean masks.
# Small operand ranges take their blocks from a lookup table, which is what makes the notebook's
# problem fast; the arithmetic path covers operands of any size.

_GAP = 255
"""Marks an empty slot in a block; squeezed out before padding."""

_TABLE_LIMIT = 1 << 16
"""Operands and answers up to this many distinct values are rendered by table lookup."""

_FOLLOWERS = len(OPERATORS) + 1
"""What can follow a term: one of the four operators, or nothing (the last term)."""


def _digits_of(values: np.ndarray, width: int) -> np.ndarray:
    """Right-aligned digits of non-negative ``values`` in ``width`` slots, leading slots gaps.

    Digit ids equal digit values because every alphabet starts with 0–9.
    """
    digits = ((values[..., None] // _POW10[width - 1 :: -1]) % 10).astype(np.uint8)
    digits[np.arange(width) < (width - digit_counts(values))[..., None]] = _GAP
    return digits


def _operator_ids(spec: ProblemSpec) -> np.ndarray:
    """Alphabet id of each operator code, and a gap for "no operator"."""
    ids = np.full(_FOLLOWERS, _GAP, np.uint8)
    for code, op in enumerate(OPERATORS):
        if op in spec.alphabet:
            ids[code] = spec.alphabet.index(op)
    return ids


def _term_blocks(
    spec: ProblemSpec, operands: np.ndarray, followers: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(n, terms, digits + 1) blocks (each operand's digits, then the operator after it), and
    (n, terms) how many symbols each block holds."""
    digits = digit_count(spec.largest)
    if spec.largest < _TABLE_LIMIT // _FOLLOWERS:
        table, sizes = _term_table(spec, digits)
        index = operands * _FOLLOWERS + followers
        return np.take(table, index, axis=0), np.take(sizes, index)
    blocks = np.empty((*operands.shape, digits + 1), np.uint8)
    blocks[..., :digits] = _operand_slots(spec, operands, digits)
    blocks[..., digits] = _operator_ids(spec)[followers]
    widths = digits if spec.align_operands else digit_counts(operands)
    sizes = widths + (followers < len(OPERATORS))
    return blocks, sizes.astype(np.uint8)


def _operand_slots(spec: ProblemSpec, operands: np.ndarray, digits: int) -> np.ndarray:
    """Each operand's digits in ``digits`` slots: leading slots are gaps, or padding when the
    spec aligns operands in columns."""
    slots = _digits_of(operands, digits)
    if spec.align_operands:
        slots[slots == _GAP] = spec.alphabet.index(spec.pad_char)
    return slots


@lru_cache(maxsize=16)
def _term_table(spec: ProblemSpec, digits: int) -> tuple[np.ndarray, np.ndarray]:
    """Every (operand, follower) block and its size; row ``operand * _FOLLOWERS + follower``."""
    values = np.repeat(np.arange(spec.largest + 1, dtype=np.int64), _FOLLOWERS)
    followers = np.tile(np.arange(_FOLLOWERS), spec.largest + 1)
    table = np.empty((len(values), digits + 1), np.uint8)
    table[:, :digits] = _operand_slots(spec, values, digits)
    table[:, digits] = _operator_ids(spec)[followers]
    return table, (table != _GAP).sum(axis=1).astype(np.uint8)


def _squeeze(
    blocks: np.ndarray, sizes: np.ndarray, length: int, pad: int, pad_side: str
) -> np.ndarray:
    """Drop the gaps of each row of ``blocks`` (``sizes`` symbols remain) and pad to ``length``.

    The kept symbols, read row by row, fill the slots padding leaves free, so no per-sample
    index arrays are built.
    """
    slots = np.arange(length)[None, :]
    counts = np.arange(length + 1)[:, None]
    # Row k of `occupied`: the slots that k symbols fill once padded.
    occupied = slots >= length - counts if pad_side == "left" else slots < counts
    out = np.full((len(blocks), length), pad, np.uint8)
    out[np.take(occupied, sizes, axis=0)] = blocks[blocks != _GAP]
    return out


def render_expressions(
    spec: ProblemSpec, operands: np.ndarray, codes: np.ndarray, n_terms: np.ndarray
) -> np.ndarray:
    """Expressions as (n, input_length) symbol ids, padded and reversed as the spec says."""
    n, width = operands.shape
    followers = np.empty((n, width), np.int64)
    followers[:, :-1] = np.minimum(codes, len(OPERATORS))
    followers[:, -1] = len(OPERATORS)
    blocks, sizes = _term_blocks(spec, operands, followers)
    if int(n_terms.min(initial=width)) < width:
        absent = np.arange(width)[None, :] >= n_terms[:, None]
        blocks[absent] = _GAP
        sizes[absent] = 0
    text_sizes = sizes[:, 0].copy()
    for j in range(1, width):
        text_sizes += sizes[:, j]
    pad = spec.alphabet.index(spec.pad_char)
    out = _squeeze(blocks.reshape(n, -1), text_sizes, spec.input_length, pad, spec.pad_side)
    return _finish(out, spec.reverse_input)


def render_answers(spec: ProblemSpec, answers: np.ndarray) -> np.ndarray:
    """Answers as (n, output_length) symbol ids, with a leading ``-`` for negatives."""
    low, high = spec.answer_range
    if high - low < _TABLE_LIMIT:
        return np.take(_answer_table(spec), answers - low, axis=0)
    return _render_answers(spec, answers)


@lru_cache(maxsize=16)
def _answer_table(spec: ProblemSpec) -> np.ndarray:
    """Every possible answer rendered, indexed by ``answer - lowest answer``."""
    low, high = spec.answer_range
    return _render_answers(spec, np.arange(low, high + 1, dtype=np.int64))


def _render_answers(spec: ProblemSpec, answers: np.ndarray) -> np.ndarray:
    length = spec.output_length
    blocks = np.empty((len(answers), length + 1), np.uint8)
    blocks[:, 1:] = _digits_of(np.abs(answers), length)
    minus = spec.alphabet.index("-") if "-" in spec.alphabet else _GAP
    negative = answers < 0
    blocks[:, 0] = np.where(negative, minus, _GAP)
    sizes = (digit_counts(np.abs(answers)) + negative).astype(np.uint8)
    pad = spec.alphabet.index(spec.pad_char)
    return _finish(_squeeze(blocks, sizes, length, pad, spec.pad_side), spec.reverse_output)


def _finish(ids: np.ndarray, reverse: bool) -> np.ndarray:
    """Reverse the symbol order if the spec asks for it."""
    return np.ascontiguousarray(ids[:, ::-1]) if reverse else ids


def to_one_hot(ids: np.ndarray, size: int) -> np.ndarray:
    """float32 one-hot of integer ids: rows of the identity matrix, gathered in one pass."""
    return np.take(np.eye(size, dtype=np.float32), ids, axis=0)


# -- decoding --------------------------------------------------------------------------------------


def decode_symbols(spec: ProblemSpec, ids: np.ndarray, *, reverse: bool) -> list[str]:
    """Symbol ids (or per-position probabilities) back to strings, padding and reversal undone."""
    ids = np.asarray(ids)
    if ids.ndim == 3:
        ids = ids.argmax(axis=-1)
    if ids.ndim == 1:
        ids = ids[None, :]
    if reverse:
        ids = ids[:, ::-1]
    symbols = np.array(list(spec.alphabet))[ids]
    joined = np.ascontiguousarray(symbols).view(f"<U{ids.shape[1]}")[:, 0]
    return np.char.strip(joined, spec.pad_char).tolist()


def decode_answers(spec: ProblemSpec, output: np.ndarray) -> list[str]:
    """The model's output (probabilities or ids) as answer strings such as ``-12``."""
    return decode_symbols(spec, output, reverse=spec.reverse_output)


# -- memory ----------------------------------------------------------------------------------------


def array_bytes(spec: ProblemSpec, n: int, *, one_hot: bool) -> int:
    """Bytes a batch of ``n`` samples holds (including one-hot arrays if asked)."""
    symbols = spec.input_length + spec.output_length
    per_row = symbols + 8 * (2 * spec.max_terms + 1) + spec.max_terms
    if one_hot:
        per_row += 4 * symbols * spec.alphabet_size
    return n * per_row


def available_memory() -> int:
    """Bytes of memory the system can still give us (MemAvailable, or physical memory)."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import os

    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def format_bytes(count: float) -> str:
    """``1.5 GB`` style sizes for messages."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if count < 1000 or unit == "TB":
            return f"{count:,.1f} {unit}" if unit != "B" else f"{int(count)} B"
        count /= 1000
    raise AssertionError("unreachable")


def check_memory(spec: ProblemSpec, n: int, *, one_hot: bool) -> None:
    """Refuse, in one sentence, a batch whose arrays would not fit in memory."""
    needed = array_bytes(spec, n, one_hot=one_hot)
    available = available_memory()
    if needed > available * 0.8:
        raise SpecError(
            "samples",
            f"{n:,} samples of this problem need {format_bytes(needed)} for their arrays but only "
            f"{format_bytes(available)} of memory is free; "
            "use fewer samples or fresh data per epoch.",
        )


# -- typed expressions -----------------------------------------------------------------------------


class ExpressionError(UserError, ValueError):
    """A typed expression the model can't be asked; the message says what to fix."""


@dataclass(frozen=True)
class Expression:
    """A parsed expression: its numbers, operators and true value."""

    text: str
    """Canonical form, without spaces: ``13+6+10``."""
    operands: tuple[int, ...]
    """The numbers, left to right."""
    operators: str
    """The operators between them."""
    value: int
    """The true answer, with * and / before + and -."""


_TOKENS = re.compile(r"(\d+)|([^\s\d])")
r"""A number or one other visible symbol; whitespace between them is skipped by finditer, one
character at a time, so tokenizing is linear (a leading ``\s*`` made trailing spaces quadratic)."""

MAX_EXPRESSION_CHARS = 1_000
"""Longest text `parse_expression` reads; every spec's longest expression is under 160."""


def parse_expression(spec: ProblemSpec, text: str) -> Expression:
    """Check a person's expression against ``spec`` and evaluate it.

    Raises ExpressionError with one sentence for anything the model was not trained on.
    """
    if len(text) > MAX_EXPRESSION_CHARS:  # before anything else reads it
        raise ExpressionError(
            f"That is {len(text):,} characters; an expression may have at most "
            f"{MAX_EXPRESSION_CHARS:,}."
        )
    if not text or not text.strip():
        raise ExpressionError(f"Type an expression such as {example_expression(spec)}.")
    symbols = DIGITS + spec.operators
    for char in text:
        if not char.isspace() and char not in symbols:
            if char in OPERATORS:
                raise ExpressionError(
                    f"'{char}' is not an operator this model learned; it knows "
                    f"{' '.join(spec.operators)}."
                )
            raise ExpressionError(
                f"'{char}' is not a symbol this model knows; "
                f"use digits and {' '.join(spec.operators)}."
            )
    numbers: list[str] = []
    operators: list[str] = []
    expect_number = True
    for match in _TOKENS.finditer(text):
        number, op = match.groups()
        if number is not None:
            if not expect_number:
                raise ExpressionError(
                    f"{text.strip()!r} has two numbers in a row; put an operator between them."
                )
            numbers.append(number)
        else:
            if expect_number:
                where = "start with" if not numbers else "have two operators in a row near"
                raise ExpressionError(
                    f"{text.strip()!r} can't {where} '{op}'; "
                    f"write it like {example_expression(spec)}."
                )
            operators.append(op)
        expect_number = not expect_number
    if expect_number:
        raise ExpressionError(f"{text.strip()!r} ends with an operator; finish it with a number.")
    if not spec.min_terms <= len(numbers) <= spec.max_terms:
        wanted = (
            f"{spec.min_terms}"
            if spec.min_terms == spec.max_terms
            else f"{spec.min_terms} to {spec.max_terms}"
        )
        raise ExpressionError(
            f"this model was trained on {wanted} terms, and {text.strip()!r} has {len(numbers)}."
        )
    operands = [_operand(spec, number) for number in numbers]
    value = evaluate_exact(operands, operators)
    return Expression(
        "".join(_interleave(operands, operators)), tuple(operands), "".join(operators), value
    )


_LONGEST_SHOWN = 20
"""Digits of the longest operand an error message quotes; far past every spec's largest."""


def _operand(spec: ProblemSpec, digits: str) -> int:
    """The number typed, if it is in the spec's range.

    Its digits are counted before int(), which refuses more than 4,300 of them.
    """
    significant = digits.lstrip("0") or "0"
    if len(significant) > _LONGEST_SHOWN:
        shown = f"a {len(significant):,}-digit number"
    else:
        number = int(significant)
        if spec.smallest <= number <= spec.largest:
            return number
        shown = f"{number:,}"
    raise ExpressionError(
        f"{shown} is outside the numbers this model learned ({spec.smallest:,}–{spec.largest:,})."
    )


def evaluate_exact(numbers: list[int], operators: list[str]) -> int:
    """Evaluate with * and / first, left to right, insisting every division is whole."""
    total, sign, group = 0, 1, numbers[0]
    for op, number in zip(operators, numbers[1:], strict=True):
        if op in "+-":
            total += sign * group
            sign, group = (1 if op == "+" else -1), number
        elif op == "*":
            group *= number
        else:
            if number == 0:
                raise ExpressionError("can't divide by zero.")
            if group % number:
                raise ExpressionError(
                    f"{group}/{number} doesn't come out whole; "
                    "this model only learned whole divisions."
                )
            group //= number
    return total + sign * group


def _interleave(numbers: list[int], operators: list[str]) -> list[str]:
    parts = [str(numbers[0])]
    for op, number in zip(operators, numbers[1:], strict=True):
        parts += [op, str(number)]
    return parts


def encode_expressions(spec: ProblemSpec, expressions: list[Expression]) -> np.ndarray:
    """Parsed expressions as (n, input_length) symbol ids, ready for a model."""
    n = len(expressions)
    operands = np.zeros((n, spec.max_terms), np.int64)
    codes = np.full((n, spec.max_terms - 1), NO_OPERATOR, np.uint8)
    n_terms = np.zeros(n, np.int64)
    for row, expression in enumerate(expressions):
        operands[row, : len(expression.operands)] = expression.operands
        codes[row, : len(expression.operators)] = [
            OPERATORS.index(op) for op in expression.operators
        ]
        n_terms[row] = len(expression.operands)
    return render_expressions(spec, operands, codes, n_terms)


def example_expression(spec: ProblemSpec) -> str:
    """A valid expression of this spec to show in messages and placeholders."""
    low, high = spec.smallest, spec.largest
    numbers = [min(max(v, low), high) for v in (13, 6, 10, 4, 7, 2, 9, 5, 8, 3, 11, 12)]
    numbers = numbers[: spec.min_terms]
    ops = [op for op in spec.operators if op != "/"] or ["/"]
    if ops == ["/"]:
        numbers = [spec.divisor_floor ** (spec.min_terms - 1)] + [spec.divisor_floor] * (
            spec.min_terms - 1
        )
    return "".join(_interleave(numbers, [ops[i % len(ops)] for i in range(len(numbers) - 1)]))
