"""The room page in a real browser: headless Chromium loads it, a name is typed without clicking,
and one question is played.

Skipped where Chromium (Debian's ``chromium``) or Playwright for Python is not installed; it
never downloads a browser. Screenshots go to ``$SEQ2ADD_SCREENSHOTS`` when that is set.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from core.leaderboard import Leaderboard
from tests.test_serve import running_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def test_a_visitor_types_a_name_without_clicking_and_plays_a_question(tmp_path):
    shots = Path(os.environ.get("SEQ2ADD_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    options = ("--room", "browser", "--questions", "1", "--seed", "5", "--per-address", "1")
    with (
        running_server(tmp_path, *options) as (process, port),
        playwright_api.sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1024, "height": 640})
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        deadline = time.monotonic() + 60
        while True:
            try:
                page.goto(f"http://127.0.0.1:{port}/")
                break
            except playwright_api.Error:
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.5)
        assert page.title() == "seq2add — beat the model — browser"
        page.wait_for_selector("body.-first-byte", timeout=60_000)
        time.sleep(1.5)  # the lobby settles
        page.screenshot(path=shots / "1-lobby.png")
        # Focus wanders off (a click on the page, another window): it comes back by itself.
        page.evaluate("document.activeElement && document.activeElement.blur()")
        time.sleep(0.2)
        assert page.evaluate("document.activeElement.className").startswith("xterm-helper")
        page.keyboard.type("Ada")
        page.keyboard.press("Enter")
        time.sleep(2)
        page.screenshot(path=shots / "2-question.png")
        page.keyboard.type("7")
        page.keyboard.press("Enter")
        time.sleep(1.5)
        page.screenshot(path=shots / "3-reveal.png")
        page.keyboard.press("Enter")
        board = Leaderboard(tmp_path / "room.sqlite3")
        while not board.count("browser"):
            assert time.monotonic() < deadline + 60, "the round was never saved"
            time.sleep(0.3)
        time.sleep(1)
        page.screenshot(path=shots / "4-final.png")
        # A second tab from the same address is refused after its page loaded: it says why
        # and tries again by itself.
        second = browser.new_page(viewport={"width": 1024, "height": 640})
        second.goto(f"http://127.0.0.1:{port}/")
        second.wait_for_selector("body.-closed", timeout=60_000)
        assert "open here; close one" in second.inner_text("#closed-message")
        second.wait_for_function(
            "document.getElementById('closed-retry').textContent.startsWith('Trying again in')"
        )
        second.screenshot(path=shots / "5-refused.png")
        page.goto(f"http://127.0.0.1:{port}/board")
        page.wait_for_function("document.getElementById('rows').children.length > 0")
        page.screenshot(path=shots / "6-board.png")
        browser.close()
    assert [s.player for s in board.top(room="browser")] == ["Ada"]
    # Nothing but the server itself was asked for anything (no web fonts from elsewhere).
    assert requests and all(url.startswith(f"http://127.0.0.1:{port}/") for url in requests)
