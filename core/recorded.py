"""What ``spec.json`` recorded about a saved model's training and scores, as typed records.

The file holds plain dicts (written by the app, the CLI or the tutorial import, perhaps edited by
hand); these read them once, leaving out what is missing or of the wrong type, so no screen has
to re-parse them by key.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.run_status import RunStatus


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        return None
    return float(value)


def _whole(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None and number.is_integer() else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class RecordedScores:
    """The evaluation recorded at save time; None where it wasn't measured."""

    exact_match: float | None = None
    exact_match_by_length: float | None = None
    small_operands: float | None = None
    """Exact-match on questions whose operands are all at most 20."""
    char_accuracy: float | None = None
    loss: float | None = None
    samples: int | None = None

    @classmethod
    def read(cls, metrics: Mapping[str, Any]) -> RecordedScores:
        """The scores in a ``metrics`` dict."""
        return cls(
            exact_match=_number(metrics.get("exact_match")),
            exact_match_by_length=_number(metrics.get("exact_match_by_length")),
            small_operands=_number(metrics.get("small_operands")),
            char_accuracy=_number(metrics.get("char_accuracy")),
            loss=_number(metrics.get("loss")),
            samples=_whole(metrics.get("samples")),
        )


@dataclass(frozen=True)
class ImportedFrom:
    """Where an imported model's files came from."""

    keras_version: str
    weights: str


@dataclass(frozen=True)
class RecordedTraining:
    """How the model was trained, as recorded at save time; None where it wasn't."""

    samples: int | None = None
    epochs: int | None = None
    """Epochs run (or, in older records, asked for)."""
    batch_size: int | None = None
    learning_rate: float | None = None
    schedule: str | None = None
    fit_seconds: float | None = None
    total_seconds: float | None = None
    preset: str | None = None
    status: RunStatus | None = None
    imported_from: ImportedFrom | None = None
    """Set for a model imported from the tutorial's files."""

    @classmethod
    def read(cls, training: Mapping[str, Any]) -> RecordedTraining:
        """The record in a ``training`` dict."""
        imported = training.get("imported_from")
        return cls(
            samples=_whole(training.get("samples")),
            epochs=_whole(training.get("epochs_run", training.get("epochs"))),
            batch_size=_whole(training.get("batch_size")),
            learning_rate=_number(training.get("learning_rate")),
            schedule=_text(training.get("schedule")),
            fit_seconds=_number(training.get("fit_seconds")),
            total_seconds=_number(training.get("total_seconds")),
            preset=_text(training.get("preset")),
            status=RunStatus.read(training.get("status")),
            imported_from=(
                ImportedFrom(
                    str(imported.get("keras_version", "?")), str(imported.get("weights", ""))
                )
                if isinstance(imported, Mapping)
                else None
            ),
        )
