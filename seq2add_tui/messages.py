"""Messages the app's workers post back to the UI thread.

Workers never touch widgets: they post one of these and the App (which owns the panels) updates
the screen. Batch progress arrives hundreds of times a second, so `BatchProgress` lets a newer
update replace an older one still waiting in the queue, except the few that become log lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # the App imports this module before its first paint; these import numpy
    from core.evaluate import Evaluation
    from core.infer import Predictor
    from core.run import FreshModel
    from core.train import BatchEnded, TrainingEvent, TrainingRun


@dataclass
class BatchProgress(Message):
    """A gradient step finished; most of these only move the progress bars."""

    event: BatchEnded
    """The batch's figures, straight from core.train."""
    logged: bool = False
    """Whether this batch earns a line in the training log (a few per epoch)."""

    def can_replace(self, message: Message) -> bool:
        # Called on the older message with a newer one: drop the older if it was not a log line.
        return isinstance(message, BatchProgress) and not self.logged


@dataclass
class TrainingUpdate(Message):
    """Any other training event: started, checkpoint, epoch ended, finished or failed."""

    event: TrainingEvent


@dataclass
class TrainingDone(Message):
    """The training worker is done: the run, and (if usable) its predictor and evaluation."""

    run: TrainingRun
    predictor: Predictor | None
    """The trained model as a numpy predictor, or None when the run left nothing usable."""
    evaluation: Evaluation | None
    """Scores on fresh samples, or None when the run left nothing usable."""


@dataclass
class ModelLoaded(Message):
    """A model from the library is loaded and becomes the current model."""

    predictor: Predictor
    announce: bool = True
    """Whether to say so (not at start-up, where the header is enough)."""


@dataclass
class ModelSaved(Message):
    """The freshly trained model was saved and read back from the library."""

    fresh: FreshModel
    predictor: Predictor
    """The saved files, loaded: from now on the current model."""


@dataclass
class EvaluationReady(Message):
    """An on-demand evaluation finished."""

    evaluation: Evaluation
    subject: str
    """Which model was scored, as the panel titles it."""
    predictor: Predictor


@dataclass
class LibraryChanged(Message):
    """Models were saved, imported or deleted; the library should be read again."""

    select: str | None = None
    """A model to put the cursor on, e.g. the one just imported."""
    note: str | None = None
    """What happened, to tell the user."""
