"""The reveal teaches: one key shows the model's attention and alternatives for the question just
answered, and the final screen shows what the model found hard in the round."""

from __future__ import annotations

import pytest
from conftest import pilot_test
from rich.console import Console
from textual.widgets import Static

from core.probe import probe_many
from core.store import load_predictor
from seq2add_tui.quiz import QuizPanel
from seq2add_tui.quiz.inside import InsideModel, found_hard_renderable, hardest
from seq2add_tui.quiz_app import QuizApp
from tests.test_inspect_ui import frozen_predictor

SIZE = (80, 24)


@pytest.fixture(scope="module")
def opponent():
    return load_predictor("notebook-perfect")


def quiz_app(opponent, tmp_path) -> QuizApp:
    return QuizApp(
        opponent,
        db_path=tmp_path / "scores.sqlite3",
        player="ann",
        seed=11,
        questions=2,
        seconds=10,
        clock=lambda: 1_000.0,  # time stands still: no time bonus to vary between runs
        cursor_blink=False,
    )


def _plain(app) -> str:
    content = app.screen.query_one("#inside-content", Static).content
    console = app.console
    return "".join(segment.text for segment in console.render(content, console.options))


@pilot_test
async def test_one_key_after_an_answer_shows_inside_the_model_then_the_round_goes_on(
    opponent, tmp_path
):
    app = quiz_app(opponent, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(QuizPanel)
        await pilot.pause()
        question = panel.round.current
        await pilot.press(*str(question.answer), "enter")
        await pilot.pause()
        assert panel.state == "reveal"
        assert "W: inside the model" in str(app.query_one("#reveal-hint", Static).render())
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, InsideModel)
        shown = _plain(app)
        assert f"{question.expression} = " in shown and ("✓" in shown or "truth" in shown)
        assert "1st" in shown and "Where each answer character looked" in shown
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, InsideModel) and panel.state == "reveal"
        await pilot.press("enter")  # the panel still hears its keys: next question
        await pilot.pause()
        assert panel.state == "question" and panel.round.number == 2
        await pilot.press(*str(panel.round.current.answer), "enter", "enter")
        await pilot.pause()
        assert panel.state == "final"
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, InsideModel)
        shown = _plain(app)
        for result in panel.round.results:
            assert result.question.expression in shown
        await pilot.press("w")
        await pilot.pause()
        assert not isinstance(app.screen, InsideModel) and panel.state == "final"


def test_what_the_model_found_hard_lists_mistakes_then_the_least_sure():
    predictor = frozen_predictor()
    probes = probe_many(predictor, ["1+2", "123+989", "5+7", "999+999", "10+10", "0+0", "7+70"])
    picked = hardest(probes)
    assert len(picked) == 5
    order = [(p.correct, p.confidence) for p in picked]
    assert [c for c, _ in order] == sorted(c for c, _ in order)  # wrong ones first
    console = Console(width=80)
    text = "".join(s.text for s in console.render(found_hard_renderable(picked, dark=True)))
    assert picked[0].expression in text and "character" in text and "Where it looked" in text


def test_snapshot_inside_the_model_window(snap_compare):
    """The window a reveal opens, on a model whose weights never change (the shipped ones are
    retrained now and then)."""
    from textual.app import App

    from core.probe import probe
    from seq2add_tui.inspection import probe_renderable

    class Window(App):
        def on_mount(self) -> None:
            body = probe_renderable(probe(frozen_predictor(), "123+989"), dark=True)
            self.push_screen(InsideModel("Inside frozen", body))

    assert snap_compare(Window(), terminal_size=SIZE)
