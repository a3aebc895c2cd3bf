"""One settings table: every setting reaches the CLI and the Config form, and survives spec.json."""

import asyncio
import json
from dataclasses import replace

import pytest
from textual.app import App

from core.model_files import parse_saved_spec
from core.presets import PRESETS, build_settings
from core.settings import SETTINGS, Setting, record_value
from core.train import TrainingConfig
from seq2add_tui.cli import build_parser
from seq2add_tui.widgets.config_form import ConfigForm

TEXT_EXAMPLES = {"ops": "+-", "terms": "2-4", "sampling": "mixed:0.25", "tensorboard": "/tmp/tb"}
"""A valid value other than the default for each text setting (a new one needs one here)."""


def _example(setting: Setting):
    """A valid value unlike the default, so it can only arrive if the setting really travels."""
    if setting.kind == "bool":
        return not setting.default
    if setting.kind == "choice":
        return next(choice for choice in setting.choices if choice != setting.default)
    if setting.kind == "int":
        return setting.default + 1
    if setting.kind == "float":
        return setting.high / 2 if setting.default is None else setting.default * 2
    return TEXT_EXAMPLES[setting.name]


def _cli_argument(setting: Setting, value) -> list[str]:
    if setting.kind == "bool":
        return [setting.flag if value else "--no-" + setting.flag[2:]]
    return [setting.flag, str(value)]


def _records(overrides):
    spec, model, training = build_settings(None, overrides)
    return {"problem": spec, "model": model, "training": training}


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_reaches_the_cli_and_round_trips_through_spec_json(setting):
    value = _example(setting)
    args = build_parser().parse_args(["train", "--out", "x", *_cli_argument(setting, value)])
    overrides = {s.name: getattr(args, s.name) for s in SETTINGS}
    assert {n for n, v in overrides.items() if v is not None} == {setting.name}
    records = _records(overrides)
    if setting.record == "run":  # where a run writes: the CLI reads it, no record or preset does
        assert getattr(args, setting.name) == value and records == _records({})
        return
    assert record_value(setting, records[setting.record]) == value
    assert records != _records({})

    # What save_model writes and the store reads back (the app's "copy settings" uses it).
    document = {
        "problem": records["problem"].to_dict(),
        "model": records["model"].to_dict(),
        "training": {**records["training"].to_dict(), "status": "completed"},
    }
    saved = parse_saved_spec(json.loads(json.dumps(document)))
    read_back = {
        "problem": saved.problem,
        "model": saved.model,
        "training": TrainingConfig.from_dict(saved.training),
    }
    assert read_back == records


class FormApp(App):
    def compose(self):
        yield ConfigForm()


def test_every_form_setting_is_a_field_that_reaches_core():
    asyncio.run(_fill_each_setting_into_the_form())


async def _fill_each_setting_into_the_form():
    on_form = [s for s in SETTINGS if s.on_form]
    # checkpoints: the app picks its own; the rest: a preset's recipe, kept from the preset
    assert {s.name for s in SETTINGS if not s.on_form} == {
        "checkpoints",
        "stratified",
        "focus",
        "unroll",
    }
    app = FormApp()
    async with app.run_test(size=(120, 60)) as pilot:
        form = app.query_one(ConfigForm)
        notebook = PRESETS["notebook"]
        for setting in on_form:
            if setting.record == "run":
                field = form.query_one(f"#{setting.name}")
                field.value = _example(setting)
                await pilot.pause()
                assert form.settings is not None
                assert getattr(form.settings, setting.field) == _example(setting)
                field.value = ""
                await pilot.pause()
                continue
            records = _records({setting.name: _example(setting)})
            form.fill(records["problem"], records["model"], records["training"])
            assert form.settings is not None, (setting.name, form.errors)
            got = {
                "problem": form.settings.spec,
                "model": form.settings.model,
                "training": replace(form.settings.training, checkpoints=0),
            }
            assert got == records, setting.name
            assert (got["problem"], got["model"], got["training"]) != (
                notebook.spec,
                notebook.model,
                notebook.training,
            )
