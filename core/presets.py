"""Named recipes: a problem, a model and a way to train it, with the exact-match it must reach.

`notebook` reproduces the tutorial exactly; the others are tuned recipes for the homework
problems (see benchmarks/RESULTS.md for what was tried and measured).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any

from core.model import ModelConfig
from core.settings import BY_NAME, SETTINGS, record_changes
from core.spec import ProblemSpec, SpecError
from core.train import TrainingConfig


@dataclass(frozen=True)
class Preset:
    """A complete, reproducible training recipe."""

    name: str
    """What ``--preset`` takes."""
    description: str
    """One line for menus and ``--help``."""
    spec: ProblemSpec
    model: ModelConfig
    training: TrainingConfig
    target_exact: float
    """Exact-match the shipped model must reach on fresh samples drawn uniformly by value."""
    target_by_length: float | None = None
    """Exact-match it must reach on length-balanced samples (None: the same as by value)."""
    target_small: float | None = None
    """Exact-match it must reach on the questions whose operands are all ≤ 20 (None: the same
    as by value)."""

    @property
    def targets(self) -> dict[str, float]:
        """Every promise by its ``seq2add evaluate`` key."""
        return {
            "exact_match": self.target_exact,
            "exact_match_by_length": self.target_by_length or self.target_exact,
            "small_operands": self.target_small or self.target_exact,
        }


SMALL_ATTENTION = ModelConfig("attention", 64, 64)
"""Learns the sums fastest per second of CPU in our measurements (benchmarks/RESULTS.md)."""

SMALL_FRESH_RECIPE = TrainingConfig(
    samples=200_000,
    epochs=8,
    fresh_data=True,
    batch_size=256,
    learning_rate=0.01,
    schedule="cosine",
    clip_norm=1.0,
    validation_samples=5_000,
    stop_at_exact=0.9996,
    sampling="mixed:0.5",
)
"""The recipe three-digit and variable-terms share: fresh data, half the questions
length-balanced, cosine schedule, stop when every validation group (by value, length-balanced,
small operands) has at most one mistake in 2,500 (and none among the small ones)."""

PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset(
            "notebook",
            "The tutorial as written: 3 terms of 1–10, LSTM 75/50, 75,000 samples, 1 epoch",
            ProblemSpec(),
            ModelConfig(),
            TrainingConfig(),
            0.96,
        ),
        Preset(
            "notebook-perfect",
            "The tutorial's problem, all 1,000 questions right, restarting until they are",
            ProblemSpec(),
            # The same model, its LSTMs unrolled: TensorFlow prepares the training step in
            # about half the time, a fixed cost inside every fit (benchmarks/RESULTS.md).
            replace(SMALL_ATTENTION, unroll=True),
            # Stratified fresh data (every epoch asks each of the 1,000 questions 119 or 120
            # times, shuffled), a cosine over each 119,808 samples (468 batches) that restarts
            # at the full rate, up to 599,040, and 3% of every batch asking again the questions
            # the last check got wrong, checking every 9 batches: the last few mistakes get
            # fixed while the rate is low instead of waiting for a restart (checking twice as
            # often moved 10 seeds of 10 to the first decay), and a seed still wrong at the end
            # of a decay gets another go. Whole batches only: a last, smaller batch would make
            # TensorFlow prepare the step again. Sampling stays by value: validation already
            # asks all 1,000 questions, and a length-balanced mix made more seeds stall.
            TrainingConfig(
                samples=119_808,
                epochs=5,
                fresh_data=True,
                stratified=True,
                focus=0.03,
                batch_size=256,
                learning_rate=0.02,
                schedule="cosine-restarts",
                clip_norm=1.0,
                validation_samples=1_000,  # all 1,000 questions: 100% means every one is right
                checkpoints=246,  # every 9 batches (2,304 samples): fresher mistakes to focus on
                stop_at_exact=1.0,
            ),
            1.0,
        ),
        Preset(
            "three-digit",
            "2 terms of 0–999 (the Keras example's problem), digits reversed",
            ProblemSpec("+", 2, 2, 0, 999, reverse_input=True, reverse_output=True),
            SMALL_ATTENTION,
            replace(SMALL_FRESH_RECIPE, checkpoints=32),
            0.999,
            target_small=1.0,
        ),
        Preset(
            "variable-terms",
            "2 to 5 terms of 1–99 added, digits reversed and in columns",
            ProblemSpec(
                "+", 2, 5, 1, 99, reverse_input=True, reverse_output=True, align_operands=True
            ),
            SMALL_ATTENTION,
            replace(SMALL_FRESH_RECIPE, checkpoints=40, stop_at_exact=1.0),
            0.999,
            target_by_length=0.998,
        ),
        Preset(
            "four-ops",
            "2 to 3 terms of 1–20 with + - * / (× and ÷ first, whole divisions)",
            ProblemSpec("+-*/", 2, 3, 1, 20, reverse_output=True),
            ModelConfig("attention", 128, 128),
            TrainingConfig(
                samples=300_000,
                epochs=20,
                fresh_data=True,
                batch_size=256,
                learning_rate=0.01,
                schedule="cosine",
                clip_norm=1.0,
                validation_samples=5_000,
                checkpoints=40,
                stop_at_exact=0.997,
                sampling="mixed:0.5",
            ),
            0.995,
        ),
        Preset(
            "long-addition",
            "2 terms of up to 9 digits (Learning to Execute's addition), digits in columns",
            ProblemSpec(
                "+",
                2,
                2,
                0,
                999_999_999,
                reverse_input=True,
                reverse_output=True,
                align_operands=True,
            ),
            ModelConfig("attention", 128, 128),
            TrainingConfig(
                samples=200_000,
                epochs=20,
                fresh_data=True,
                batch_size=256,
                learning_rate=0.005,
                schedule="cosine",
                clip_norm=1.0,
                validation_samples=5_000,
                checkpoints=40,
                stop_at_exact=0.997,
                sampling="mixed:0.25",
            ),
            0.995,
            target_small=1.0,
        ),
    )
}
"""Every preset by name; the order is the order menus show."""

DEFAULT_OPPONENT = "notebook-perfect"
"""The shipped model the app and the quiz open with."""


SETTING_NAMES = tuple(BY_NAME)
"""Every override `build_settings` understands (the CLI's flag names, without dashes)."""
OPTIONAL_SETTINGS = tuple(setting.name for setting in SETTINGS if setting.optional)
"""Settings whose off state is None (no target, no cap)."""


def preset_matching(spec: ProblemSpec, model: ModelConfig, training: TrainingConfig) -> str | None:
    """The preset whose settings these are, if any (for a model that didn't record it).

    ``checkpoints`` doesn't count: it sets how often progress is checked (the app picks its own
    for the live plot), not what is learned.
    """
    for name, preset in PRESETS.items():
        same_checks = replace(training, checkpoints=preset.training.checkpoints)
        if (preset.spec, preset.model, preset.training) == (spec, model, same_checks):
            return name
    return None


def build_settings(
    preset: str | None, overrides: Mapping[str, Any], *, unset: Collection[str] = ()
) -> tuple[ProblemSpec, ModelConfig, TrainingConfig]:
    """Start from ``preset`` (or the defaults) and apply ``overrides`` whose value is not None.

    None means "not given" (a flag left out); the optional settings named in ``unset``
    (`OPTIONAL_SETTINGS`) are instead switched off, e.g. a form field emptied on purpose.
    Raises SpecError naming the field when a value is invalid.
    """
    base = PRESETS[preset] if preset else PRESETS["notebook"]
    values = {k: v for k, v in overrides.items() if v is not None}
    not_optional = sorted(set(unset) - set(OPTIONAL_SETTINGS))
    if not_optional:
        raise SpecError(not_optional[0], f"{not_optional[0]!r} can't be switched off.")
    values.update(dict.fromkeys(unset))
    unknown = set(values) - set(SETTING_NAMES)
    if unknown:
        raise SpecError(sorted(unknown)[0], f"unknown setting {sorted(unknown)[0]!r}.")
    changes: dict[str, dict[str, Any]] = {"problem": {}, "model": {}, "training": {}}
    for name, value in values.items():
        setting = BY_NAME[name]
        if setting.record != "run":  # where a run writes: the caller reads it, no record holds it
            changes[setting.record].update(record_changes(setting, value))
    return (
        replace(base.spec, **changes["problem"]),
        replace(base.model, **changes["model"]),
        replace(base.training, **changes["training"]),
    )
