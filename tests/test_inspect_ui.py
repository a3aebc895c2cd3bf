"""The Evaluation panel's probe, attention map, accuracy map and mistake gallery: pilot tests on
the app, and snapshots of each widget at 80×24 and 120×40 in both themes.

Snapshots use a model with fixed random weights on the shipped three-digit architecture, so they
don't change when the shipped models are retrained.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import pilot_test
from textual.app import App, ComposeResult
from textual.widgets import Input, OptionList, Static

from core.infer import NumpyNetwork, Predictor, network_from_keras
from core.model_files import read_architecture
from core.store import default_models_dir, read_info
from seq2add_tui.app import Seq2AddApp
from seq2add_tui.widgets.accuracy_map import AccuracyMapView
from seq2add_tui.widgets.attention_map import AttentionMap
from seq2add_tui.widgets.evaluation_panel import EvaluationPanel
from seq2add_tui.widgets.mistake_gallery import MistakeGallery
from seq2add_tui.widgets.probe import Probe

SIZES = [(80, 24), (120, 40)]
SIZE_IDS = ["80x24", "120x40"]
THEMES = ["textual-dark", "textual-light"]


def frozen_predictor(seed: int = 11) -> Predictor:
    """The three-digit architecture with fixed random weights: a bad model that never changes."""
    folder = default_models_dir() / "three-digit"
    _, architecture = read_architecture(folder / "architecture.json")
    rng = np.random.default_rng(seed)
    weights = [
        [rng.normal(0, 0.9, shape).astype(np.float32) for shape in layer.weight_shapes]
        for layer in architecture.layers
    ]
    return Predictor(read_info(folder).spec, NumpyNetwork(architecture, weights), "frozen")


class InspectApp(App):
    """One inspection widget on its own, looking at the frozen model."""

    def __init__(self, widget, theme: str = "textual-dark", predictor=None) -> None:
        super().__init__()
        self.widget = widget
        self.predictor = predictor or frozen_predictor()
        self.theme = theme

    def compose(self) -> ComposeResult:
        yield self.widget

    def on_mount(self) -> None:
        self.widget.set_predictor(self.predictor)


async def still(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    for field in pilot.app.query(Input):
        field.cursor_blink = False


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("theme", THEMES)
def test_probe_with_attention_map_snapshot(snap_compare, size, theme):
    async def type_expression(pilot):
        await pilot.click("#probe-input")
        await pilot.press(*"123+989")
        await still(pilot)

    assert snap_compare(InspectApp(Probe(), theme), terminal_size=size, run_before=type_expression)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("theme", THEMES)
def test_accuracy_map_snapshot(snap_compare, size, theme):
    async def map_it(pilot):
        pilot.app.widget.samples = 900
        await pilot.click("#map-start")
        await still(pilot)
        # The worker's last message (the map itself) can land after the worker has finished:
        # wait until the map is drawn (the progress bar hides then) before the picture is taken.
        for _ in range(200):
            if pilot.app.widget.result is not None:
                break
            await pilot.pause(0.02)
        await still(pilot)

    app = InspectApp(AccuracyMapView(), theme)
    assert snap_compare(app, terminal_size=size, run_before=map_it)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("theme", THEMES)
def test_mistake_gallery_snapshot(snap_compare, size, theme):
    from core.accuracy_map import accuracy_map

    async def fill(pilot):
        result = accuracy_map(pilot.app.predictor, 300)
        pilot.app.widget.show(result.mistakes, result.samples, result.samples - result.correct)
        await still(pilot)

    class GalleryApp(InspectApp):
        def on_mount(self) -> None:
            pass

    app = GalleryApp(MistakeGallery(), theme)
    assert snap_compare(app, terminal_size=size, run_before=fill)


# -- pilot tests on the app ------------------------------------------------------------------------


@pytest.fixture
def app(tmp_path: Path) -> Seq2AddApp:
    """The app on a library of two shipped models, three-digit loaded."""
    root = tmp_path / "saved_models"
    for name in ("three-digit", "variable-terms"):
        shutil.copytree(default_models_dir() / name, root / name)
    return Seq2AddApp(models_dir=root, db_path=tmp_path / "scores.db", default_model="three-digit")


def _text(app, selector: str) -> str:
    """A Static's content as plain text."""
    content = app.query_one(selector, Static).content
    if isinstance(content, str):
        return content
    if hasattr(content, "plain"):
        return content.plain
    console = app.console
    return "".join(segment.text for segment in console.render(content, console.options))


async def _open_evaluation(pilot) -> EvaluationPanel:
    await pilot.app.workers.wait_for_complete()
    await pilot.press("3")
    await pilot.pause()
    return pilot.app.query_one(EvaluationPanel)


@pilot_test
async def test_probe_answers_as_you_type_and_explains_what_it_refuses(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_evaluation(pilot)
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.focused, Input) and app.focused.id == "probe-input"
        await pilot.press(*"123+989")
        probe = app.query_one(Probe)
        assert probe.result is not None and probe.result.expression == "123+989"
        assert "123+989 = 1112 ✓" in _text(app, "#probe-answer")
        attention = app.query_one(AttentionMap)
        assert attention.result is probe.result and "Where each answer" in _text(
            app, "#probe-attention"
        )
        await pilot.press("+")  # half-typed: the last answer stays, under the reason
        await pilot.pause()
        error = app.query_one("#probe-error", Static)
        assert error.display and _text(app, "#probe-error").startswith("↳ ")
        assert probe.result.expression == "123+989"
        for _ in range(4):
            await pilot.press("backspace")
        await pilot.press(*"[b]1")  # typed text is never markup
        await pilot.pause()
        assert "'['" in _text(app, "#probe-error")
        await pilot.press("escape")
        assert app.focused is app.query_one("#evaluation-views Tabs")
        await pilot.press("m")  # the view keys work from the view tabs
        await pilot.pause()
        assert app.query_one("#evaluation-views").active == "map-view"
        await pilot.press("escape", "4")  # and so do the panel keys
        await pilot.pause()
        assert app.query_one("#panels").active == "models"


@pilot_test
async def test_map_worst_cells_and_gallery_open_in_the_probe(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_evaluation(pilot)
        app.set_current(frozen_predictor(), None)  # a model with mistakes everywhere, forever
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        view = app.query_one(AccuracyMapView)
        view.samples = 2000
        await pilot.press("enter")  # the Map button has the focus
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert view.result is not None and view.result.samples == 2000
        assert "3 digits" in _text(app, "#map-grid")
        worst = view.result.worst(1)[0]
        await pilot.press("tab", "enter")  # into the worst cells; open the first
        await pilot.pause()
        probe = app.query_one(Probe)
        assert app.query_one("#evaluation-views").active == "probe-view"
        assert probe.result is not None and probe.result.expression == worst.example
        assert not probe.result.correct
        await pilot.press("escape", "x")
        await pilot.pause()
        gallery = app.query_one(MistakeGallery)
        options = gallery.query_one(OptionList)
        assert options.option_count > 1 and app.focused is options
        first = options.get_option_at_index(options.highlighted).id.rsplit("|", 1)[1]
        await pilot.press("enter")
        await pilot.pause()
        assert probe.result.expression == first and not probe.result.correct


@pilot_test
async def test_a_new_model_clears_the_map_and_the_probe_asks_it(app):
    async with app.run_test(size=(80, 24)) as pilot:
        panel = await _open_evaluation(pilot)
        await pilot.press("m", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.query_one(AccuracyMapView)
        assert view.result is not None
        panel.follow_model(None)
        await pilot.pause()
        assert view.result is None and app.query_one("#map-start").disabled
        await pilot.press("p")
        await pilot.press(*"1+2")
        await pilot.pause()
        assert "No model is loaded" in _text(app, "#probe-error")


@pilot_test
async def test_probe_of_a_plain_seq2seq_model_says_it_has_no_attention(tiny_run):
    predictor = Predictor(tiny_run.spec, network_from_keras(tiny_run.model))
    app = InspectApp(Probe(), predictor=predictor)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.click("#probe-input")
        await pilot.press(*"1+2+3")
        await pilot.pause()
        shown = _text(app, "#probe-attention")
        assert "has no attention" in shown and "1:" in shown and "%" in shown
        assert app.query_one(Probe).result.attention is None
