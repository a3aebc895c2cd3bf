"""The Textual app, driven with Pilot the way a person would, on tiny models that train in seconds.

Each test points the app at a temporary model library (a copy of the session's tiny model, plus a
corrupt folder) so nothing touches the shipped ``saved_models/``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import TINY_TRAINING, pilot_test, type_fast
from textual.app import App
from textual.widgets import Button, Checkbox, DataTable, Input, Select

from seq2add_tui.app import Seq2AddApp
from seq2add_tui.quiz import QuizPanel
from seq2add_tui.screens.dialogs import (
    ConfirmDialog,
    ImportModelDialog,
    MessageDialog,
    SaveModelDialog,
)
from seq2add_tui.screens.help import HelpScreen
from seq2add_tui.widgets.config_form import ConfigForm
from seq2add_tui.widgets.learning_plot import LearningPlot
from seq2add_tui.widgets.model_library import ModelLibrary
from seq2add_tui.widgets.training_panel import TrainingPanel
from seq2add_tui.wording import FRESH_NAME

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

EVALUATION_SAMPLES = 300

TINY_FORM = {
    "encoder_units": "12",
    "decoder_units": "12",
    "samples": "640",
    "epochs": "2",
    "batch_size": "64",
    "lr": "0.01",
}
"""Form values for a run that trains in a couple of seconds."""

LONG_SAMPLES, LONG_EPOCHS = 200_000, 3
LONG_FORM = {
    **TINY_FORM,
    "samples": str(LONG_SAMPLES),
    "epochs": str(LONG_EPOCHS),
    "batch_size": "16",
}
"""A run long enough (tens of thousands of batches) to stop in the middle on any machine."""


@pytest.fixture
def models_dir(tmp_path: Path, library: Path) -> Path:
    """A private library: the session's tiny model and one corrupt model folder."""
    root = tmp_path / "saved_models"
    shutil.copytree(library, root)
    broken = root / "broken"
    broken.mkdir()
    (broken / "architecture.json").write_text("{}")
    (broken / "model.weights.h5").write_bytes(b"not hdf5")
    (broken / "spec.json").write_text("{not json")
    return root


def make_app(models_dir: Path, **kwargs) -> Seq2AddApp:
    return Seq2AddApp(
        models_dir=models_dir,
        evaluation_samples=EVALUATION_SAMPLES,
        default_model="tiny",
        **kwargs,
    )


def screen_text(app: Seq2AddApp) -> str:
    """What the terminal shows, as plain text."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def settle(pilot) -> None:
    """Let every worker finish and every message it posted be handled."""
    await pilot.app.workers.wait_for_complete()
    for _ in range(3):
        await pilot.pause()


async def quiz_holding_the_keys(pilot) -> QuizPanel:
    """The started app's Quiz panel, left for Models and shown again: the keys are in it."""
    await settle(pilot)
    await pilot.press("4", "5")
    await pilot.pause()
    return pilot.app.query_one(QuizPanel)


async def type_into(pilot, selector: str, text: str) -> None:
    """Clear a text field and type ``text`` into it key by key."""
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    field.value = ""
    await pilot.press(*text)


async def fill_form(pilot, values: dict[str, str]) -> None:
    """Go to Config and set fields (as a paste would: one change event per field)."""
    await pilot.press("escape", "1")  # out of any text field first, or "1" would be typed
    for name, text in values.items():
        pilot.app.query_one(f"#{name}", Input).value = text
    await pilot.pause()


async def wait_until(pilot, condition, timeout_s: float = 60.0) -> None:
    steps = int(timeout_s / 0.05)
    for _ in range(steps):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("the app never got there")


def log_text(app: Seq2AddApp) -> str:
    log = app.query_one("#training-log")
    return "\n".join(strip.text for strip in log.lines)


# -- start-up -------------------------------------------------------------------------------------


@pilot_test
async def test_opens_with_the_default_model_loaded_and_a_corrupt_one_listed(models_dir):
    app = make_app(models_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.current is not None and app.loaded_name == "tiny"
        assert "model: tiny" in app.sub_title
        assert app.query_one("#quiz-panel")._opponent is app.current
        await pilot.press("4")
        library = app.query_one(ModelLibrary)
        assert [info.name for info in library.infos] == ["broken", "tiny"]
        text = screen_text(app)
        assert "unreadable" in text and "●" in text
        # The corrupt model is refused in one sentence, and the app carries on.
        table = app.query_one("#model-table", DataTable)
        table.move_cursor(row=0)
        await pilot.press("enter")
        await settle(pilot)
        assert app.loaded_name == "tiny"
        assert any("can't be loaded" in n.message for n in app._notifications)


@pilot_test
async def test_without_its_default_model_the_app_opens_with_the_first_usable_one(models_dir):
    """The default model is loaded without listing the library first; when it is not there, the
    first usable model in the listing is, and the Models panel shows that same listing."""
    app = Seq2AddApp(models_dir=models_dir, default_model="absent")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.loaded_name == "tiny"  # "broken" comes first but is unreadable
        assert app.query_one("#quiz-panel")._opponent is app.current
        assert [info.name for info in app.query_one(ModelLibrary).infos] == ["broken", "tiny"]


@pilot_test
async def test_ctrl_q_during_start_up_quits_cleanly_once_the_panels_are_built(models_dir):
    """Quitting while the panels were being mounted ended in a traceback: their on_mount handlers
    queried children the shutdown had already removed. ctrl+q then waits for them."""
    app = make_app(models_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        assert not app._panels_built.is_set()  # (else this test no longer tests anything)
        await pilot.press("ctrl+q")
        await app.workers.wait_for_complete()
        for _ in range(3):
            await pilot.pause()
        assert app._panels_built.is_set()
    assert app.return_code == 0


def run_script(script: str) -> str:
    """Run ``script`` in a fresh interpreter (so nothing is imported yet); its output."""
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_start_up_does_not_import_tensorflow(tmp_path):
    """The first screen must not wait for TensorFlow: only training imports it."""
    script = textwrap.dedent(
        """
        import asyncio, sys
        from seq2add_tui.app import Seq2AddApp

        async def main():
            app = Seq2AddApp()
            async with app.run_test() as pilot:
                await app.workers.wait_for_complete()
                await pilot.pause()
                assert app.current is not None
            print("tensorflow" in sys.modules, "keras" in sys.modules)

        asyncio.run(main())
        """
    )
    assert run_script(script).split() == ["False", "False"]


def test_seq2add_reaches_the_app_without_importing_numpy():
    """`seq2add` (the CLI) and the app module load neither numpy nor core.store: the first screen
    needs neither, and importing them took about a tenth of a second."""
    script = "import sys, seq2add_tui.cli, seq2add_tui.app\nprint(*map(sys.modules.get, ["
    script += "'numpy', 'core.store', 'core.train']))"
    assert run_script(script).split() == ["None", "None", "None"]


def test_first_screen_is_painted_before_any_panel_is_built():
    """The first paint is the frame (header, tabs, footer) with "Starting up…" in each panel,
    without numpy; then the Quiz is built while the shipped model loads, the quiz opens against
    it, and then the other panels (and their modules) are built."""
    script = textwrap.dedent(
        """
        import asyncio, json, sys
        from seq2add_tui.app import Seq2AddApp

        DEFERRED = ["numpy", "core.store", "seq2add_tui.quiz.panel",
                    "seq2add_tui.widgets.config_form", "seq2add_tui.widgets.training_panel",
                    "seq2add_tui.widgets.evaluation_panel", "seq2add_tui.widgets.model_library"]
        PANELS = "#panels > ContentSwitcher > TabPane > *"

        class Watched(Seq2AddApp):
            def on_ready(self):
                self.at_paint = {
                    "modules": [name for name in DEFERRED if name in sys.modules],
                    "panels": [w.id for w in self.query(PANELS).exclude(".starting")],
                    "model": self.current is not None,
                    "header": self.sub_title,
                    "waiting": [str(w.content) for w in self.query(".starting")],
                }

        async def main():
            app = Watched()
            async with app.run_test() as pilot:
                await app.workers.wait_for_complete()
                await pilot.pause()
                later = {
                    "panels": sorted(w.id for w in app.query(PANELS)),
                    "opponent": app.quiz_panel.opponent_name,
                    "state": str(app.quiz_panel.state),
                    "waiting": len(app.query(".starting")),
                }
            print(json.dumps([app.at_paint, later]))

        asyncio.run(main())
        """
    )
    at_paint, later = json.loads(run_script(script).splitlines()[-1])
    assert at_paint.pop("waiting") == ["Starting up…"] * 5  # what 1–5 show until then
    assert at_paint == {
        "modules": [],
        "panels": [],
        "model": False,
        "header": "starting up…",
    }
    assert later == {
        "panels": [
            "config-form",
            "evaluation-panel",
            "model-library",
            "quiz-panel",
            "training-panel",
        ],
        "opponent": "notebook-perfect",
        "state": "lobby",
        "waiting": 0,
    }


# -- the form -------------------------------------------------------------------------------------


@pilot_test
async def test_form_refuses_bad_values_says_why_and_disables_start(models_dir):
    app = make_app(models_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = app.query_one(ConfigForm)
        start = app.query_one("#start-training")
        assert form.settings is not None and not start.disabled

        await pilot.press("1")
        await type_into(pilot, "#largest", "ten")  # typed key by key, checked as typed
        assert form.settings is None and start.disabled
        assert app.query_one("#run-start").disabled  # the Training panel's Start too
        assert form.errors["largest"] == "Largest must be a whole number, not 'ten'."
        assert "↳ Largest must be a whole" in screen_text(app)

        # A refusal quotes what was typed, markup-like or not.
        await fill_form(pilot, {"largest": "[/]"})
        assert form.errors["largest"] == "Largest must be a whole number, not '[/]'."
        assert "not '[/]'" in screen_text(app)

        await fill_form(pilot, {"largest": "-1"})
        assert form.errors["largest"] == "Largest must be 0 or more, not -1."

        await fill_form(pilot, {"largest": "10", "smallest": "20"})
        assert form.errors == {"smallest": "Smallest (20) must not exceed largest (10)."}
        # Another bad field doesn't hide it: both are marked.
        await fill_form(pilot, {"encoder_units": "75x"})
        assert set(form.errors) == {"smallest", "encoder_units"}
        status = str(form.query_one("#form-status").render())
        assert status == "✗ 2 fields need fixing: Smallest, Encoder units"
        await fill_form(pilot, {"encoder_units": "75"})
        await pilot.press("ctrl+t")  # refused: nothing starts
        assert not app.training
        assert app.query_one("#panels").active == "config"

        await fill_form(pilot, {"smallest": "0", "lr": "2"})
        assert "Learning rate must be a number above 0" in form.errors["lr"]
        await fill_form(pilot, {"lr": "0.001"})
        assert form.settings is not None and not start.disabled

        # The derived figures follow the problem as it is typed.
        await fill_form(pilot, {"terms": "2-4", "largest": "99", "ops": "+-"})
        settings = form.settings
        assert settings is not None
        assert (settings.spec.min_terms, settings.spec.max_terms) == (2, 4)
        assert settings.spec.input_length == 11
        summary = screen_text(app)
        assert "0123456789+-␣ (13)" in summary and "11 characters" in summary
        assert settings.preset_label == "notebook (edited)"
        before = form.settings
        await fill_form(pilot, {"encoder_units": "20"})
        assert form.settings.model.encoder_units == 20 and form.settings != before

        # A preset fills every field back.
        form.query_one("#preset", Select).value = "three-digit"
        await pilot.pause()
        assert form.query_one("#largest", Input).value == "999"
        assert form.query_one("#reverse_input", Checkbox).value is True
        assert form.settings is not None and not form.settings.edited

        # After a preset fills the form, typing in a field adds to its end.
        form.query_one("#preset", Select).value = "notebook-perfect"  # lr 0.02
        await pilot.pause()
        form.query_one("#preset", Select).value = "notebook"  # lr 0.001
        await pilot.pause()
        form.query_one("#lr", Input).focus()
        await pilot.press("5")
        assert form.query_one("#lr", Input).value == "0.0015"

        # The stopping rules: a preset's target shows, and an emptied field switches it off.
        form.query_one("#preset", Select).value = "notebook-perfect"
        await pilot.pause()
        assert form.query_one("#stop_at", Input).value == "1"
        assert form.settings.training.stop_at_exact == 1.0
        await fill_form(pilot, {"stop_at": "1.5"})
        assert form.errors["stop_at"] == "Stop at must be a fraction above 0, at most 1."
        await fill_form(pilot, {"stop_at": "", "clip_norm": "", "patience": "2"})
        training = form.settings.training
        assert (training.stop_at_exact, training.clip_norm, training.patience) == (None, None, 2)
        assert form.settings.preset_label == "notebook-perfect (edited)"


# -- training, evaluation, saving -----------------------------------------------------------------


@pilot_test
async def test_train_watch_it_learn_read_the_verdict_and_save(models_dir):
    app = make_app(models_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await fill_form(pilot, TINY_FORM)
        await pilot.click("#start-training")  # the form's own Train button (ctrl+t elsewhere)
        await pilot.pause()
        # A tiny run can be over within that pause: then the app has moved on to its verdict.
        assert app.training or app.fresh is not None
        assert app.query_one("#panels").active in {"training", "evaluation"}
        await wait_until(pilot, lambda: not app.training)
        await settle(pilot)

        log = log_text(app)
        assert "Epoch 1/2" in log and "Epoch 2/2" in log
        assert "1·10/10  loss" in log and "2·10/10  loss" in log
        plot = app.query_one(LearningPlot)
        assert len(plot.exact_points) >= 3 and len(plot.loss_points) >= 4
        assert plot.exact_points[-1][0] == 1280 == plot.total_samples
        panel = app.query_one(TrainingPanel)
        assert app.query_one("#run-progress").percentage == 1.0
        assert not panel.running

        # The verdict: the app switched to the evaluation of the fresh model.
        assert app.query_one("#panels").active == "evaluation"
        evaluation = app.fresh.evaluation
        assert evaluation.samples == EVALUATION_SAMPLES
        text = screen_text(app)
        assert FRESH_NAME in text and "Exact-match" in text and "By length" in text
        assert ("✓" in text) or ("✗" in text)
        assert app.current is app.fresh.predictor and FRESH_NAME in app.sub_title

        # Save it under a checked name; an existing name needs confirmation.
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, SaveModelDialog)
        await type_into(pilot, "#model-name", "no/slashes")
        assert app.screen.query_one("#save").disabled
        await type_into(pilot, "#model-name", "tiny")
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # not replaced: back to the name, to pick another
        assert app.fresh.saved_as is None and isinstance(app.screen, SaveModelDialog)
        assert app.screen.query_one("#model-name", Input).value == "tiny"
        await type_into(pilot, "#model-name", "mine")
        await pilot.press("enter")
        await settle(pilot)
        assert app.fresh.saved_as == "mine" and app.loaded_name == "mine"
        assert (models_dir / "mine" / "spec.json").is_file()
        saved = json.loads((models_dir / "mine" / "spec.json").read_text())
        assert saved["metrics"]["samples"] == EVALUATION_SAMPLES
        assert saved["model"]["encoder_units"] == 12
        assert "mine" in [info.name for info in app.query_one(ModelLibrary).infos]
        await pilot.press("ctrl+s")  # nothing new to save
        assert not isinstance(app.screen, SaveModelDialog)


async def start_long_run(pilot) -> None:
    """Start the long run and return once its first batch has reached the progress bar."""
    await settle(pilot)
    await fill_form(pilot, LONG_FORM)
    await pilot.press("ctrl+t")
    await wait_until(pilot, lambda: pilot.app.query_one("#run-progress").progress > 0)


@pilot_test
async def test_stop_takes_effect_within_a_batch_and_keeps_the_model(models_dir):
    app = make_app(models_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_long_run(pilot)
        # The UI keeps answering keys while training runs.
        await pilot.press("3")
        assert app.query_one("#panels").active == "evaluation"
        await pilot.press("2", "ctrl+t")  # ctrl+t is Stop while training
        await wait_until(pilot, lambda: not app.training, timeout_s=30)
        await settle(pilot)
        run = app.fresh.run
        assert run.status == "cancelled"
        # Stopped early, not run to the end: a tenth of this run is tens of seconds at batch 16.
        assert 0 < run.samples_seen < LONG_SAMPLES * LONG_EPOCHS // 10
        assert "Stopped after" in log_text(app)
        # A stopped run is still a model: current, scored, and saveable.
        assert app.current is app.fresh.predictor
        assert app.query_one("#panels").active == "training"
        assert not app.query_one(TrainingPanel).running


@pilot_test
async def test_quitting_while_training_stops_the_worker_and_exits(models_dir):
    app = make_app(models_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_long_run(pilot)
        [worker] = [w for w in app.workers if w.group == "training"]
        assert worker.is_running
        await pilot.press("ctrl+q")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await pilot.pause()
    assert app._cancel_training is not None and app._cancel_training.is_set()
    assert app.return_code == 0
    assert worker.is_finished  # the app waited for its training thread to stop


@pilot_test
async def test_a_training_error_is_one_sentence_in_a_modal(models_dir, monkeypatch):
    import core.train
    from core.train import TrainingError

    def broken(*args, **kwargs):
        raise TrainingError("Training could not start: the disk is full.")

    monkeypatch.setattr(core.train, "train", broken)
    app = make_app(models_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, MessageDialog)
        assert app.screen.message == "Training could not start: the disk is full."
        await pilot.press("enter")
        assert not app.training and app.is_running
        assert "the disk is full" in screen_text(app)


@pilot_test
async def test_a_crash_inside_training_is_logged_once(models_dir, monkeypatch):
    import core.train

    def broken(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(core.train, "build_model", broken)  # fails inside core's own train()
    app = make_app(models_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await fill_form(pilot, TINY_FORM)
        await pilot.press("ctrl+t")
        await wait_until(pilot, lambda: isinstance(app.screen, MessageDialog))
        assert "boom" in app.screen.message
        await pilot.press("enter", "2")
        await pilot.pause()
        failures = [line for line in log_text(app).splitlines() if line.startswith("✗")]
        assert len(failures) == 1 and "boom" in failures[0]


# -- the library ----------------------------------------------------------------------------------


@pilot_test
async def test_the_models_panel_footer_is_whole_at_80_columns(models_dir):
    # The panel's own keys pushed the footer's "12345 Panels" hint out to "12345" at 80 columns.
    app = make_app(models_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "12345 Panels" in footer_keys(app)
        await pilot.press("4")
        await settle(pilot)
        footer = footer_keys(app)
        assert "12345 Panels" in footer and "l Load" in footer and "d Delete" in footer, footer
        # Import's key, out of the footer, is on its button (and in help).
        assert "(i)" in str(app.query_one("#import", Button).label)
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, ImportModelDialog)


@pilot_test
async def test_the_models_panel_footer_is_whole_with_a_model_to_save(models_dir):
    # With a trained model unsaved, "^s Save" joined Load and Delete and cut the footer to
    # "… f1 Help  12345 ▏": here the Save button carries the key instead.
    app = make_app(models_dir)
    app._unsaved = lambda: object()
    saves = []
    app.action_save_model = lambda: saves.append(app.active_panel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.refresh_bindings()
        await pilot.press("1")
        await pilot.pause()
        assert "^s Save" in footer_keys(app)  # the other panels keep it in the footer
        await pilot.press("escape", "4")
        await pilot.pause()
        footer = footer_keys(app)
        assert footer.endswith("12345 Panels") and "l Load" in footer, footer
        assert "(^s)" in str(app.query_one("#save", Button).label)
        await pilot.press("ctrl+s")
        assert saves == ["models"]


class ImportDialogHost(App):
    """The Import dialog on its own."""

    def on_mount(self) -> None:
        self.push_screen(ImportModelDialog())


@pilot_test
async def test_keys_typed_fast_after_tab_in_the_import_dialog_follow_the_focus():
    app = ImportDialogHost()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "architecture"
        # A fast typist: Tab and the letters behind it all arrive before any is handled.
        type_fast(app, "tab", "a", "b", "c")
        await pilot.pause()
        await pilot.pause()
        values = {field.id: field.value for field in app.screen.query(Input)}
        assert app.focused.id == "weights"
        assert (values["architecture"], values["weights"]) == ("", "abc"), values
        await pilot.press("shift+tab", *"x")
        assert app.screen.query_one("#architecture", Input).value == "x"


@pilot_test
async def test_keys_typed_fast_after_enter_in_the_import_dialog_follow_the_focus():
    app = ImportDialogHost()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        # Enter moves on as Tab does, and the letters typed behind it follow the focus.
        type_fast(app, "a", "enter", "b", "enter", "c")
        await pilot.pause()
        await pilot.pause()
        values = {field.id: field.value for field in app.screen.query(Input)}
        assert app.focused is not None and app.focused.id == "terms"
        assert (values["architecture"], values["weights"], values["terms"]) == ("a", "b", "c")
        # Enter in the last field imports: refused (no files), so the first marked field takes
        # the focus before the next key arrives.
        app.screen.query_one("#name", Input).focus()
        await pilot.pause()
        type_fast(app, "enter", "z")
        await pilot.pause()
        await pilot.pause()
        assert app.focused.id == "architecture"
        # (a field taking the focus selects its text, so the key replaces it)
        assert app.screen.query_one("#architecture", Input).value == "z"
        assert app.screen.query_one("#name", Input).value == "tutorial"
        # On a button, Enter is the button's own.
        app.screen.query_one("#cancel", Button).focus()
        await pilot.press("enter")
        assert not isinstance(app.screen, ImportModelDialog)


@pilot_test
async def test_keys_typed_fast_after_tab_or_enter_in_the_config_form_follow_the_focus(
    models_dir,
):
    app = make_app(models_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("1")
        form = app.query_one(ConfigForm)
        terms = form.query_one("#terms", Input)
        terms.focus()
        await pilot.pause()
        before = {name: form.query_one(f"#{name}", Input).value for name in ("smallest", "largest")}
        type_fast(app, "tab", "7", "enter", "8", "shift+tab", "9")
        for _ in range(3):
            await pilot.pause()
        assert terms.value == "3"  # nothing typed into the field being left
        assert form.query_one("#smallest", Input).value == before["smallest"] + "79"
        assert form.query_one("#largest", Input).value == before["largest"] + "8"
        assert app.focused is form.query_one("#smallest", Input)


@pilot_test
async def test_evaluate_load_import_and_delete(models_dir, library):
    app = make_app(models_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # Evaluate the loaded model on demand, with a refused sample count first.
        await pilot.press("3")
        await type_into(pilot, "#evaluation-samples", "0")
        assert app.query_one("#evaluate").disabled
        assert "Samples must be from 1" in screen_text(app)
        await type_into(pilot, "#evaluation-samples", "500")
        await pilot.press("enter")
        await settle(pilot)
        shown = app.query_one("#evaluation-panel")
        assert shown.evaluation.samples == 500 and shown.subject == "tiny"
        text = screen_text(app)
        assert "Per answer character" in text and "By number of terms" in text

        # A model saved outside the app (another session, the CLI) is listed on return to Models.
        shutil.copytree(models_dir / "tiny", models_dir / "from-outside")
        await pilot.press("escape", "4")
        await pilot.pause()
        assert "from-outside" in [info.name for info in app.query_one(ModelLibrary).infos]

        # Import the tiny model's files as if the tutorial had written them.
        await pilot.press("escape", "4", "i")
        assert isinstance(app.screen, ImportModelDialog)
        dialog = app.screen
        # Import with the files left empty: each one says what it needs.
        dialog.query_one("#import", Button).press()
        await pilot.pause()
        assert "Fix the marked fields first" in screen_text(app)
        assert screen_text(app).count("Give the path of a file.") == 2
        dialog.query_one("#architecture", Input).value = "[/]"
        await pilot.pause()
        assert "[/] is not a file." in screen_text(app)
        dialog.query_one("#architecture", Input).value = str(library / "tiny" / "architecture.json")
        dialog.query_one("#weights", Input).value = str(library / "tiny" / "model.weights.h5")
        await type_into(pilot, "#name", "imported")
        await pilot.press("enter")
        await settle(pilot)
        names = [info.name for info in app.query_one(ModelLibrary).infos]
        assert "imported" in names
        assert app.query_one(ModelLibrary).selected.name == "imported"

        # Importing again under that name asks first; declining brings the dialog back as it was.
        await pilot.press("i")
        dialog = app.screen
        architecture = str(library / "tiny" / "architecture.json")
        dialog.query_one("#architecture", Input).value = architecture
        dialog.query_one("#weights", Input).value = str(library / "tiny" / "model.weights.h5")
        await type_into(pilot, "#name", "imported")
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ImportModelDialog)
        assert app.screen.query_one("#architecture", Input).value == architecture
        assert app.screen.query_one("#name", Input).value == "imported"
        await pilot.press("escape")

        # Load it (enter on the row), then delete it with confirmation.
        app.query_one("#model-table", DataTable).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.loaded_name == "imported" and "model: imported" in app.sub_title
        # The scores on screen are tiny's; the Evaluation panel says Evaluate now scores another.
        scores_box = app.query_one("#evaluation-scores")
        assert "not the current model (imported)" in str(scores_box.border_subtitle)
        # The quiz, hidden, reacts to the new opponent; focus inside it must not switch panels.
        assert app.query_one("#panels").active == "models"
        app.query_one(QuizPanel).query(Button).first().focus()
        await pilot.pause()
        assert app.query_one("#panels").active == "models"
        app.query_one("#model-table", DataTable).focus()
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        assert (models_dir / "imported").is_dir()
        await pilot.press("d", "y")
        await pilot.pause()
        assert not (models_dir / "imported").exists()
        assert app.current is None and "no model loaded" in app.sub_title
        assert app.query_one("#evaluate").disabled  # nothing to score
        assert "imported" not in [info.name for info in app.query_one(ModelLibrary).infos]


@pilot_test
async def test_returning_to_the_quiz_puts_the_keys_back_in_it(models_dir):
    app = make_app(models_dir, player="ann")
    async with app.run_test(size=(80, 24)) as pilot:
        panel = await quiz_holding_the_keys(pilot)
        await pilot.press("enter")  # Start round, as the lobby says
        assert panel.state == "question"
        await pilot.press("7", "escape")  # Esc leaves the field for the tab bar, keeping the 7
        assert panel.state == "question" and app.query_one("#answer", Input).value == "7"
        assert app.focused is app.query_one("#panels Tabs")
        await pilot.press("5")  # back to the quiz: the answer box again
        await pilot.pause()
        await pilot.press("ctrl+n")  # pass
        await pilot.press("4", "5")  # away and back mid-round
        await pilot.pause()
        assert app.focused is app.query_one("#reveal-hint")
        await pilot.press("enter")
        assert panel.state == "question" and panel.round.number == 2
        # ctrl+q mid-round asks first, as the standalone quiz does; No keeps the round.
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog) and "quiz round" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert app.is_running and panel.state == "question"


@pilot_test
async def test_help_and_the_quit_question_say_that_a_question_s_clock_waits(models_dir):
    # Both stop the quiz's clock (a dialog over the quiz); stopped silently, the player would
    # not know why it had not moved. Nothing is timed in the lobby: nothing to say there.
    app = make_app(models_dir, player="ann")
    async with app.run_test(size=(80, 24)) as pilot:
        panel = await quiz_holding_the_keys(pilot)
        seen = {}
        for state in ("lobby", "question"):
            assert panel.state == state
            await pilot.press("f1")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            seen[state, "help"] = " ".join(screen_text(app).split())
            await pilot.press("escape")
            if state == "lobby":
                await pilot.press("enter")  # Start round
            else:
                await pilot.press("ctrl+q")
                await pilot.pause()
                assert isinstance(app.screen, ConfirmDialog)
                seen[state, "quit"] = " ".join(screen_text(app).split())
                await pilot.press("n")
        assert "The question's clock is paused while help is open." in seen["question", "help"]
        assert "The question's clock is paused while you decide." in seen["question", "quit"]
        assert "clock is paused" not in seen["lobby", "help"]
        assert app.is_running and panel.state == "question"


def footer_keys(app: Seq2AddApp) -> str:
    """The footer's keys, without the command palette's hint at its right end."""
    return screen_text(app).splitlines()[-1].split("▏")[0].rstrip()


@pytest.mark.parametrize("unsaved", [False, True], ids=["saved", "unsaved-model"])
@pilot_test
async def test_the_quiz_footer_is_whole_at_80_columns_in_every_state(models_dir, unsaved):
    # The reveal's keys cut the footer to "… f1 Help  1234", the final card's to "… s Set"; the
    # quiz keys are on each state's hint line, so the footer keeps the app's (and Pass).
    app = make_app(models_dir, player="ann")
    if unsaved:  # ^s Save is in the footer too
        app._unsaved = lambda: object()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        panel = app.query_one(QuizPanel)
        panel.query_one("#questions", Input).value = "1"
        seen, screens = {}, {}
        for key in ("enter", "ctrl+n", "enter", "l", ""):  # start, pass, on to the final, board
            seen[str(panel.state)] = footer_keys(app)
            screens[str(panel.state)] = " ".join(screen_text(app).split())
            if key:
                await pilot.press(key)
                await settle(pilot)
        assert list(seen) == ["lobby", "question", "reveal", "final", "board"]
        for state, footer in seen.items():
            assert footer.endswith("Panels") and "f1 Help" in footer, (state, footer)
            assert ("^s Save" in footer) == unsaved, footer
        assert "^n Pass" in seen["question"]
        # What the footer leaves out, each state's hint line says.
        assert "Enter: see who won · W: inside the model" in screens["reveal"]
        assert "R replay · N new round · L leaderboard · S settings" in screens["final"]


@pilot_test
async def test_the_evaluation_panel_footer_names_the_way_to_the_panels(models_dir):
    # Its own Esc (to the view tabs) hid the App's "esc Panels", leaving no Panels hint at all.
    app = make_app(models_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await pilot.pause()
        views = app.query_one("#evaluation-views Tabs")
        for field_id, view_key in (("#evaluation-samples", ""), ("#probe-input", "p")):
            if view_key:
                await pilot.press(view_key)
            else:
                app.query_one(field_id, Input).focus()
            await pilot.pause()
            assert app.focused is app.query_one(field_id)
            assert footer_keys(app).endswith("esc Panels"), footer_keys(app)
            await pilot.press("escape")
            await pilot.pause()
            assert app.focused is views
            assert footer_keys(app).endswith("12345 Panels"), footer_keys(app)
        # Off a text field, 1–5 work as they are: the footer says so, once.
        app.query_one("#evaluate", Button).focus()
        await pilot.pause()
        footer = footer_keys(app)
        assert footer.endswith("12345 Panels") and "esc" not in footer, footer


@pilot_test
async def test_copy_settings_fills_the_form_from_the_current_model(models_dir):
    app = make_app(models_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = app.query_one(ConfigForm)
        app.action_copy_settings()
        await pilot.pause()
        assert app.query_one("#panels").active == "config"
        assert form.query_one("#encoder_units", Input).value == "16"
        assert form.settings is not None
        assert form.settings.training.samples == TINY_TRAINING["samples"]

        # A damaged record is refused in a notification; the form keeps what it had.
        spec = json.loads((models_dir / "tiny" / "spec.json").read_text())
        spec["training"]["batch_size"] = 0
        (models_dir / "tiny" / "spec.json").write_text(json.dumps(spec))
        app.action_refresh_models("tiny")
        form.use_preset("notebook")
        await pilot.pause()
        app.action_copy_settings()
        await pilot.pause()
        assert any("can't be used" in n.message for n in app._notifications)
        assert form.query_one("#encoder_units", Input).value == "75"


# -- habits ---------------------------------------------------------------------------------------


@pilot_test
async def test_resizing_keeps_state_and_help_lists_the_keys(models_dir):
    app = make_app(models_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await fill_form(pilot, {"largest": "77", "samples": "nope"})
        for size in ((80, 24), (60, 20), (120, 40), (80, 24)):
            await pilot.resize_terminal(*size)
        form = app.query_one(ConfigForm)
        assert form.query_one("#largest", Input).value == "77"
        assert "samples" in form.errors and app.query_one("#panels").active == "config"
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "Train a model with the Config panel's settings" in screen_text(app)
        seen = screen_text(app)
        for _ in range(6):  # page through the help
            await pilot.press("pagedown")
            await pilot.pause()
            seen += screen_text(app)
        assert "Panels: Config, Training, Evaluation" in seen
        assert "Delete the highlighted model" in seen
        assert "Top scores on this model" in seen  # the quiz panel's keys
        # ...and W, bound on the reveal and the final screen rather than on the panel.
        assert "The model's top choices" in seen and "The round's questions the model" in seen
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        # The theme toggles between dark and light.
        dark = app.current_theme.dark
        await pilot.press("f2")
        assert app.current_theme.dark is not dark


@pilot_test
async def test_command_palette_reaches_presets_and_panels(models_dir):
    app = make_app(models_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"Preset: four")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.query_one("#panels").active == "config"
        assert app.query_one(ConfigForm).preset == "four-ops"
        assert app.query_one("#ops", Input).value == "+-*/"
        # The quiz's commands are there too: its leaderboard across every model, by name.
        await pilot.press("ctrl+p")
        await pilot.press(*"leaderboard, every")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        panel = app.query_one(QuizPanel)
        assert app.query_one("#panels").active == "quiz" and panel.state == "board"
        assert app.query_one("#board-view").model is None
