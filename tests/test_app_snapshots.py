"""Snapshots of every trainer panel at 80×24 and 120×40 (pytest-textual-snapshot).

Everything on screen is fixed: the library is a copy of the shipped model (its spec.json records
its own date), training progress and the evaluation are fed in as known events and figures, and
the training clock is frozen. Accept changes with ``pytest tests/test_app_snapshots.py
--snapshot-update`` after looking at the SVGs in tests/__snapshots__/.
"""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest
from textual.widgets import Input

from core.evaluate import Breakdown, Evaluation, SamplePrediction
from core.presets import PRESETS
from core.run import Settings
from core.train import (
    BatchEnded,
    Checkpoint,
    EpochEnded,
    TrainingConfig,
    TrainingStarted,
    training_phase,
)
from seq2add_tui.app import Seq2AddApp
from seq2add_tui.widgets.evaluation_panel import EvaluationPanel
from seq2add_tui.widgets.training_panel import TrainingPanel

SHIPPED = Path(__file__).resolve().parents[1] / "saved_models" / "notebook-perfect"
SIZES = [(80, 24), (120, 40)]
SIZE_IDS = ["80x24", "120x40"]


@pytest.fixture
def app(tmp_path: Path, monkeypatch) -> Seq2AddApp:
    """The app on a library of the shipped model and a corrupt one, shown as ``saved_models``."""
    root = tmp_path / "saved_models"
    shutil.copytree(SHIPPED, root / "notebook-perfect")
    (root / "broken").mkdir()
    (root / "broken" / "spec.json").write_text("{}")
    monkeypatch.chdir(tmp_path)
    return Seq2AddApp(models_dir=root)


async def ready(pilot) -> None:
    """Start-up work done, cursors still: what a person sees a moment after launching."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    for field in pilot.app.query(Input):
        field.cursor_blink = False


def evaluation() -> Evaluation:
    """A middling model's verdict, with mistakes to show."""
    examples = [
        SamplePrediction("7+9+8", "23", "24"),
        SamplePrediction("10+10+9", "28", "29"),
        SamplePrediction("3+8+6", "16", "17"),
        SamplePrediction("4+9+9", "22", "22"),
        SamplePrediction("5+5+6", "16", "16"),
        SamplePrediction("2+4+10", "16", "16"),
        SamplePrediction("1+8+1", "10", "10"),
    ]
    return Evaluation(
        samples=10_000,
        loss=0.1873,
        char_accuracy=0.9714,
        exact_match=0.9431,
        exact_correct=9_431,
        per_position=[0.9962, 0.9466],
        by_operator=[Breakdown("+", 9_431, 10_000)],
        by_terms=[Breakdown("3 terms", 9_431, 10_000)],
        by_carries=[Breakdown("0 carries", 2_181, 2_198), Breakdown("1 carry", 7_250, 7_802)],
        examples=examples,
        seconds=0.2,
    )


async def show_training(pilot) -> None:
    """Half-way through epoch 2 of 3 of a small run, fed as the events core.train sends."""
    await ready(pilot)
    app = pilot.app
    await pilot.press("2")
    await pilot.pause()
    panel = app.query_one(TrainingPanel)
    panel.clock = itertools.chain([100.0], itertools.repeat(142.0)).__next__
    preset = PRESETS["notebook"]
    training = TrainingConfig(samples=6_400, epochs=3, batch_size=64)
    settings = Settings(preset.spec, preset.model, training, "notebook", edited=True)
    app.training = True  # as the App sets it when its worker starts
    app.refresh_bindings()
    panel.begin(settings)
    panel.show_event(TrainingStarted(3, 100, 19_200, 52_212))
    seen = 0
    for epoch, batches in ((1, 100), (2, 50)):
        panel.show_event(training_phase(epoch, 3))
        for batch in range(1, batches + 1):
            seen += 64
            loss = 2.4 / (1 + seen / 2_000)
            event = BatchEnded(epoch, batch, 100, loss, 1 - loss / 3, seen, 19_200, seen / 400)
            panel.show_batch(event, logged=batch % 25 == 0)
            if batch % 10 == 0:
                panel.show_event(Checkpoint(seen, min(1.0, seen / 12_000), loss, seen // 640, 30))
        if epoch == 1:
            panel.show_event(
                EpochEnded(1, 3, loss, 0.81, loss * 0.95, 0.83, seen / 12_000, 0.001, seen, 21.4)
            )
    panel.flush()  # what the panel draws within a second: the log lines and the plot's points
    await pilot.pause()


async def show_evaluation(pilot) -> None:
    await ready(pilot)
    await pilot.press("3")
    pilot.app.query_one(EvaluationPanel).show(
        evaluation(), "notebook-perfect", "3 terms of 1–10, +"
    )
    await pilot.pause()


def show_panel(*keys: str):
    """A `run_before` that waits for the app and then presses ``keys``."""

    async def run_before(pilot):
        await ready(pilot)
        await pilot.press(*keys)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_config_panel(app, snap_compare, size):
    assert snap_compare(app, terminal_size=size, run_before=show_panel("1"))


def test_config_panel_refusing_a_value(app, snap_compare):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("1")
        pilot.app.query_one("#smallest", Input).value = "20"
        await pilot.press("escape")

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_training_panel(app, snap_compare, size):
    assert snap_compare(app, terminal_size=size, run_before=show_training)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_evaluation_panel(app, snap_compare, size):
    assert snap_compare(app, terminal_size=size, run_before=show_evaluation)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_models_panel(app, snap_compare, size):
    assert snap_compare(app, terminal_size=size, run_before=show_panel("4"))


def test_help_screen(app, snap_compare):
    assert snap_compare(app, terminal_size=(80, 24), run_before=show_panel("4", "f1"))


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_quiz_panel(app, snap_compare, size, tmp_path):
    # A named player and an empty leaderboard, so nothing depends on who runs the tests.
    app.player_name = "ann"
    app.db_path = tmp_path / "scores.sqlite3"
    assert snap_compare(app, terminal_size=size, run_before=show_panel("5"))
