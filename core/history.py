"""A training run's history: one row per validation check, kept as ``history.csv`` beside the model.

Rows are plain numbers (samples seen, training and validation figures, learning rate, time), so
the app can overlay one run on another, the CLI and the app write the same file, and anyone can
open it in a spreadsheet. No TensorFlow here.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from dataclasses import astuple, dataclass, fields
from pathlib import Path

HISTORY_FILE = "history.csv"
"""The history's file name inside a saved model's folder."""


@dataclass(frozen=True)
class HistoryPoint:
    """The run's figures at one validation check (a mid-run checkpoint or an epoch's end)."""

    kind: str
    """``checkpoint`` (mid-epoch) or ``epoch`` (an epoch's end)."""
    epoch: int
    """1-based epoch the check happened in."""
    samples: int
    """Training samples processed by then."""
    loss: float
    """Training loss: the epoch's running mean so far."""
    accuracy: float
    """Training per-character accuracy: the epoch's running mean so far."""
    val_loss: float
    """Validation loss."""
    val_char_accuracy: float
    """Validation per-character accuracy."""
    val_exact_match: float
    """Validation exact-match: whole answers right."""
    learning_rate: float
    """The optimizer's learning rate at that step."""
    elapsed_s: float
    """Wall time since training started (model building and data included)."""


COLUMNS = tuple(f.name for f in fields(HistoryPoint))
"""The CSV header, in order."""


def history_csv(points: Iterable[HistoryPoint]) -> str:
    """``points`` as CSV text with a header row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for point in points:
        writer.writerow(_cell(value) for value in astuple(point))
    return out.getvalue()


def _cell(value: object) -> object:
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)  # reads back as the same number
    return value


def parse_history(text: str) -> list[HistoryPoint]:
    """Rows of a history CSV; rows that do not parse are skipped (hand-edited files)."""
    points = []
    for row in csv.DictReader(io.StringIO(text)):
        try:
            points.append(
                HistoryPoint(
                    kind=row["kind"],
                    epoch=int(row["epoch"]),
                    samples=int(row["samples"]),
                    **{
                        name: float(row[name]) if row.get(name) else math.nan
                        for name in COLUMNS[3:]
                    },
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
    return points


def write_history(folder: Path, points: Iterable[HistoryPoint]) -> Path:
    """Write ``history.csv`` into ``folder``; returns its path."""
    path = Path(folder) / HISTORY_FILE
    path.write_text(history_csv(points))
    return path


def read_history(folder: Path) -> list[HistoryPoint]:
    """A saved model's history, or an empty list if it has none (older models, imports)."""
    path = Path(folder) / HISTORY_FILE
    try:
        return parse_history(path.read_text())
    except (OSError, UnicodeDecodeError, csv.Error):
        return []


@dataclass(frozen=True)
class RunHistory:
    """One run's history with a name to pick it by: a saved model's, or one of this session's."""

    label: str
    """How a list shows it, e.g. ``notebook-perfect`` or ``run 2 (unsaved)``."""
    points: tuple[HistoryPoint, ...]
    """Its validation checks, in order."""
