"""A quiz session in a ``seq2add serve`` room: the round is the room's, replays are practice,
and a name already playing in the room is refused."""

from __future__ import annotations

import multiprocessing
import time

from textual.widgets import Input, RadioSet, Static

from core.leaderboard import Leaderboard
from seq2add_tui.quiz import QuizPanel
from tests.test_quiz_ui import SIZE, pilot_test, quiz_app, text
from tests.test_quiz_ui import opponent as opponent  # the fixture


def room_app(opponent, tmp_path, **options):
    return quiz_app(opponent, tmp_path, room="workshop", locked=True, **options)


@pilot_test
async def test_a_rooms_lobby_shows_its_round_read_only(opponent, tmp_path):
    app = room_app(opponent, tmp_path, player=None, web_session=True, questions=7, seconds=15)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        panel = app.query_one(QuizPanel)
        assert panel.state == "lobby"
        assert app.query_one("#questions", Input).disabled
        assert app.query_one("#seconds", Input).disabled
        assert app.query_one("#difficulty", RadioSet).disabled
        assert "This room's round, the same for everyone: 7 questions, 15 s" in text(
            app, "#difficulty-help"
        )
        # The name field has the keyboard: typing and Enter start the room's round.
        await pilot.press(*"Ada", "enter")
        await pilot.pause()
        assert panel.state == "question" and panel.round is not None
        assert len(panel.round.questions) == 7 and panel.round.seconds == 15


@pilot_test
async def test_in_a_room_a_replay_is_practice_and_is_not_saved(opponent, tmp_path):
    app = room_app(opponent, tmp_path, questions=1)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(QuizPanel)
        await pilot.pause()
        await pilot.press(*str(panel.round.current.answer), "enter", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Saved. ann is #1 of 1 player" in text(app, "#final-saved")
        await pilot.press("r")  # the same questions again: practice
        await pilot.pause()
        assert "PRACTICE" in text(app, "#quiz-status")
        await pilot.press(*str(panel.round.current.answer), "enter", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Practice round: not saved" in text(app, "#final-saved")
        await pilot.press("n")  # new questions, same format: still not a second counted round
        await pilot.pause()
        await pilot.press(*str(panel.round.current.answer), "enter", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Practice round: not saved" in text(app, "#final-saved")
    saved = Leaderboard(tmp_path / "scores.sqlite3").top(room="workshop", limit=None)
    assert [(s.player, s.room) for s in saved] == [("ann", "workshop")]


@pilot_test
async def test_a_name_playing_in_the_room_is_refused(opponent, tmp_path):
    other = multiprocessing.get_context("spawn").Process(target=time.sleep, args=(60,))
    other.start()
    try:
        Leaderboard(tmp_path / "scores.sqlite3").claim_name("workshop", "Ada", pid=other.pid)
        app = room_app(opponent, tmp_path, player=None, web_session=True)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            panel = app.query_one(QuizPanel)
            await pilot.press(*"ada", "enter")
            await pilot.pause()
            assert panel.state == "lobby"
            assert "Someone called ada is playing in this room already" in str(
                app.query_one("#lobby-message", Static).render()
            )
            assert app.focused is app.query_one("#player-name", Input)
            await pilot.press(*"Ada L", "enter")  # typed over the selected name
            await pilot.pause()
            assert panel.state == "question" and panel.player == "Ada L"
    finally:
        other.kill()
        other.join()
