"""Training: one entry point for the app, the CLI and the benchmarks, reporting through events.

`train` never prints. It tells a listener what happens (`PhaseStarted`, `BatchEnded`,
`EpochEnded`, `Checkpoint`, `TrainingFinished`, `TrainingFailed`), records a `HistoryPoint` at
every validation check, stops within one batch when its cancel event is set, and stops with a
clear message if the loss stops being a finite number. TensorFlow is imported here, inside the
function, so nothing else pays for it.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING, Any

import numpy as np

from core.data import (
    SMALL_OPERAND,
    Batch,
    all_problems,
    concatenate,
    generate,
    length_share,
    small_problems,
    to_one_hot,
)
from core.errors import UserError, one_sentence
from core.evaluate import Evaluation, score
from core.history import HistoryPoint
from core.infer import Predictor, network_from_keras
from core.model import ModelConfig, build_model, compile_model, parameter_count
from core.percent import percent
from core.run_status import RunStatus
from core.settings import CURRICULA as CURRICULA
from core.settings import SCHEDULES as SCHEDULES
from core.settings import settings_record
from core.spec import ProblemSpec, digit_count

if TYPE_CHECKING:
    import keras


@settings_record("training")
class TrainingConfig:
    """How to train. The defaults are the notebook's: 75,000 samples, 1 epoch, batch 32, Adam.

    Its fields, their defaults and their checks are the 'training' settings of
    `core.settings.SETTINGS`; see that table for what each means.
    """

    @property
    def draws_fresh_data(self) -> bool:
        """Whether every epoch gets newly drawn samples."""
        return self.fresh_data or self.curriculum != "none"

    @property
    def batches_per_epoch(self) -> int:
        """Gradient steps in one epoch."""
        return math.ceil(self.samples / self.batch_size)


# -- events ----------------------------------------------------------------------------------------

PHASES = ("preparing", "training", "validating", "scoring", "saving")
"""What a run can be doing, in order; the last two happen after `train` returns (app, CLI)."""


@dataclass(frozen=True)
class PhaseStarted:
    """The run moved on to another phase; ``message`` says what it does now, for a status line."""

    phase: str
    """One of `PHASES`."""
    message: str
    """E.g. ``Validating at checkpoint 3/24 on 1,000 samples``."""


def scoring_phase(samples: int) -> PhaseStarted:
    """The phase after training: the app and the CLI score the model on fresh problems."""
    return PhaseStarted("scoring", f"Scoring on {samples:,} fresh problems")


def saving_phase(name: str) -> PhaseStarted:
    """The last phase: writing the model's folder."""
    return PhaseStarted("saving", f"Saving as {name}")


@dataclass(frozen=True)
class TrainingStarted:
    """Training is about to take its first step."""

    epochs: int
    batches_per_epoch: int
    total_samples: int
    parameters: int


@dataclass(frozen=True)
class BatchEnded:
    """One gradient step done; loss and accuracy are the epoch's running means."""

    epoch: int
    """1-based epoch number."""
    batch: int
    """1-based batch number within the epoch."""
    batches: int
    """Batches in the epoch."""
    loss: float
    accuracy: float
    """Per-character accuracy on training batches so far this epoch."""
    samples_seen: int
    """Training samples processed since the start."""
    total_samples: int
    """Samples the whole run will process if not stopped."""
    fit_s: float = 0.0
    """Time spent inside Keras' fit so far: what samples per second and the ETA are based on."""


@dataclass(frozen=True)
class Checkpoint:
    """A validation check in the middle of an epoch (only when asked for)."""

    samples_seen: int
    val_exact_match: float
    loss: float
    index: int = 0
    """1-based number of this check."""
    count: int = 0
    """Checks the whole run makes if not stopped."""
    point: HistoryPoint | None = None
    """Every figure of the check, as the run's history records it."""


@dataclass(frozen=True)
class EpochEnded:
    """An epoch (or the part of it run before a stop) finished, with validation scores."""

    epoch: int
    epochs: int
    loss: float
    accuracy: float
    val_loss: float
    val_char_accuracy: float
    val_exact_match: float
    """With length sampling, the lowest of the validation groups (by value, length-balanced,
    small operands): the figure a target must reach."""
    learning_rate: float
    samples_seen: int
    elapsed_s: float
    """Wall time since training started."""

    def point(self) -> HistoryPoint:
        """The epoch's end as a history row."""
        return HistoryPoint(
            "epoch",
            self.epoch,
            self.samples_seen,
            self.loss,
            self.accuracy,
            self.val_loss,
            self.val_char_accuracy,
            self.val_exact_match,
            self.learning_rate,
            self.elapsed_s,
        )


@dataclass(frozen=True)
class TrainingFinished:
    """Training ended without an error: how and why."""

    status: RunStatus
    """How it ended; see `RunStatus`."""
    message: str
    epochs_run: int
    fit_seconds: float
    best_val_exact_match: float
    total_seconds: float = 0.0
    """Wall time of the whole run: building, data, fit and validation."""


@dataclass(frozen=True)
class TrainingFailed:
    """Training could not go on; the message is one sentence for the user."""

    message: str


TrainingEvent = (
    PhaseStarted
    | TrainingStarted
    | BatchEnded
    | Checkpoint
    | EpochEnded
    | TrainingFinished
    | TrainingFailed
)
TrainingListener = Callable[[TrainingEvent], None]
"""Anything that takes events: a UI's message poster, a progress bar, a list's append."""


@dataclass
class TrainingRun:
    """What a training run produced."""

    model: keras.Model
    """The trained Keras model: its last weights, except that a run stopped for want of
    improvement (``patience``) goes back to its best epoch's, and a diverged one to its last
    finite weights."""
    spec: ProblemSpec
    model_config: ModelConfig
    config: TrainingConfig
    status: RunStatus
    message: str
    history: list[EpochEnded] = field(default_factory=list)
    fit_seconds: float = 0.0
    """Time spent inside Keras' fit (mid-run checkpoint checks included), without data
    generation or the end-of-epoch validation."""
    total_seconds: float = 0.0
    """Wall time of the whole run: building the model, data, fit and validation."""
    samples_seen: int = 0
    points: list[HistoryPoint] = field(default_factory=list)
    """Every validation check (checkpoints and epoch ends) in order: ``history.csv``'s rows."""

    @property
    def usable(self) -> bool:
        """Whether the model holds finite weights worth evaluating or saving."""
        return self.status != RunStatus.DIVERGED or bool(self.history)

    def predictor(self) -> Predictor:
        """The trained model as a numpy predictor."""
        return Predictor(self.spec, network_from_keras(self.model))

    def summary(self) -> dict[str, Any]:
        """Settings and outcome for ``spec.json``."""
        return {
            **self.config.to_dict(),
            "status": self.status,
            "epochs_run": len(self.history),
            "fit_seconds": round(self.fit_seconds, 2),
            "total_seconds": round(self.total_seconds, 2),
            "samples_seen": self.samples_seen,
            "best_val_exact_match": max((e.val_exact_match for e in self.history), default=0.0),
        }


class TrainingError(UserError, RuntimeError):
    """Training failed; the message is one sentence for the user."""


# -- data for an epoch -----------------------------------------------------------------------------


def difficulty_caps(spec: ProblemSpec, fractions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-sample (largest operand, most terms) for difficulty fractions in (0, 1].

    Difficulty is the number of digits and the number of terms, as in Learning to Execute's
    length and nesting; 1.0 is the full problem.
    """
    digits = digit_count(spec.largest)
    allowed_digits = np.maximum(1, np.ceil(fractions * digits)).astype(np.int64)
    largest = np.minimum(10**allowed_digits - 1, spec.largest)
    extra_terms = np.ceil(fractions * (spec.max_terms - spec.min_terms)).astype(np.int64)
    return largest, spec.min_terms + extra_terms


def epoch_batch(spec: ProblemSpec, config: TrainingConfig, epoch: int) -> Batch:
    """Training samples for ``epoch`` (0-based), following the curriculum."""
    rng = np.random.default_rng([config.seed, 1, epoch])
    n = config.samples
    if config.stratified and config.curriculum == "none":
        every = all_problems(spec, n)
        if every is not None:
            return stratified_batch(every, n, rng)
    if config.curriculum == "none":
        return generate(spec, n, rng, one_hot=True, sampling=config.sampling)
    position = (epoch + (np.arange(n) + 1) / n) / config.epochs  # run progress of each sample
    mix = rng.uniform(0.0, 1.0, n)
    if config.curriculum == "naive":
        fractions = position
    elif config.curriculum == "mix":
        fractions = mix
    else:  # combined: each sample follows the growing level or the random mix
        fractions = np.where(rng.random(n) < 0.5, position, mix)
    largest, terms = difficulty_caps(spec, np.clip(fractions, 1e-9, 1.0))
    return generate(
        spec,
        n,
        rng,
        one_hot=True,
        largest_per_row=largest,
        max_terms_per_row=terms,
        sampling=config.sampling,
    )


def stratified_batch(every: Batch, n: int, rng: np.random.Generator) -> Batch:
    """``n`` samples asking each question of ``every`` equally often (the remainder chosen at
    random), in random order."""
    whole, rest = divmod(n, len(every))
    extra = rng.permutation(len(every))[:rest]
    rows = np.concatenate([np.tile(np.arange(len(every)), whole), extra])
    rows = rows[rng.permutation(n)]
    size = every.spec.alphabet_size
    inputs, targets = every.inputs[rows], every.targets[rows]
    return Batch(
        every.spec,
        every.operands[rows],
        every.operator_codes[rows],
        every.n_terms[rows],
        every.answers[rows],
        inputs,
        targets,
        to_one_hot(inputs, size),
        to_one_hot(targets, size),
    )


_SMALL_VALIDATION = 1_000
"""Most small-operand questions validation adds (all of them when there are no more)."""


def validation_batch(spec: ProblemSpec, config: TrainingConfig) -> Batch:
    """Held-out samples from a stream training never uses; for problems with no more distinct
    expressions than ``validation_samples``, every expression once, so 100% means perfect.
    With length sampling, the groups of `validation_groups` one after another."""
    return concatenate([batch for _, batch in validation_groups(spec, config)])


def validation_groups(spec: ProblemSpec, config: TrainingConfig) -> list[tuple[str, Batch]]:
    """The validation questions, in groups that must each reach the target.

    By value: one group, as always. Otherwise half the samples by value, half length-balanced,
    and the small-operand questions, so a run can't stop while ``7+8`` is still wrong.
    """
    size = spec.alphabet_size
    every = all_problems(spec, config.validation_samples)  # None if there are more than that
    if every is not None:
        whole = replace(every, x=to_one_hot(every.inputs, size), y=to_one_hot(every.targets, size))
        return [("all", whole)]
    n = config.validation_samples
    by_value = np.random.default_rng([config.seed, 2])
    if length_share(config.sampling) == 0:
        return [("uniform", generate(spec, n, by_value, one_hot=True))]
    groups = [("uniform", generate(spec, max(1, n // 2), by_value, one_hot=True))]
    balanced = np.random.default_rng([config.seed, 3])
    groups.append(
        ("length", generate(spec, max(1, n - n // 2), balanced, one_hot=True, sampling="length"))
    )
    small = None
    if spec.largest > SMALL_OPERAND:
        small = small_problems(spec, _SMALL_VALIDATION, np.random.default_rng([config.seed, 4]))
    if small is not None:
        small = replace(small, x=to_one_hot(small.inputs, size), y=to_one_hot(small.targets, size))
        groups.append(("small", small))
    return groups


def group_slices(groups: list[tuple[str, Batch]]) -> list[tuple[str, slice]]:
    """Where each group's rows sit in the concatenated validation batch."""
    slices, start = [], 0
    for label, batch in groups:
        slices.append((label, slice(start, start + len(batch))))
        start += len(batch)
    return slices


def worst_group(exact: np.ndarray, slices: list[tuple[str, slice]]) -> float:
    """The lowest exact-match over the validation groups: the figure a target must reach."""
    return min(float(exact[rows].mean()) for _, rows in slices)


# -- training --------------------------------------------------------------------------------------


def _learning_rate(config: TrainingConfig) -> Any:
    import keras

    steps = config.batches_per_epoch * config.epochs
    if config.schedule == "constant":
        return config.learning_rate
    if config.schedule == "cosine":
        return keras.optimizers.schedules.CosineDecay(config.learning_rate, steps, alpha=0.01)
    if config.schedule == "cosine-restarts":
        # a run that hasn't met its target when the rate bottoms out gets another full go: a
        # gentler restart (half the rate) left a seed stuck on 10+10+10 through four decays
        return keras.optimizers.schedules.CosineDecayRestarts(
            config.learning_rate, config.batches_per_epoch, t_mul=1.0, m_mul=1.0, alpha=0.01
        )
    warmup = max(1, steps // 20)
    return keras.optimizers.schedules.CosineDecay(
        config.learning_rate / 10,
        max(1, steps - warmup),
        alpha=0.01,
        warmup_target=config.learning_rate,
        warmup_steps=warmup,
    )


def _current_learning_rate(model: keras.Model) -> float:
    optimizer = model.optimizer
    rate = optimizer.learning_rate
    return float(np.asarray(rate))


def validation_probabilities(
    model: keras.Model,
    inputs: np.ndarray,
    architecture: dict[str, Any] | None = None,
    batch_size: int = 4096,
) -> np.ndarray:
    """Probabilities for one-hot ``inputs`` from the numpy forward pass the quiz plays with.

    Keras and numpy round differently, and a near-tie can flip an answer; validating on the
    numpy path means "100% in validation" is 100% in the game.
    """
    network = network_from_keras(model, architecture)
    parts = [
        network(inputs[start : start + batch_size]) for start in range(0, len(inputs), batch_size)
    ]
    return np.concatenate(parts)


_CHECKPOINT_SAMPLES = 5_000
"""Mid-run checks score at most this many validation samples, to stay cheap."""


class _Progress:
    """Builds the Keras callback that reports batches, honours cancel and watches the loss."""

    def __init__(
        self,
        emit: TrainingListener,
        cancel: threading.Event,
        config: TrainingConfig,
        check_every: int,
        validation: Batch,
        architecture: dict[str, Any],
        begun: float,
        slices: list[tuple[str, slice]] | None = None,
    ) -> None:
        self.emit = emit
        self.begun = begun
        """When the run began (perf_counter), for elapsed times."""
        self.points: list[HistoryPoint] = []
        self.checks = 0
        self.check_count = 0
        """Mid-run checks the whole run makes if not stopped."""
        self.fit_before = 0.0
        """Seconds inside fit in earlier epochs."""
        self.fit_started = begun
        """When the current epoch's fit began."""
        self.slices = slices or [("all", slice(0, len(validation)))]
        self.architecture = architecture
        self.cancel = cancel
        self.config = config
        self.check_every = check_every
        self.validation = validation
        self.epoch = 0
        self.samples_seen = 0
        self.cancelled = False
        self.target_reached = False
        self.diverged_at: tuple[int, int] | None = None
        self.last_logs: dict[str, float] = {}
        self.mistakes = np.zeros(0, dtype=np.intp)
        """Validation rows the last check on every question got wrong (`TrainingConfig.focus`)."""

    def callback(self) -> keras.callbacks.Callback:
        import keras

        progress = self

        class ProgressCallback(keras.callbacks.Callback):
            def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
                progress.batch_end(self.model, batch, logs or {})

        return ProgressCallback()

    def batch_end(self, model: keras.Model, batch: int, logs: dict[str, Any]) -> None:
        loss = float(logs.get("loss", math.nan))
        accuracy = float(logs.get("accuracy", math.nan))
        config = self.config
        if not math.isfinite(loss):
            self.diverged_at = (self.epoch, batch + 1)
            model.stop_training = True
            return
        done = min((batch + 1) * config.batch_size, config.samples)
        previous = min(batch * config.batch_size, config.samples)
        self.samples_seen += done - previous
        self.last_logs = {"loss": loss, "accuracy": accuracy}
        self.emit(
            BatchEnded(
                self.epoch,
                batch + 1,
                config.batches_per_epoch,
                loss,
                accuracy,
                self.samples_seen,
                config.samples * config.epochs,
                self.fit_before + perf_counter() - self.fit_started,
            )
        )
        if self.check_every and (batch + 1) % self.check_every == 0:
            self.checks += 1
            # the first rows of each group, so every group is checked however large
            picked, checked, start = [], [], 0
            for label, rows in self.slices:
                count = min(rows.stop - rows.start, _CHECKPOINT_SAMPLES)
                picked.append(np.arange(rows.start, rows.start + count))
                checked.append((label, slice(start, start + count)))
                start += count
            index = np.concatenate(picked)
            inputs = self.validation.x[index]
            targets = self.validation.targets[index]
            self.emit(
                PhaseStarted(
                    "validating",
                    f"Validating at checkpoint {self.checks}/{self.check_count} "
                    f"on {len(targets):,} samples",
                )
            )
            probabilities = validation_probabilities(model, inputs, self.architecture)
            val_loss, val_char, _ = quick_scores(probabilities, targets)
            right = (probabilities.argmax(-1) == targets).all(1)
            exact = worst_group(right, checked)
            if len(index) == len(self.validation) and self.slices[0][0] == "all":
                self.mistakes = index[~right]  # every question was asked: these are still wrong
            point = HistoryPoint(
                "checkpoint",
                self.epoch,
                self.samples_seen,
                loss,
                accuracy,
                val_loss,
                val_char,
                exact,
                _current_learning_rate(model),
                perf_counter() - self.begun,
            )
            self.points.append(point)
            self.emit(
                Checkpoint(self.samples_seen, exact, loss, self.checks, self.check_count, point)
            )
            self.emit(training_phase(self.epoch, config.epochs))
            target = config.stop_at_exact
            if target is not None and exact >= target and len(targets) == len(self.validation):
                self.target_reached = True
                model.stop_training = True
        if self.cancel.is_set():
            self.cancelled = True
            model.stop_training = True


def _fit_focused(
    model: keras.Model,
    data: Batch,
    config: TrainingConfig,
    progress: _Progress,
    validation: Batch,
) -> None:
    """One epoch, batch by batch, a ``focus`` share of each batch asking again the questions
    the last check got wrong (cycling through them), so a run near the end of a decay fixes its
    last few mistakes instead of waiting for a restart. Keras' ``fit`` can't take data that
    depends on a check mid-epoch and stay deterministic (it prefetches), so this feeds batches
    itself, in the order given (a fixed training set is not reshuffled between epochs); the loss
    and accuracy it reports are the epoch's running means, as ``fit``'s are."""
    size = config.batch_size
    share = max(1, round(config.focus * size))
    totals = np.zeros(2)
    seen = turn = 0
    model.stop_training = False
    for batch in range(config.batches_per_epoch):
        rows = slice(batch * size, (batch + 1) * size)
        x, y, turn = with_mistakes(
            data.x[rows], data.y[rows], progress.mistakes, validation, share, turn
        )
        logs = model.train_on_batch(x, y, return_dict=True)
        totals += len(x) * np.array([logs["loss"], logs["accuracy"]])
        seen += len(x)
        progress.batch_end(model, batch, {"loss": totals[0] / seen, "accuracy": totals[1] / seen})
        if model.stop_training:
            break


def with_mistakes(
    x: np.ndarray,
    y: np.ndarray,
    mistakes: np.ndarray,
    validation: Batch,
    share: int,
    turn: int,
) -> tuple[np.ndarray, np.ndarray, int]:
    """One batch (one-hot ``x``, ``y``) whose first ``share`` rows are replaced by the
    validation rows in ``mistakes``, taken in turn from ``turn`` and cycling, so few mistakes
    are each asked several times; also the turn the next batch starts at."""
    if not len(mistakes):
        return x, y, turn
    picked = mistakes[(turn + np.arange(min(share, len(x)))) % len(mistakes)]
    x = np.concatenate([validation.x[picked], x[len(picked) :]])
    y = np.concatenate([validation.y[picked], y[len(picked) :]])
    return x, y, turn + len(picked)


def quick_scores(probabilities: np.ndarray, targets: np.ndarray) -> tuple[float, float, float]:
    """Loss, per-character accuracy and exact-match, without `score`'s breakdowns."""
    chosen = probabilities.argmax(-1)
    right = chosen == targets
    truth = np.take_along_axis(probabilities, targets[..., None].astype(np.intp), axis=-1)
    loss = float(-np.log(np.clip(truth, 1e-7, 1 - 1e-7)).mean())
    return loss, float(right.mean()), float(right.all(1).mean())


def training_phase(epoch: int, epochs: int) -> PhaseStarted:
    """Gradient steps in ``epoch`` (1-based)."""
    return PhaseStarted("training", f"Training epoch {epoch}/{epochs}")


def train(
    spec: ProblemSpec,
    model_config: ModelConfig,
    config: TrainingConfig,
    listener: TrainingListener | None = None,
    cancel: threading.Event | None = None,
    tensorboard_dir: Path | str | None = None,
) -> TrainingRun:
    """Build and train a model for ``spec``, reporting to ``listener``, until ``cancel`` is set.

    Returns the run in every case but a crash: a cancelled run keeps the weights reached so far,
    a diverged one (NaN or infinite loss) goes back to the last weights whose loss was finite.
    Exceptions are reported as `TrainingFailed` before they propagate. With ``tensorboard_dir``,
    every validation check is also written there as TensorBoard event files (``train/`` and
    ``validation/`` runs, stepped by samples seen).
    """
    emit = listener or (lambda event: None)
    cancel = cancel or threading.Event()
    try:
        if tensorboard_dir is None:
            return _train(spec, model_config, config, emit, cancel)
        with _TensorBoardWriter(Path(tensorboard_dir)) as writer:

            def both(event: TrainingEvent) -> None:
                writer(event)
                emit(event)

            return _train(spec, model_config, config, both, cancel)
    except Exception as error:
        emit(TrainingFailed(one_sentence(error, doing="Training")))
        raise


class _TensorBoardWriter:
    """Writes each validation check as TensorBoard scalars, so ``tensorboard --logdir`` shows
    the run: ``train/`` (loss, accuracy, learning rate) and ``validation/`` (loss, accuracy,
    exact-match), the two runs TensorBoard overlays by tag, stepped by samples seen."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __enter__(self) -> _TensorBoardWriter:
        import tensorflow as tf

        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise TrainingError(
                f"Can't write TensorBoard logs to {self.folder}: {error.strerror or error}."
            ) from None
        from tensorflow.core.framework import summary_pb2

        self.tf = tf
        self.metadata = summary_pb2.SummaryMetadata(
            plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars"),
            data_class=summary_pb2.DATA_CLASS_SCALAR,
        )
        self.train = tf.summary.create_file_writer(str(self.folder / "train"))
        self.validation = tf.summary.create_file_writer(str(self.folder / "validation"))
        return self

    def __call__(self, event: TrainingEvent) -> None:
        if isinstance(event, Checkpoint) and event.point is not None:
            self.write(event.point)
        elif isinstance(event, EpochEnded):
            self.write(event.point())

    def write(self, point: HistoryPoint) -> None:
        step = point.samples

        def scalar(tag: str, value: float, step: int) -> None:
            # tf.summary.scalar lives in the tensorboard package; this is what it writes.
            tensor = self.tf.constant(value, dtype=self.tf.float32)
            self.tf.summary.write(tag, tensor, step=step, metadata=self.metadata)

        with self.train.as_default():
            scalar("loss", point.loss, step=step)
            scalar("accuracy", point.accuracy, step=step)
            scalar("learning_rate", point.learning_rate, step=step)
        with self.validation.as_default():
            scalar("loss", point.val_loss, step=step)
            scalar("accuracy", point.val_char_accuracy, step=step)
            scalar("exact_match", point.val_exact_match, step=step)

    def __exit__(self, *exc_info: object) -> None:
        self.train.close()
        self.validation.close()


def _train(
    spec: ProblemSpec,
    model_config: ModelConfig,
    config: TrainingConfig,
    emit: TrainingListener,
    cancel: threading.Event,
) -> TrainingRun:
    begun = perf_counter()
    emit(
        PhaseStarted(
            "preparing",
            f"Preparing: building the model and {config.samples:,} training samples",
        )
    )
    import keras

    keras.utils.set_random_seed(config.seed)
    model = build_model(spec, model_config, seed=config.seed)
    compile_model(model, _learning_rate(config), config.clip_norm)
    groups = validation_groups(spec, config)
    validation = concatenate([batch for _, batch in groups])
    slices = group_slices(groups)
    # focus needs checks that ask every question of the problem (small problems only)
    focusing = bool(config.focus) and [label for label, _ in slices] == ["all"]
    fixed = None if config.draws_fresh_data else epoch_batch(spec, config, 0)
    check_every = 0
    if config.checkpoints:
        total_batches = config.batches_per_epoch * config.epochs
        check_every = max(1, total_batches // config.checkpoints)
    architecture = json.loads(model.to_json())
    progress = _Progress(emit, cancel, config, check_every, validation, architecture, begun, slices)
    if check_every:
        progress.check_count = config.batches_per_epoch // check_every * config.epochs
    callback = progress.callback()
    run = TrainingRun(model, spec, model_config, config, RunStatus.COMPLETED, "Training finished.")
    run.points = progress.points
    emit(
        TrainingStarted(
            config.epochs,
            config.batches_per_epoch,
            config.samples * config.epochs,
            parameter_count(spec, model_config),
        )
    )
    good_weights = model.get_weights()
    best_exact, best_weights, epochs_without_gain = -1.0, None, 0
    for epoch in range(config.epochs):
        if cancel.is_set():
            progress.cancelled = True
            break
        progress.epoch = epoch + 1
        if fixed is None:
            emit(
                PhaseStarted(
                    "preparing",
                    f"Preparing {config.samples:,} fresh samples for epoch {epoch + 1}",
                )
            )
        data = fixed if fixed is not None else epoch_batch(spec, config, epoch)
        emit(training_phase(epoch + 1, config.epochs))
        fit_start = perf_counter()
        progress.fit_before, progress.fit_started = run.fit_seconds, fit_start
        if focusing:
            _fit_focused(model, data, config, progress, validation)
        else:
            model.fit(
                data.x,
                data.y,
                batch_size=config.batch_size,
                epochs=1,
                shuffle=fixed is not None,  # fresh data is already in random order
                verbose=0,
                callbacks=[callback],
            )
        run.fit_seconds += perf_counter() - fit_start
        run.samples_seen = progress.samples_seen
        if progress.diverged_at is not None:
            model.set_weights(good_weights)
            at_epoch, at_batch = progress.diverged_at
            run.status = RunStatus.DIVERGED
            run.message = (
                f"The loss stopped being a finite number at epoch {at_epoch}, batch {at_batch}; "
                "training stopped (try a lower learning rate)."
            )
            emit(TrainingFailed(run.message))
            run.total_seconds = perf_counter() - begun
            return run
        emit(
            PhaseStarted(
                "validating",
                f"Validating epoch {epoch + 1} on {len(validation):,} samples",
            )
        )
        probabilities = validation_probabilities(model, validation.x, architecture)
        scores: Evaluation = score(validation, probabilities, examples=0)
        exact_now = scores.exact_match
        if len(slices) > 1:
            right = (probabilities.argmax(-1) == validation.targets).all(1)
            exact_now = worst_group(right, slices)
        ended = EpochEnded(
            epoch + 1,
            config.epochs,
            progress.last_logs.get("loss", math.nan),
            progress.last_logs.get("accuracy", math.nan),
            scores.loss,
            scores.char_accuracy,
            exact_now,
            _current_learning_rate(model),
            progress.samples_seen,
            perf_counter() - begun,
        )
        run.history.append(ended)
        progress.points.append(ended.point())
        emit(ended)
        good_weights = model.get_weights()
        if exact_now > best_exact:
            best_exact, epochs_without_gain = exact_now, 0
            best_weights = good_weights if config.patience else None
        else:
            epochs_without_gain += 1
        if progress.cancelled:
            break
        target = config.stop_at_exact
        if progress.target_reached or (target is not None and exact_now >= target):
            run.status = RunStatus.TARGET_REACHED
            run.message = (
                f"Validation exact-match reached {percent(exact_now)} after epoch {epoch + 1}."
            )
            break
        if config.patience and epochs_without_gain >= config.patience:
            run.status = RunStatus.NO_IMPROVEMENT
            run.message = (
                f"Validation exact-match stopped improving ({config.patience} epochs without a "
                f"gain); kept the best, {percent(best_exact)}."
            )
            if best_weights is not None:
                model.set_weights(best_weights)
            break
    if progress.cancelled:
        run.status = RunStatus.CANCELLED
        done = progress.samples_seen
        run.message = f"Stopped after {done:,} samples; the model keeps what it learned so far."
    run.total_seconds = perf_counter() - begun
    emit(
        TrainingFinished(
            run.status,
            run.message,
            len(run.history),
            run.fit_seconds,
            max(best_exact, 0.0),
            run.total_seconds,
        )
    )
    return run
