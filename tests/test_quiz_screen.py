"""The quiz screen repaints only what changed, and what it paints is what Textual would paint.

A served room runs one quiz process per player on a small server, so every repaint saved is CPU
for another player; these tests pin the savings and check that the screen still looks the same.
"""

from __future__ import annotations

import io
from functools import partial

from rich.console import Console
from textual._compositor import Compositor
from textual.geometry import Region

from seq2add_tui.quiz import QuizPanel
from seq2add_tui.quiz.screen import LineCroppingCompositor
from tests.test_quiz_ui import SIZE, opponent, pilot_test, quiz_app  # noqa: F401

TRUECOLOR = Console(color_system="truecolor", force_terminal=True, file=io.StringIO(), width=80)


def partial_updates(app, regions: list[Region]) -> tuple[str, str]:
    """The terminal bytes of repainting ``regions``: the quiz's compositor's, and Textual's own."""
    compositor = app.screen._compositor
    assert isinstance(compositor, LineCroppingCompositor)
    compositor._dirty_regions.update(regions)
    ours = compositor.render_partial_update()
    compositor._dirty_regions.update(regions)
    compositor._get_renders = partial(Compositor._get_renders, compositor)
    try:
        textuals = compositor.render_partial_update()
    finally:
        del compositor._get_renders
    return ours.render_segments(TRUECOLOR), textuals.render_segments(TRUECOLOR)


def regions_to_try(app, *selectors: str) -> list[list[Region]]:
    """Each widget's region alone, all of them together, and rectangles that cut across widgets."""
    widgets = [app.query_one(selector).region for selector in selectors]
    return [
        *([region] for region in widgets),
        widgets,
        [Region(10, 5, 30, 4)],
        [Region(0, 0, 3, 24), Region(40, 12, 40, 2)],
        [Region(0, 0, *SIZE)],
    ]


@pilot_test
async def test_partial_repaints_draw_what_textual_would(opponent, tmp_path):  # noqa: F811
    app = quiz_app(opponent, tmp_path, questions=2)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(QuizPanel)
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        assert panel.state == "question"
        for regions in regions_to_try(app, "#countdown", "#answer", "#quiz-status"):
            ours, textuals = partial_updates(app, regions)
            assert ours == textuals and ours

        await pilot.press("enter")
        await pilot.pause()
        assert panel.state == "reveal"
        cards = ("#card-truth", "#card-player", "#card-model", "#confidence", "#reveal-verdict")
        for regions in regions_to_try(app, *cards):
            ours, textuals = partial_updates(app, regions)
            assert ours == textuals and ours


@pilot_test
async def test_answering_repaints_no_whole_screen(opponent, tmp_path, monkeypatch):  # noqa: F811
    full_updates = []
    render_full_update = Compositor.render_full_update

    def counted(compositor, *args, **kwargs):
        full_updates.append(compositor)
        return render_full_update(compositor, *args, **kwargs)

    app = quiz_app(opponent, tmp_path, player=None, web_session=True)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(QuizPanel)
        await pilot.press(*"ann", "enter")
        await pilot.pause()
        monkeypatch.setattr(Compositor, "render_full_update", counted)
        for _ in range(2):
            assert panel.state == "question" and app.focused.id == "answer"
            await pilot.press("1", "enter")
            await pilot.pause()
            assert panel.state == "reveal" and app.focused.id == "reveal-hint"
            await pilot.press("enter")
            await pilot.pause()
        assert full_updates == []
