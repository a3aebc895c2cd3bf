"""Any terminal: a window below 80×24, a locale that is not UTF-8 (``LANG=C``)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
import textual.constants
from conftest import FakeClock, pilot_test
from rich.cells import cell_len

from core.store import load_predictor
from seq2add_tui import ascii_terminal, glyphs
from seq2add_tui.ascii_terminal import ascii_driver, to_ascii
from seq2add_tui.quiz import QuizPanel
from seq2add_tui.quiz import widgets as quiz_widgets
from seq2add_tui.quiz.widgets import big_rows, spaced
from seq2add_tui.quiz_app import QuizApp
from seq2add_tui.screens.too_small import TooSmallScreen


@pytest.fixture(scope="module")
def opponent():
    return load_predictor("notebook-perfect")


async def screen_text(pilot) -> str:
    """What the terminal shows now, as plain text."""
    await pilot.pause()
    await pilot.pause()
    return "\n".join(strip.text for strip in pilot.app.screen._compositor.render_strips())


@pilot_test
async def test_a_small_window_shows_one_line_and_recovers_when_it_grows(opponent, tmp_path):
    app = QuizApp(opponent, player="ann", db_path=tmp_path / "scores.sqlite3", cursor_blink=False)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        text = await screen_text(pilot)
        assert "make the window at least 80×24; now 60×20" in text
        assert "has answered" not in text  # nothing of the quiz behind it
        await pilot.resize_terminal(79, 30)
        await pilot.pause()
        assert "now 79×30" in await screen_text(pilot)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not isinstance(app.screen, TooSmallScreen)
        assert "has answered" in await screen_text(pilot)  # the round went on underneath
        await pilot.resize_terminal(80, 23)
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        assert sum(isinstance(s, TooSmallScreen) for s in app.screen_stack) == 1


@pilot_test
async def test_a_question_waits_while_the_window_is_too_small_and_says_so(opponent, tmp_path):
    # Shrunk below 80×24, the question and the answer box are out of sight: the clock stops, as
    # for a dialog over the quiz, and the screen says so instead of stopping it silently.
    clock = FakeClock()
    app = QuizApp(
        opponent, player="ann", db_path=tmp_path / "scores.sqlite3", clock=clock, cursor_blink=False
    )
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(QuizPanel)
        await pilot.pause()
        assert panel.state == "question"
        clock.advance(3)
        await pilot.resize_terminal(60, 20)
        await pilot.pause(0.3)  # a clock tick or more
        text = " ".join((await screen_text(pilot)).split())
        assert "make the window at least 80×24; now 60×20" in text
        assert "The question's clock is paused until then." in text
        clock.advance(100)  # far past the question's 20 s
        await pilot.pause(0.3)
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.3)
        assert not isinstance(app.screen, TooSmallScreen)
        assert panel.state == "question" and panel.elapsed_s() == pytest.approx(3)
        # Shrunk on the reveal, nothing is timed: nothing to say.
        await pilot.press("ctrl+n")
        await pilot.resize_terminal(60, 20)
        await pilot.pause(0.3)
        assert isinstance(app.screen, TooSmallScreen)
        assert "clock" not in await screen_text(pilot)


@pytest.mark.parametrize(
    ("environ", "utf8"),
    [
        ({"LANG": "C"}, False),
        ({"LANG": "C", "LC_CTYPE": "C.UTF-8"}, False),  # what Python's coercion (PEP 538) leaves
        ({}, False),
        ({"LANG": "POSIX"}, False),
        ({"LANG": "de_DE.ISO-8859-1"}, False),
        ({"LANG": "en_GB.UTF-8"}, True),
        ({"LANG": "C.UTF-8"}, True),
        ({"LANG": "C", "LC_ALL": "en_US.utf8"}, True),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "C"}, False),
        ({"LANG": "C", "LC_CTYPE": "fr_FR.UTF-8@euro"}, True),
    ],
)
def test_the_glyphs_follow_the_users_locale(environ, utf8):
    assert glyphs.locale_is_utf8(environ) is utf8
    assert glyphs.choose(environ) is (glyphs.UNICODE if utf8 else glyphs.ASCII)


def test_every_ascii_glyph_is_ascii_and_every_pair_is_as_wide():
    for name, value in vars(glyphs.ASCII).items():
        if isinstance(value, str):
            assert value.isascii(), name
            unicode = getattr(glyphs.UNICODE, name)
            if not name.endswith("_marker"):  # plotext names its markers
                assert len(value) == len(unicode), name


LANG_C_RUN = textwrap.dedent(
    """
    import asyncio, sys
    from core.evaluate import Evaluation, SamplePrediction, Breakdown
    from core.store import load_predictor
    from seq2add_tui.glyphs import GLYPHS
    from seq2add_tui.quiz_app import QuizApp
    from seq2add_tui.widgets.evaluation_panel import examples_renderable, bar
    from seq2add_tui.wording import shown_symbol

    async def main():
        app = QuizApp(load_predictor("notebook-perfect"), player="ann", ssh_session=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.pause()
            screen = "\\n".join(s.text for s in app.screen._compositor.render_strips())
        print("glyphs", "unicode" if GLYPHS.unicode else "ascii")
        print("driver", app.driver_class.__name__)
        print("difficulty", [l for l in screen.splitlines() if "full" in l and "easy" in l][0])
        examples = [SamplePrediction("1+2+3", "6", "6"), SamplePrediction("9+9+9", "27", "28")]
        evaluation = Evaluation(2, 0.1, 0.9, 0.5, 1, [1.0, 0.5], [], [], [], examples, 0.1)
        print("examples", [line.plain for line in examples_renderable(evaluation).renderables])
        print("bar", repr(bar(0.6).plain), "space", shown_symbol(" "))

    asyncio.run(main())
    """
)


def test_the_app_runs_headless_in_the_c_locale_with_ascii_symbols():
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LC_")}
    environ["LANG"] = "C"
    result = subprocess.run(
        [sys.executable, "-c", LANG_C_RUN], env=environ, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert lines["glyphs"] == "ascii"
    assert lines["driver"] == "AsciiLinuxDriver"  # what it writes to a terminal is ASCII
    assert "(*) full" in lines["difficulty"] and "( ) easy" in lines["difficulty"]
    assert "v 1+2+3" in lines["examples"] and "x 9+9+9" in lines["examples"]
    assert "✓" not in result.stdout and "✗" not in result.stdout
    assert lines["bar"] == "'####-   ' space _"


# -- ASCII output on a terminal that is not UTF-8 -----------------------------------------------


def test_each_drawing_character_becomes_the_ascii_nearest_in_shape():
    assert to_ascii("┏━━┓ ┃ok┃ ╭─╮ ╺┻╸") == "+--+ |ok| +-+ -+-"
    assert to_ascii("▊▔ Name ▔▎ ▁▁ ▏^p") == "|- Name -| __ |^p"  # an input's tall border
    assert to_ascii("3 terms of 1–10 · 9+2 → 11 ✓ ✗ ×") == "3 terms of 1-10 . 9+2 > 11 v x x"
    assert to_ascii("café 名前") == "cafe ????"  # one cell for one cell, two for two
    assert to_ascii("plain text") == "plain text"


@pilot_test
async def test_every_cell_on_screen_has_an_ascii_stand_in_of_its_width(opponent, tmp_path):
    # What an ASCII terminal is sent: every line the same width, so nothing after it shifts.
    app = QuizApp(
        opponent, player="ann", db_path=tmp_path / "s.sqlite3", questions=1, cursor_blink=False
    )
    seen = []
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(QuizPanel)
        for keys in ((), ("5", "enter"), ("w",), ("escape", "enter")):  # question … final
            await pilot.press(*keys)
            lines = (await screen_text(pilot)).splitlines()
            seen.append(panel.state)
            assert lines and not all(line.isascii() for line in lines)
            for line in lines:
                shown = to_ascii(line)
                assert shown.isascii() and len(shown) == cell_len(line), (line, shown)
    assert seen[-1] == "final"


def test_only_a_real_terminal_is_written_to_in_ascii(monkeypatch, opponent):
    written: list[str] = []

    class Terminal:
        def write(self, data: str) -> None:
            written.append(data)

    ascii_driver(Terminal)().write("\x1b[1m━ ok ━\x1b[0m")
    assert written == ["\x1b[1m- ok -\x1b[0m"]
    monkeypatch.setattr(ascii_terminal, "GLYPHS", glyphs.ASCII)
    assert QuizApp(opponent).driver_class.__name__ == "AsciiLinuxDriver"
    monkeypatch.setattr(textual.constants, "DRIVER", "textual.drivers.web_driver:WebDriver")
    assert QuizApp(opponent).driver_class.__name__ == "WebDriver"  # a browser shows Unicode
    monkeypatch.setattr(ascii_terminal, "GLYPHS", glyphs.UNICODE)
    monkeypatch.setattr(textual.constants, "DRIVER", None)
    assert QuizApp(opponent).driver_class.__name__ == "LinuxDriver"


def test_big_digits_have_an_ascii_font(monkeypatch):
    monkeypatch.setattr(quiz_widgets, "GLYPHS", glyphs.ASCII)
    assert big_rows(spaced("12+3") + " = ?") == (
        "    _       _       _ ",
        "  | _| -+-  _| ---   )",
        "  ||_       _| ---  . ",
    )
