"""Shared fixtures: a tiny trained model in a temporary library, so tests train once."""

from __future__ import annotations

import asyncio
import functools
import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Tests see the library as it was before the shipped models were listed beside the user's own:
# the default library is the clone's saved_models/, and a folder a test names holds only what the
# test puts there (test_store and test_install check the shipped listing itself).
os.environ["SEQ2ADD_MODELS"] = str(Path(__file__).resolve().parents[1] / "saved_models")
os.environ["SEQ2ADD_SHIPPED_MODELS"] = ""

# Snapshots and screen checks expect the Unicode symbols. The app picks ASCII where the locale
# isn't UTF-8 (tests/test_terminals.py checks that in a LANG=C process), so the rest of the suite
# runs in a UTF-8 locale whatever the caller's; nothing has imported the app's modules yet.
from seq2add_tui import glyphs

if not glyphs.locale_is_utf8(os.environ):
    os.environ["LC_ALL"] = "C.UTF-8"
    glyphs.GLYPHS = glyphs.choose()


def pilot_test(scenario):
    """Run an async Pilot scenario as a plain test, so no async pytest plugin is needed."""

    @functools.wraps(scenario)
    def test(*args, **kwargs):
        asyncio.run(scenario(*args, **kwargs))

    return test


class FakeClock:
    """Time that moves only when the test says so."""

    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


TINY_TRAINING = dict(samples=2_000, epochs=1, batch_size=64, validation_samples=200)

_KEY_CHARACTERS = {"tab": "\t", "enter": "\r", "shift+tab": None}


def type_fast(app, *keys: str) -> None:
    """Send ``keys`` as a fast typist's arrive: all queued before the app handles the first.

    (``pilot.press`` waits for each key to be handled, so it cannot show a key typed behind Tab
    or Enter landing in the field being left.)
    """
    from textual import events

    for key in keys:
        app.post_message(events.Key(key, _KEY_CHARACTERS.get(key, key)))


@pytest.fixture(scope="session")
def tiny_run():
    """A seq2seq model with 16-unit LSTMs, trained for a few seconds on the notebook's problem."""
    from core.model import ModelConfig
    from core.spec import ProblemSpec
    from core.train import TrainingConfig, train

    return train(
        ProblemSpec(),
        ModelConfig(encoder_units=16, decoder_units=16),
        TrainingConfig(**TINY_TRAINING),
    )


@pytest.fixture(scope="session")
def library(tmp_path_factory, tiny_run):
    """A model library folder holding the tiny model as ``tiny``."""
    from core.store import save_model

    root = tmp_path_factory.mktemp("saved_models")
    save_model(
        tiny_run.model,
        tiny_run.spec,
        "tiny",
        root=root,
        model_config=tiny_run.model_config,
        training=tiny_run.summary(),
        metrics={"exact_match": 0.5},
    )
    return root
