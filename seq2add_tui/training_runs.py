"""The app's training runs: start one from the Config form, feed its events to the Training panel,
stop it, and keep what it made as the fresh model.

A mixin of the App, not a panel: the worker must outlive any panel switch and be cancelled when the
App quits (Textual issue #3966). TensorFlow is imported inside the worker, never at start-up, and
the core modules that import numpy where they are used, after the first paint.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from time import perf_counter
from typing import TYPE_CHECKING

from textual import work
from textual.worker import get_current_worker

from core.percent import percent
from core.run_status import RunStatus
from seq2add_tui.messages import BatchProgress, TrainingDone, TrainingUpdate
from seq2add_tui.wording import FRESH_NAME, fresh_description

if TYPE_CHECKING:  # imported after the first paint (by `StartupSequence.build_hidden_panels`)
    from core.evaluate import Evaluation
    from core.infer import Predictor
    from core.run import Settings
    from core.train import TrainingConfig, TrainingEvent
    from seq2add_tui.widgets.config_form import ConfigForm

PLOT_CHECKPOINTS = 24
"""Mid-run validation checks asked of core.train, so the exact-match curve fills in as it goes."""


def plot_checkpoints(training: TrainingConfig) -> int:
    """Checks for the live plot, but never fewer than the recipe's own: a check can stop the run
    and, with ``focus``, decides what it trains on next, so the app trains the model that
    ``seq2add train`` does (notebook-perfect with 24 checks took 169,000–264,000 samples and
    left seed 4 at 999 of 1,000, against 85,000–111,000 with its own 246)."""
    total_batches = training.batches_per_epoch * training.epochs
    return max(training.checkpoints, min(PLOT_CHECKPOINTS, total_batches))


PROGRESS_INTERVAL_S = 0.5
"""Least time between two batch updates sent to the screen. A batch takes a few milliseconds;
redrawing the bars for each one kept the UI thread (and the GIL) so busy that training ran at
half the command line's speed; on a loaded machine even 5 redraws a second cost a third more."""


class TrainingRuns:
    """Mixed into `Seq2AddApp`: the training worker and what the App does with its messages."""

    training = False
    """Whether a training worker is running."""
    runs_trained = 0
    """Training runs finished in this session (they are numbered in the comparison list)."""
    _cancel_training: threading.Event | None = None
    _training_settings: Settings | None = None

    def on_config_form_changed(self, message: ConfigForm.Changed) -> None:
        self.training_panel.settings_valid = message.settings is not None

    def action_start_training(self) -> None:
        if self.training:
            self.notify("A model is already training; stop it first (ctrl+t).")
            return
        form = self.config_form
        if form is None:
            self.notify("The settings are still being set up; try again in a moment.")
            return
        settings = form.settings
        if settings is None:
            self.notify(
                form.problem or "Some settings are refused.",
                title="Fix the settings first",
                severity="error",
            )
            self.show_panel("config")
            return
        unsaved = self._unsaved()
        if unsaved is None:
            self._begin_training(settings)
            return
        from seq2add_tui.screens.dialogs import ConfirmDialog

        self.push_screen(
            ConfirmDialog(
                "Train again?",
                f"The model you trained last ({fresh_description(unsaved)}) is not saved; "
                "training a new one replaces it.",
                confirm="Train",
            ),
            lambda yes: self._begin_training(settings) if yes else None,
        )

    def _begin_training(self, settings: Settings) -> None:
        training = replace(settings.training, checkpoints=plot_checkpoints(settings.training))
        self._cancel_training = threading.Event()
        self._training_settings = settings
        self.training = True
        self.training_panel.begin(settings)
        self.refresh_bindings()
        self.show_panel("training")
        self.train_model(settings, training, self._cancel_training)

    def action_stop_training(self) -> None:
        if not self.training or self._cancel_training is None:
            self.notify("Nothing is training.")
            return
        self._cancel_training.set()
        self.training_panel.request_stop()
        self.refresh_bindings()  # Stop is done; the footer stops offering it

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="training",
        description="Training a model",
    )
    def train_model(
        self, settings: Settings, training: TrainingConfig, cancel: threading.Event
    ) -> None:
        """Train in this thread (TensorFlow is imported here), then score the result."""
        from core.evaluate import DEFAULT_SAMPLES, evaluate
        from core.train import BatchEnded, scoring_phase, train
        from seq2add_tui.widgets.training_panel import log_stride

        worker = get_current_worker()
        stride = log_stride(training.batches_per_epoch)
        last_sent = 0.0

        def listener(event: TrainingEvent) -> None:
            nonlocal last_sent
            if worker.is_cancelled:  # the app is closing
                cancel.set()
            if isinstance(event, BatchEnded):
                logged = event.batch % stride == 0 or event.batch == event.batches
                now = perf_counter()
                if logged or now - last_sent >= PROGRESS_INTERVAL_S:
                    last_sent = now
                    self.post_message(BatchProgress(event, logged))
            else:
                self.post_message(TrainingUpdate(event))

        run = train(
            settings.spec,
            settings.model,
            training,
            listener=listener,
            cancel=cancel,
            tensorboard_dir=settings.tensorboard_dir,
        )
        predictor: Predictor | None = None
        evaluation: Evaluation | None = None
        if run.usable and run.samples_seen > 0 and not worker.is_cancelled:
            predictor = run.predictor()
            samples = self.evaluation_samples or DEFAULT_SAMPLES
            listener(scoring_phase(samples))
            evaluation = evaluate(predictor.probabilities, settings.spec, samples)
        self.post_message(TrainingDone(run, predictor, evaluation))

    def on_batch_progress(self, message: BatchProgress) -> None:
        self.training_panel.show_batch(message.event, message.logged)

    def on_training_update(self, message: TrainingUpdate) -> None:
        self.training_panel.show_event(message.event)

    def on_training_done(self, message: TrainingDone) -> None:
        from core.run import FreshModel
        from seq2add_tui.screens.dialogs import MessageDialog

        self.training = False
        self.refresh_bindings()
        run, settings = message.run, self._training_settings
        panel = self.training_panel
        if message.predictor is None or message.evaluation is None or settings is None:
            panel.finish(None)
            if run.status == RunStatus.DIVERGED:
                self.push_screen(MessageDialog("Training diverged", run.message))
            else:
                self.notify(
                    "Stopped before the first batch; there is no model to keep.",
                    title="Training stopped",
                )
            return
        evaluation = message.evaluation
        self.fresh = FreshModel(run, settings, message.predictor, evaluation)
        self.runs_trained += 1
        panel.history_bar.add_session_run(
            f"run {self.runs_trained} of this session · {percent(evaluation.exact_match)}"
        )
        verdict = (
            f"Scored on {evaluation.samples:,} fresh problems: exact-match "
            f"{percent(evaluation.exact_match)}, per character {percent(evaluation.char_accuracy)}."
        )
        panel.finish(verdict, f"exact-match {percent(evaluation.exact_match)}")
        self.set_current(message.predictor)
        self.evaluation_panel.show(evaluation, FRESH_NAME, settings.spec.describe())
        self.library.show_unsaved(fresh_description(self.fresh))
        if run.status == RunStatus.DIVERGED:
            self.push_screen(MessageDialog("Training diverged", run.message))
        self.notify(
            f"{verdict} It is now the current model; ctrl+s saves it.",
            title=run.status.notice_title,
        )
        if run.status != RunStatus.CANCELLED and self.active_panel == "training":
            self.show_panel("evaluation")

    def _stop_training_now(self) -> None:
        if self._cancel_training is not None:
            self._cancel_training.set()
