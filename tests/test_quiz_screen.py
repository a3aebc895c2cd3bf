"""The quiz screen repaints only what changed, and what it paints is what Textual would paint.

A served room runs one quiz process per player on a small server, so every repaint saved is CPU
for another player; these tests pin the savings and check that the screen still looks the same.
"""

from __future__ import annotations

import io
import re
from functools import partial

from rich.console import Console
from textual._compositor import Compositor
from textual.css.stylesheet import Stylesheet
from textual.geometry import Region
from textual.screen import Screen
from textual.widgets import ContentSwitcher

from seq2add_tui.quiz import QuizPanel
from seq2add_tui.quiz.screen import LineCroppingCompositor
from seq2add_tui.quiz.widgets import Countdown
from tests.test_quiz_ui import SIZE, FakeClock, opponent, pilot_test, quiz_app  # noqa: F401

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
    return painted(ours.render_segments(TRUECOLOR)), painted(textuals.render_segments(TRUECOLOR))


def painted(terminal_bytes: str) -> str:
    """The bytes without cursor moves that paint nothing (followed by another move or line).

    Textual moves the cursor to the first cell after a repainted widget when a container
    behind it reaches that far, and writes nothing there; skipping the container skips the move.
    """
    return re.sub(r"\x1b\[\d+;\d+H(?=\x1b\[\d+;\d+H|\n|$)", "", terminal_bytes)


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
async def test_lines_hidden_behind_a_widget_in_front_are_not_rendered(
    opponent,  # noqa: F811
    tmp_path,
    monkeypatch,
):
    app = quiz_app(opponent, tmp_path, questions=2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("1", "enter")
        await pilot.pause()
        assert app.query_one(QuizPanel).state == "reveal"
        switcher, card = app.query_one(ContentSwitcher), app.query_one("#card-model")
        rendered = lines_rendered_repainting(monkeypatch, app, Region(0, 0, *SIZE), switcher, card)
        # The reveal, in front of the switcher, covers all of it; nothing is in front of a card.
        assert rendered == {switcher: 0, card: card.region.height}
        ours, textuals = partial_updates(app, [Region(0, 0, *SIZE)])
        assert ours == textuals


@pilot_test
async def test_a_repaint_renders_no_container_behind_the_columns_it_updates(
    opponent,  # noqa: F811
    tmp_path,
    monkeypatch,
):
    app = quiz_app(opponent, tmp_path, questions=2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        answer, question = app.query_one("#answer"), app.query_one("#quiz-question")
        row = app.query_one("#answer-row")
        # The answer box is narrower than the question and its row, which are behind it.
        assert answer.region.width < row.region.width
        rendered = lines_rendered_repainting(monkeypatch, app, answer.region, answer, question, row)
        assert rendered == {
            widget: answer.region.height if widget is answer else 0 for widget in rendered
        }


def record_calls(monkeypatch, owner: type, method: str) -> list:
    """From now on, note the object of every call of ``owner.method`` (which still runs)."""
    calls = []
    original = getattr(owner, method)

    def recorded(self, *args, **kwargs):
        calls.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(owner, method, recorded)
    return calls


def lines_rendered_repainting(monkeypatch, app, region: Region, *widgets) -> dict:
    """Repaint ``region`` of the screen; the lines each of ``widgets`` rendered for it."""
    rendered = dict.fromkeys(widgets, 0)
    for widget in widgets:
        monkeypatch.setattr(
            widget, "render_lines", partial(_counted_render, rendered, widget, widget.render_lines)
        )
    compositor = app.screen._compositor
    compositor._dirty_regions.add(region)
    assert compositor.render_partial_update()
    return rendered


def _counted_render(rendered, widget, render_lines, crop):
    rendered[widget] += crop.height
    return render_lines(crop)


@pilot_test
async def test_answering_repaints_no_whole_screen(opponent, tmp_path, monkeypatch):  # noqa: F811
    app = quiz_app(opponent, tmp_path, player=None, web_session=True)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(QuizPanel)
        await pilot.press(*"ann", "enter")
        await pilot.pause()
        full_updates = record_calls(monkeypatch, Compositor, "render_full_update")
        for _ in range(2):
            assert panel.state == "question" and app.focused.id == "answer"
            await pilot.press("1", "enter")
            await pilot.pause()
            assert panel.state == "reveal" and app.focused.id == "reveal-hint"
            await pilot.press("enter")
            await pilot.pause()
        assert full_updates == []


@pilot_test
async def test_typing_an_answer_lays_nothing_out(opponent, tmp_path, monkeypatch):  # noqa: F811
    app = quiz_app(opponent, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        layouts = record_calls(monkeypatch, Screen, "_refresh_layout")
        await pilot.press("1", "2")
        await pilot.pause()
        assert app.query_one("#answer").value == "12"
        assert layouts == []


@pilot_test
async def test_the_countdown_repaints_once_a_second(opponent, tmp_path, monkeypatch):  # noqa: F811
    clock = FakeClock()
    app = quiz_app(opponent, tmp_path, clock, seconds=10)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        countdown = app.query_one(Countdown)
        repaints = []
        monkeypatch.setattr(countdown, "refresh", lambda *a, **k: repaints.append(countdown))
        shown = []
        for _ in range(8):  # 2.4 s in steps shorter than a tick of the bar
            clock.advance(0.3)
            await pilot.pause(0.25)
            shown.append(str(countdown.render()).split()[-2])
        assert shown == ["10", "10", "10", "9", "9", "9", "8", "8"]
        assert len(repaints) == 2


@pilot_test
async def test_the_focus_moving_between_answer_box_and_reveal_restyles_nothing(
    opponent,  # noqa: F811
    tmp_path,
    monkeypatch,
):
    restyled = []
    update_nodes = Stylesheet.update_nodes

    def counted(stylesheet, nodes, *args, **kwargs):
        nodes = list(nodes)
        restyled.extend(nodes)
        return update_nodes(stylesheet, nodes, *args, **kwargs)

    app = quiz_app(opponent, tmp_path, player=None, web_session=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"ann", "enter")
        await pilot.pause()
        box = app.query_one("#answer")
        focused_look = box.styles.border
        for round_trip in range(3):  # the same wrong answer: the first one sets the classes
            if round_trip == 1:
                monkeypatch.setattr(Stylesheet, "update_nodes", counted)
            await pilot.press("1", "enter")
            await pilot.pause()
            assert app.focused.id == "reveal-hint"
            await pilot.press("enter")
            await pilot.pause()
            assert app.focused is box and box.styles.border == focused_look
        assert restyled == []

        # Blurred while in sight, the box looks blurred, and focused again, focused.
        app.screen.set_focus(None)
        await pilot.pause()
        assert box.styles.border != focused_look
        box.focus()
        await pilot.pause()
        assert box.styles.border == focused_look


@pilot_test
async def test_the_reveal_taking_the_focus_repaints_nothing_more(
    opponent,  # noqa: F811
    tmp_path,
    monkeypatch,
):
    app = quiz_app(opponent, tmp_path, player=None, web_session=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"ann", "enter", "1", "enter", "enter")  # the first sets the hint
        await pilot.pause()
        hint = app.query_one("#reveal-hint")
        repaints = []  # outside the reveal's own batch of changes: a frame of their own
        refresh = type(hint).refresh

        def recorded(widget, *args, **kwargs):
            if not app._batch_count:
                repaints.append(widget)
            return refresh(widget, *args, **kwargs)

        monkeypatch.setattr(type(hint), "refresh", recorded)
        for _ in range(2):
            await pilot.press("1", "enter")
            await pilot.pause()
            assert app.focused is hint
            await pilot.press("enter")
            await pilot.pause()
            assert app.focused.id == "answer"
        # The key line looks the same focused or not, and says the same: no frame of its own.
        assert repaints == []
