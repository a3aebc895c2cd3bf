"""A training run's records: the settings it was asked to run with, and the model it left.

Shared by the app's panels, its workers and its messages, which is why they live below the UI.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.evaluate import Evaluation
from core.infer import Predictor
from core.model import ModelConfig
from core.spec import ProblemSpec
from core.train import TrainingConfig, TrainingRun


@dataclass(frozen=True)
class Settings:
    """A complete, valid set of choices: what one training run needs."""

    spec: ProblemSpec
    model: ModelConfig
    training: TrainingConfig
    preset: str
    """The preset the choices started from."""
    edited: bool = False
    """Whether any choice differs from that preset."""
    tensorboard_dir: str | None = None
    """Where the run also writes TensorBoard event files (None: nowhere); not part of the recipe."""

    @property
    def preset_label(self) -> str:
        """``notebook`` or ``notebook (edited)``."""
        return f"{self.preset} (edited)" if self.edited else self.preset


@dataclass
class FreshModel:
    """The last model trained in a session, until it is saved or replaced."""

    run: TrainingRun
    settings: Settings
    predictor: Predictor
    evaluation: Evaluation
    saved_as: str | None = None
    """Its library name once saved."""
