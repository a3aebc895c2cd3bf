"""State never by colour alone: panels as a 16-colour terminal and as ``NO_COLOR=1`` show them.

Each snapshot is of a screen whose state a player must read (which difficulty is chosen, right or
wrong, which panel is open, how sure the model is), drawn with colours snapped to the 16 standard
ones (`colour_systems.SixteenColours`) or in monochrome (Textual's own ``NO_COLOR`` handling).
Review the SVGs in tests/__snapshots__/ before accepting them with ``--snapshot-update``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from colour_systems import with_sixteen_colours
from test_app_snapshots import SHIPPED, show_panel, show_training
from test_quiz_ui import FakeClock, quiz_app

from core.store import load_predictor
from seq2add_tui.app import Seq2AddApp
from seq2add_tui.quiz import QuizPanel
from seq2add_tui.quiz.widgets import ConfidenceStrip

MODES = ["16-colours", "no-color"]


@pytest.fixture(params=MODES)
def colour_mode(request, monkeypatch) -> str:
    """Either mode; NO_COLOR is read when the app is made, so it is set before."""
    if request.param == "no-color":
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    return request.param


def in_mode(app, mode: str):
    return with_sixteen_colours(app) if mode == "16-colours" else app


@pytest.fixture
def trainer(tmp_path: Path, monkeypatch, colour_mode) -> Seq2AddApp:
    root = tmp_path / "saved_models"
    shutil.copytree(SHIPPED, root / "notebook-perfect")
    shutil.copytree(SHIPPED, root / "second")
    monkeypatch.chdir(tmp_path)
    return in_mode(Seq2AddApp(models_dir=root), colour_mode)


def test_training_panel(trainer, snap_compare):
    assert snap_compare(trainer, terminal_size=(80, 24), run_before=show_training)


def test_models_panel(trainer, snap_compare):
    assert snap_compare(trainer, terminal_size=(80, 24), run_before=show_panel("4"))


@pytest.fixture(scope="module")
def opponent():
    return load_predictor("notebook-perfect")


def test_quiz_lobby_shows_the_chosen_difficulty(opponent, tmp_path, colour_mode, snap_compare):
    """The issue's case: every option looked chosen (``▐●▌``) over 16 colours."""
    app = in_mode(quiz_app(opponent, tmp_path, player="ada", ssh_session=True), colour_mode)

    async def choose_medium(pilot):
        await pilot.pause()
        pilot.app.query_one("#difficulty").focus()
        await pilot.press("right", "right", "enter")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=choose_medium)


def test_quiz_reveal_marks_answers_and_confidence(opponent, tmp_path, colour_mode, snap_compare):
    """A wrong answer beside the model's right one; the strip shows all three bands."""
    clock = FakeClock()
    app = in_mode(quiz_app(opponent, tmp_path, clock), colour_mode)

    async def answered(pilot):
        panel = pilot.app.query_one(QuizPanel)
        clock.advance(3.2)
        await pilot.press(*str(panel.round.current.answer - 1), "enter")
        pilot.app.query_one(ConfidenceStrip).show(("1", "7", " "), (0.97, 0.72, 0.41))
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=answered)
