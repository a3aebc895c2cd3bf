"""The training monitor, driven with Pilot: phases named as they happen, the run's history saved
beside the model, another run laid over the current one, the learning-rate view, CSV export."""

from __future__ import annotations

import csv

from test_app import (
    TINY_FORM,
    fill_form,
    log_text,
    make_app,
    models_dir,
    pilot_test,
    screen_text,
    settle,
    type_into,
    wait_until,
)
from textual.app import App
from textual.widgets import Select, Static

__all__ = ["models_dir"]  # the fixture, shared with test_app

from core.history import COLUMNS, read_history
from core.presets import PRESETS
from core.run import Settings
from core.run_status import RunStatus
from core.train import (
    BatchEnded,
    Checkpoint,
    PhaseStarted,
    TrainingConfig,
    TrainingFinished,
    TrainingStarted,
    training_phase,
)
from seq2add_tui.widgets.learning_plot import LearningPlot
from seq2add_tui.widgets.training_panel import TrainingPanel


async def train_tiny_run(pilot) -> None:
    await pilot.click("#start-training")
    await pilot.pause()
    await wait_until(pilot, lambda: not pilot.app.training)
    await settle(pilot)


@pilot_test
async def test_a_tiny_run_names_its_phases_saves_its_history_and_compares(
    models_dir, tmp_path, monkeypatch
):
    app = make_app(models_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await fill_form(pilot, TINY_FORM)
        await train_tiny_run(pilot)
        panel = app.query_one(TrainingPanel)

        # Every phase named as it happened, in order, and the log says fit and total time.
        phases = panel.phase_log
        assert phases[0] == "Preparing: building the model and 640 training samples"
        assert phases[1] == "Training epoch 1/2"
        # 20 batches, 20 checkpoints (one per batch), and the 1,000 distinct questions.
        assert "Validating at checkpoint 1/20 on 1,000 samples" in phases
        assert "Validating at checkpoint 20/20 on 1,000 samples" in phases
        assert phases.index("Validating epoch 1 on 1,000 samples") < phases.index(
            "Training epoch 2/2"
        )
        assert phases[-1] == "Scoring on 300 fresh problems"
        log = log_text(app)
        assert "· Preparing: building the model" in log and "· Scoring on 300 fresh" in log
        assert "check 20/20  valid exact" in log
        assert "Training finished." in log and "fit " in log and ", total " in log

        # The run's history: every check, in order; this run is offered for comparison.
        assert len(panel.points) == 20 + 2
        assert [p.kind for p in panel.points].count("epoch") == 2
        compare = app.query_one("#compare-run", Select)
        labels = [str(label) for label, _ in compare._options]
        assert any("run 1 of this session" in label for label in labels)
        assert not any(label == "tiny" for label in labels)  # the fixture has no history

        # Saved: history.csv beside the model, with every check; the log names the phase.
        await pilot.press("ctrl+s")
        await type_into(pilot, "#model-name", "mine")
        await pilot.press("enter")
        await settle(pilot)
        assert app.fresh.saved_as == "mine" and panel.phase_log[-1] == "Saving as mine"
        await pilot.press("2")  # lines logged while the panel was hidden are written now
        await settle(pilot)
        assert "· Saving as mine…" in log_text(app) and "✓ Saved as mine." in log_text(app)
        saved = read_history(models_dir / "mine")
        assert saved == panel.points
        header = (models_dir / "mine" / "history.csv").read_text().splitlines()[0]
        assert header == ",".join(COLUMNS)

        # A second run, and the first one (now saved) laid over it.
        await pilot.press("escape", "1")
        # ... written for TensorBoard too: the Config field, which a preset leaves as it is.
        await fill_form(pilot, {"tensorboard": str(tmp_path / "tb")})
        app.config_form.use_preset("notebook")
        await fill_form(pilot, {**TINY_FORM, "lr": "0.003"})
        assert app.config_form.settings.tensorboard_dir == str(tmp_path / "tb")
        await train_tiny_run(pilot)
        for side in ("train", "validation"):
            assert list((tmp_path / "tb" / side).glob("events.out.tfevents.*"))
        await pilot.press("2")
        await pilot.pause()
        assert any(value == "model:mine" for _, value in compare._options)
        compare.value = "model:mine"
        await pilot.pause()
        plot = app.query_one(LearningPlot)
        assert plot.compared is not None and plot.compared.label == "mine"
        assert list(plot.compared.points) == saved
        legend = "\n".join(screen_text(app).splitlines()[9:12])
        assert "x mine" in legend, legend
        assert plot.checks[-1].learning_rate < saved[-1].learning_rate  # 0.003 against 0.01

        # The learning-rate view, then back; clearing the comparison.
        app.query_one("#plot-view", Select).value = "rate"
        await pilot.pause()
        assert plot.view == "rate" and "learning rate" in screen_text(app)
        app.query_one("#plot-view", Select).value = "curves"
        compare.clear()
        await pilot.pause()
        assert plot.compared is None and "valid loss" in screen_text(app)

        # Export: the current run's checks as CSV in the working folder.
        monkeypatch.chdir(tmp_path)
        await pilot.click("#export-history")
        await pilot.pause()
        exported = list(tmp_path.glob("seq2add-history-*.csv"))
        assert len(exported) == 1
        rows = list(csv.DictReader(exported[0].open()))
        assert len(rows) == len(panel.points) and float(rows[-1]["learning_rate"]) > 0


@pilot_test
async def test_the_stopping_fields_say_what_empty_means_and_give_examples_that_fit(models_dir):
    from textual.widgets import Input

    app = make_app(models_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await fill_form(pilot, {"patience": ""})  # empty switches the rule off, as README says
        form = app.config_form
        assert "patience" not in form.errors and form.settings.training.patience == 0
        assert app.query_one("#patience", Input).placeholder == "never"
        await fill_form(pilot, {"clip_norm": "abc", "stop_at": "x"})
        assert form.errors["clip_norm"] == "Clip norm must be a number such as 1.0, not 'abc'."
        assert form.errors["stop_at"] == "Stop at must be a number such as 1.0, not 'x'."


@pilot_test
async def test_at_80x24_refusals_show_whole_and_nothing_covers_the_delete_question(models_dir):
    from textual.widgets import Input

    from seq2add_tui.screens.dialogs import ConfirmDialog

    app = make_app(models_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # The first screen's footer names the panel keys whole (it read '12345 Pan▏').
        footer = screen_text(app).splitlines()[-1]
        assert "12345 Panels" in footer and "Save" not in footer  # nothing to save yet
        await pilot.press("1")
        await pilot.pause()
        # The form's last field: its refusal, all three lines, scrolls into view.
        app.query_one("#clip_norm", Input).focus()
        await pilot.press("y")
        await settle(pilot)
        shown = screen_text(app)
        assert "Clip norm must be a" in shown and "'y'." in shown
        # A notification from a moment ago does not sit on the Delete question.
        await pilot.press("escape", "4")
        await settle(pilot)
        app.notify("Something happened a moment ago.", title="Earlier")
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert not list(app._notifications)  # no toast left to sit on the question
        assert "Delete" in screen_text(app)


def test_the_app_adds_checks_for_its_plot_but_keeps_a_recipe_s_own():
    from seq2add_tui.training_runs import PLOT_CHECKPOINTS, plot_checkpoints

    assert plot_checkpoints(TrainingConfig()) == PLOT_CHECKPOINTS  # the notebook asks none
    assert plot_checkpoints(TrainingConfig(samples=640, batch_size=64)) == 10  # one per batch
    recipe = PRESETS["notebook-perfect"].training
    assert recipe.checkpoints > PLOT_CHECKPOINTS and plot_checkpoints(recipe) == recipe.checkpoints


class TrainingPanelApp(App):
    """The Training panel alone, fed a run's events by hand (no TensorFlow)."""

    def compose(self):
        yield TrainingPanel(id="training-panel")


@pilot_test
async def test_during_a_run_quick_checks_stay_off_the_status_line_and_the_log_catches_up():
    # The training thread waits for every screen update (the GIL), so a check of a few
    # hundredths of a second is not named on the status line; a long one is. Log lines and plot
    # points are drawn together about once a second, and everything at once when the run ends.
    app = TrainingPanelApp()
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(TrainingPanel)
        preset = PRESETS["notebook"]
        training = TrainingConfig(samples=320, epochs=1, batch_size=32, checkpoints=2)
        panel.begin(Settings(preset.spec, preset.model, training, "notebook", edited=True))
        panel.show_event(TrainingStarted(1, 10, 320, 52_212))
        panel.show_event(training_phase(1, 1))
        panel.show_batch(BatchEnded(1, 5, 10, 0.9, 0.6, 160, 320, 0.5), logged=True)
        panel.show_event(PhaseStarted("validating", "Validating at checkpoint 1/2 on 100 samples"))
        panel.show_event(Checkpoint(160, 0.25, 0.9, 1, 2))
        panel.show_event(training_phase(1, 1))
        await pilot.pause()

        def status() -> str:
            return str(app.query_one("#training-status", Static).render())

        assert status().startswith("Training ·")
        assert "Validating at checkpoint 1/2 on 100 samples" in panel.phase_log
        await wait_until(pilot, lambda: "check 1/2  valid exact 25" in log_text(app), 10)
        assert panel.query_one(LearningPlot).exact_points == [(160, 0.25)]

        panel.show_batch(BatchEnded(1, 10, 10, 0.7, 0.7, 320, 320, 1.0), logged=True)
        panel.show_event(PhaseStarted("validating", "Validating at checkpoint 2/2 on 100 samples"))
        await wait_until(pilot, lambda: status().startswith("Validating at checkpoint 2/2"), 10)
        panel.show_event(Checkpoint(320, 0.5, 0.7, 2, 2))
        panel.show_event(TrainingFinished(RunStatus.COMPLETED, "Training finished.", 1, 1.0, 0.5))
        panel.finish("Scored on 300 fresh problems: exact-match 50%.", "exact-match 50%")
        log = log_text(app)
        assert "check 2/2  valid exact 50" in log and "Training finished." in log
        assert status().startswith("Finished. exact-match 50%")
