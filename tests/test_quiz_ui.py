"""The quiz as a player meets it: whole seeded rounds, the clock, the leaderboard, the screens."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import textwrap

import pytest
from conftest import FakeClock, pilot_test, type_fast
from rich.markup import escape
from textual.app import App, ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, RadioButton, Static

import core.leaderboard as leaderboard
import seq2add_tui.quiz_app
from core.leaderboard import Leaderboard, Score
from core.quiz import QuizRound, make_questions
from core.spec import ProblemSpec
from core.store import load_predictor
from seq2add_tui.quiz import QuizPanel
from seq2add_tui.quiz.final import Final
from seq2add_tui.quiz.panel import QuizState
from seq2add_tui.quiz.widgets import (
    BigText,
    ConfidenceStrip,
    Countdown,
    big_rows,
    readable,
    spaced,
)
from seq2add_tui.quiz_app import QuizApp
from seq2add_tui.wording import FRESH_NAME
from tests.test_quiz import ScriptedModel

SIZE = (80, 24)


@pytest.fixture(scope="module")
def opponent():
    return load_predictor("notebook-perfect")


def quiz_app(opponent, tmp_path, clock=None, **options) -> QuizApp:
    options = {"player": "ann", "seed": 11, "questions": 6, "seconds": 10, **options}
    return QuizApp(
        opponent,
        db_path=tmp_path / "scores.sqlite3",
        clock=clock or FakeClock(),
        cursor_blink=False,
        **options,
    )


def earlier_score(player: str, points: int, questions: int = 10, seconds: float = 20.0) -> Score:
    return Score(
        player,
        "notebook-perfect",
        "3 terms of 1–10, +",
        points,
        1_350,
        8,
        10,
        questions,
        "full",
        seconds,
        40.0,
        "2026-01-01T12:00:00+00:00",
    )


def text(app, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


async def type_answer(pilot, answer: str) -> None:
    await pilot.press(*answer, "enter")
    await pilot.pause()


async def answer_the_last_question(pilot, panel) -> None:
    """Answer the round's question right and press on to the final card, its score saved."""
    await type_answer(pilot, str(panel.round.current.answer))
    await pilot.press("enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


# -- a whole round ---------------------------------------------------------------------------------


@pilot_test
async def test_a_whole_seeded_round(opponent, tmp_path):
    clock = FakeClock()
    app = quiz_app(opponent, tmp_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(QuizPanel)
        await pilot.pause()
        assert panel.state == "question" and panel.round.seed == 11
        questions = panel.round.questions
        expected = panel.round.replay().questions
        assert questions == expected
        assert app.query_one("#question-expression", BigText).text == (
            f"{spaced(questions[0].expression)} = ?"
        )

        # 1. right, after 2 s: 100 points and 80% of the time bonus
        clock.advance(2)
        await type_answer(pilot, str(questions[0].answer))
        assert panel.state == "reveal"
        first = panel.round.results[0]
        assert first.player_correct and first.player_points.total == 100 + 16
        assert "Right!" in text(app, "#reveal-verdict")
        assert "✓ right" in text(app, "#card-player") and "+116" in text(app, "#card-player")
        assert app.query_one("#card-truth").border_title == "Truth"
        assert text(app, "#card-truth").splitlines()[:3] == list(big_rows(str(questions[0].answer)))
        strip = app.query_one(ConfidenceStrip)
        assert strip.characters == first.model.characters and len(strip.confidence) == 2

        # 2. wrong
        await pilot.press("enter")
        assert panel.state == "question" and panel.round.number == 2
        await type_answer(pilot, str(questions[1].answer + 1))
        assert not panel.round.results[1].player_correct
        assert "✗ wrong" in text(app, "#card-player")
        assert "Not quite." in text(app, "#reveal-verdict")

        # 3. empty, then invalid, then refused keys: nothing is recorded until a real answer
        await pilot.press("enter")
        await pilot.press("enter")
        assert panel.state == "question" and len(panel.round.results) == 2
        assert "Type your answer" in text(app, "#answer-message")
        await pilot.press("-", "enter")
        assert "A minus needs digits after it." in text(app, "#answer-message")
        await pilot.press("x")
        assert app.query_one("#answer", Input).value == "-"
        assert "Only digits" in text(app, "#answer-message")
        await pilot.press("backspace", "1", "2", "3")  # a 3rd digit can't fit this problem
        assert app.query_one("#answer", Input).value == "12"
        assert "at most 2 digits" in text(app, "#answer-message")
        await pilot.press("backspace", "backspace")
        await type_answer(pilot, str(questions[2].answer))
        assert panel.round.results[2].player_correct and len(panel.round.results) == 3

        # 4. the clock runs out
        await pilot.press("enter")
        clock.advance(4)
        await pilot.pause(0.25)
        countdown = app.query_one(Countdown)
        assert countdown.remaining_s == pytest.approx(6)
        clock.advance(6.5)
        await pilot.pause(0.25)
        assert panel.state == "reveal" and panel.round.results[3].timed_out
        assert "Time's up!" in text(app, "#reveal-verdict")
        assert "✗ out of time" in text(app, "#card-player")

        # 5. Esc keeps the answer being typed; passed with the pass key; 6. right
        await pilot.press("enter", "1", "escape")
        assert panel.state == "question" and app.query_one("#answer").value == "1"
        assert "Ctrl+N pass" in text(app, "#question-hint")
        await pilot.press("ctrl+n")
        assert panel.round.results[4].passed
        assert "✗ passed" in text(app, "#card-player")
        await pilot.press("enter")
        await type_answer(pilot, str(questions[5].answer))
        assert "see who won" in text(app, "#reveal-hint")

        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert panel.state == "final"
        summary = panel.round.summary()
        assert summary.player_correct == 3 and summary.model_correct == 6
        assert summary.outcome == "lost"
        assert "notebook-perfect beat ann" in text(app, "#final-headline")
        assert "none; notebook-perfect got every question right" in text(app, "#final-mistakes")
        wrong = questions[1]
        first_miss = f"{readable(wrong.expression)} = {wrong.answer} ({wrong.answer + 1})"
        assert f"You missed 3: {first_miss}" in text(app, "#final-mistakes")
        assert "Saved. ann is #1 of 1 player on notebook-perfect." in text(app, "#final-saved")
        [saved] = Leaderboard(tmp_path / "scores.sqlite3").top()
        assert (saved.player, saved.player_score, saved.model_score) == (
            "ann",
            summary.player_score,
            summary.model_score,
        )
        assert saved.questions == 6 and saved.seconds_per_question == 10

        # Replay asks the same questions; New round asks new ones.
        await pilot.press("r")
        assert panel.state == "question" and panel.round.questions == questions
        assert panel.round.results == []
        for question in questions:
            await type_answer(pilot, str(question.answer))
            await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert panel.state == "final" and panel.round.summary().outcome == "won"
        assert "ann beat notebook-perfect" in text(app, "#final-headline")
        await pilot.press("n")
        assert panel.round.questions != questions and panel.round.seed == 12


@pilot_test
async def test_a_long_list_of_misses_wraps_inside_an_80_column_screen(opponent, tmp_path):
    app = quiz_app(opponent, tmp_path, questions=10)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(QuizPanel)
        await pilot.pause()
        for _ in range(10):
            await type_answer(pilot, "99")  # never right: no sum of 3 terms of 1–10 is 99
            await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert panel.state == "final"
        misses = text(app, "#final-mistakes")
        assert "You missed 10:" in misses and misses.rstrip().endswith("and 6 more")
        assert misses.count("(99)") == 4
        region = app.query_one("#final-mistakes").region
        assert region.right <= SIZE[0] and region.height >= 3


@pilot_test
async def test_a_name_that_looks_like_markup_is_shown_as_typed(opponent, tmp_path):
    app = quiz_app(opponent, tmp_path, player="[/]x[b]", questions=1)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(QuizPanel)
        await pilot.pause()
        await type_answer(pilot, str(panel.round.current.answer))
        assert panel.state == "reveal"
        # border_title reads back as markup: the escaped form is the name shown as typed.
        assert app.query_one("#card-player").border_title == escape("[/]x[b]")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert panel.state == "final" and "[/]x[b]" in text(app, "#final-headline")
        await pilot.press("l")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [score.player for score in app.query_one("#board-view").scores] == ["[/]x[b]"]


@pilot_test
async def test_leaving_mid_round_takes_a_second_ctrl_q(opponent, tmp_path):
    app = quiz_app(opponent, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.query_one(QuizPanel).state == "question"
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running  # only warned
        assert any("ctrl+q again" in n.message for n in app._notifications)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0 and not app.is_running


def short_sighted():
    """three-digit, but with every answer wrong when all of a question's numbers are under 10."""
    import re

    import numpy as np

    from core.data import decode_symbols
    from core.infer import Predictor

    good = load_predictor("three-digit")

    class ShortSighted(Predictor):
        def probabilities(self, inputs, batch_size=4096):
            output = good.probabilities(inputs, batch_size)
            texts = decode_symbols(self.spec, inputs, reverse=self.spec.reverse_input)
            small = np.array([max(map(int, re.findall(r"\d+", t))) < 10 for t in texts], bool)
            output[small] = np.roll(output[small], 1, axis=-1)  # every character one symbol off
            return output

    return ShortSighted(good.spec, good.network, name="short-sighted")


@pilot_test
async def test_levels_the_opponent_cannot_play_are_not_offered(tmp_path):
    # right on the whole range, wrong whenever every number is under 10 (as long-addition once was)
    app = quiz_app(short_sighted(), tmp_path, player=None, web_session=True, difficulty="easy")
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(QuizPanel)
        await pilot.pause()
        assert panel.state == "lobby" and panel.difficulty == "full"
        buttons = {b.name: b for b in app.query("#difficulty RadioButton").results(RadioButton)}
        assert not buttons["full"].disabled and buttons["full"].value
        assert buttons["easy"].disabled
        assert "Not offered against short-sighted" in text(app, "#difficulty-help")


@pilot_test
async def test_the_leaderboard_view_marks_the_round_just_played(opponent, tmp_path):
    # Ranked against a round of the same format (one question, 10 s).
    Leaderboard(tmp_path / "scores.sqlite3").record(earlier_score("zed", 5_000, 1, 10.0))
    app = quiz_app(opponent, tmp_path, questions=1)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(QuizPanel)
        await answer_the_last_question(pilot, panel)
        assert "#2 of 2 players" in text(app, "#final-saved")
        await pilot.press("l")
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.query_one("#board-view")
        assert panel.state == "board" and [s.player for s in view.scores] == ["zed", "ann"]
        assert view.highlight_id == view.scores[1].id
        table = app.query_one("#board-table", DataTable)
        labels = [str(column.label) for column in table.columns.values()]
        assert "Opponent" not in labels and "Its score" in labels  # the title names the model
        await pilot.press("a")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert view.model is None
        # Across every model each row names its opponent, apart from that opponent's score.
        labels = [str(column.label) for column in table.columns.values()]
        assert labels[3:6] == ["Opponent", "Its pts", "W/L"]
        first = table.get_row_at(0)
        assert (str(first[3]), str(first[4])) == ("notebook-perfect", "1,350")
        await pilot.press("escape")
        assert panel.state == "final"


@pilot_test
async def test_the_every_model_board_shows_whole_times_at_80_columns(opponent, tmp_path):
    # At 80x24 the When column was cut to "Dec": every row's date and time must show whole.
    Leaderboard(tmp_path / "scores.sqlite3").record(earlier_score("zed", 5_000, 1, 10.0))
    app = quiz_app(opponent, tmp_path, questions=1)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(QuizPanel)
        await answer_the_last_question(pilot, panel)
        await pilot.press("l")
        await app.workers.wait_for_complete()
        await pilot.press("a")
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.query_one("#board-view")
        assert view.model is None and len(view.scores) == 2
        screen = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        for score in view.scores:
            shown = leaderboard.short_time(score.played_at)
            assert any(char.isdigit() for char in shown) and ":" in shown
            assert shown in screen, (shown, screen)


def _fast_win(wrong: set[int]):
    """A round the player wins on speed, all right, against a model wrong on ``wrong``."""
    spec = ProblemSpec()
    round_ = QuizRound(ScriptedModel(spec, wrong), make_questions(spec, 5, 4), 10.0)
    for question in round_.questions:
        round_.submit(str(question.answer), 0.5)
    summary = round_.summary()
    assert summary.outcome == "won" and summary.model_correct == 5 - len(wrong)
    return summary


@pytest.mark.parametrize("wrong", [set(), {2}])
@pilot_test
async def test_the_final_card_never_calls_the_opponent_perfect(wrong):
    # "You beat a perfect model" was said of a 97.7% model: a round's wording speaks of this
    # round only. All its answers right reads "got every question right", never "perfect".
    class Card(App):
        def compose(self) -> ComposeResult:
            yield Final()

    app = Card()
    async with app.run_test(size=SIZE) as pilot:
        app.query_one(Final).show(_fast_win(wrong), "ann", "notebook-small")
        await pilot.pause()
        card = " ".join(text(app, f"#final-{part}") for part in ("headline", "mistakes"))
        assert "perfect" not in card.lower()
        assert ("every question right" in card) == (not wrong), card
        if not wrong:
            assert "The model got every question right, and you beat it on speed." in card


@pilot_test
async def test_a_locked_leaderboard_does_not_stop_the_game(opponent, tmp_path, monkeypatch):
    db = tmp_path / "scores.sqlite3"
    Leaderboard(db).record(earlier_score("first", 10))
    monkeypatch.setattr(leaderboard, "DEFAULT_TIMEOUT_S", 0.05)
    monkeypatch.setattr(leaderboard, "DEFAULT_RETRIES", 1)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    app = quiz_app(opponent, tmp_path, questions=1)
    try:
        async with app.run_test(size=SIZE) as pilot:
            panel = app.query_one(QuizPanel)
            await answer_the_last_question(pilot, panel)
            saved = text(app, "#final-saved")
            assert saved.startswith("Not saved: The leaderboard at") and "is busy" in saved
            await pilot.press("r")  # the game goes on
            assert panel.state == "question"
    finally:
        holder.execute("ROLLBACK")
        holder.close()


# -- in the main app: the panel's interface ----------------------------------------------------


class Host(App[None]):
    """Stands in for the main app: mounts the panel and sets the attributes it reads."""

    def __init__(self, db_path, player):
        super().__init__()
        self.db_path = db_path
        self.player_name = player

    def compose(self) -> ComposeResult:
        yield QuizPanel(id="quiz", clock=FakeClock(), cursor_blink=False)


@pilot_test
async def test_the_panel_waits_in_a_lobby_and_follows_the_loaded_model(opponent, tmp_path):
    app = Host(tmp_path / "scores.sqlite3", None)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(QuizPanel)
        assert panel.state == "empty"
        panel.set_opponent(opponent)
        await pilot.pause()
        assert panel.state == "lobby"
        assert "notebook-perfect" in text(app, "#lobby-opponent")
        name = app.query_one("#player-name", Input)
        name.value = ""
        name.focus()
        await pilot.press("enter")
        assert panel.state == "lobby" and "Type a name" in text(app, "#lobby-message")
        await pilot.press(*"Grace", "tab")
        questions = app.query_one("#questions", Input)
        questions.value = "0"
        questions.focus()
        await pilot.press("enter")
        assert "1 to 100 questions" in text(app, "#lobby-message")
        questions.value = "3"
        app.query_one("#difficulty").focus()
        await pilot.press("right", "enter")  # the second choice: easy
        assert panel.difficulty == "easy"
        app.query_one("#start").focus()
        await pilot.press("enter")
        assert panel.state == "question" and len(panel.round.questions) == 3
        assert panel.player == "Grace" and panel.round.difficulty == "easy"

        await type_answer(pilot, str(panel.round.current.answer))
        panel.set_opponent(opponent)  # the same model: nothing changes
        assert panel.state == "reveal"
        # Another model becoming current (a training run ending) waits for the next round.
        other = load_predictor("three-digit")
        panel.set_opponent(other)
        await pilot.pause()
        assert panel.state == "reveal" and panel.opponent_name == "notebook-perfect"
        for _ in range(2):
            await pilot.press("enter")
            await type_answer(pilot, str(panel.round.current.answer))
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert panel.state == "final" and panel.round.predictor is opponent
        await pilot.press("n")
        assert panel.state == "question" and panel.opponent_name == "three-digit"
        assert panel.round.predictor is other
        # Losing the model altogether ends the round.
        panel.set_opponent(None)
        assert panel.state == "empty"


@pilot_test
async def test_rounds_against_an_unsaved_model_stay_off_the_leaderboard(opponent, tmp_path):
    from core.infer import Predictor

    fresh = Predictor(opponent.spec, opponent.network, name="")
    app = quiz_app(fresh, tmp_path, questions=1)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(QuizPanel)
        assert panel.opponent_name == FRESH_NAME  # as the app names it everywhere
        await answer_the_last_question(pilot, panel)
        assert panel.state == "final" and "Not saved: save this model" in text(app, "#final-saved")
    assert not (tmp_path / "scores.sqlite3").exists()


@pilot_test
async def test_the_clock_stops_while_the_quiz_is_out_of_view(opponent, tmp_path):
    clock = FakeClock()
    app = quiz_app(opponent, tmp_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(QuizPanel)
        clock.advance(3)
        panel.display = False
        await pilot.pause()
        clock.advance(100)
        await pilot.pause(0.25)
        assert panel.state == "question"
        panel.display = True
        await pilot.pause(0.25)
        assert panel.elapsed_s() == pytest.approx(3)
        # A dialog over the question stops the clock too.
        app.push_screen(ModalScreen())
        await pilot.pause(0.25)
        clock.advance(100)
        await pilot.pause(0.25)
        assert panel.state == "question"
        app.pop_screen()
        await pilot.pause(0.25)
        assert panel.state == "question" and panel.elapsed_s() == pytest.approx(3)


@pilot_test
async def test_keys_typed_fast_after_tab_in_the_lobby_follow_the_focus(opponent, tmp_path):
    # Tab went to the name field first and moved the focus when it bubbled back, so a name,
    # Tab and a count typed fast all landed in the name ("Ada5").
    app = quiz_app(opponent, tmp_path, player=None, web_session=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.focused is app.query_one("#player-name", Input)
        type_fast(app, "A", "d", "a", "tab", "5", "shift+tab", "h")
        for _ in range(3):
            await pilot.pause()
        assert app.query_one("#player-name", Input).value == "h"  # its text selected on focus
        assert app.query_one("#questions", Input).value == "5"


@pilot_test
async def test_the_lobby_leaderboard_button_names_the_key_that_opens_the_board(opponent, tmp_path):
    # The quiz's keys are not in the footer: the button is where a player learns about L.
    app = quiz_app(opponent, tmp_path, player=None, web_session=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        button = app.query_one("#show-board", Button)
        key = str(button.label).rpartition("(")[2].rstrip(")")
        assert str(button.label).startswith("Leaderboard (") and len(key) == 1
        button.focus()  # typed into the name field, the key would be part of a name
        await pilot.press(key)
        await pilot.pause()
        assert app.query_one(QuizPanel).state == QuizState.BOARD


@pilot_test
async def test_a_web_session_that_shuts_down_in_time_is_not_cut_short(
    opponent, tmp_path, monkeypatch
):
    # Quitting arms a deadline that ends the process if the shutdown hangs; a normal shutdown
    # disarms it. os._exit is replaced, so a regression fails here instead of ending pytest.
    exits: list[int] = []
    monkeypatch.setattr(os, "_exit", exits.append)
    monkeypatch.setattr(seq2add_tui.quiz_app, "EXIT_GRACE_S", 0.3)
    app = quiz_app(opponent, tmp_path, player=None, web_session=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+q")
    assert app._exit_deadline is not None  # the quit armed it
    await asyncio.sleep(0.6)  # twice the deadline
    assert exits == []


@pilot_test
async def test_a_web_session_whose_server_died_before_it_started_ends_by_itself(
    opponent, tmp_path, monkeypatch
):
    # A warm session still starting on a busy machine when its server is killed: by the time
    # it mounts, its parent is init, not the server, so the server's pid must come from outside.
    monkeypatch.setattr(os, "_exit", lambda code: None)  # the quit's deadline must not end pytest
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    app = quiz_app(opponent, tmp_path, player=None, web_session=True, server_pid=gone.pid)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(300):  # it checks every second; a bound against a hang, not a timing
            if not app.is_running:
                break
            await pilot.pause(0.1)
        assert not app.is_running, "the orphaned session kept running"


def test_the_quiz_app_never_imports_tensorflow(tmp_path):
    script = textwrap.dedent(
        f"""
        import asyncio, sys
        from core.store import load_predictor
        from seq2add_tui.quiz_app import QuizApp

        async def play():
            app = QuizApp(load_predictor("notebook-perfect"), player="ann",
                          db_path={str(tmp_path / "db.sqlite3")!r}, questions=2, seed=1)
            async with app.run_test() as pilot:
                panel = app.query_one("#quiz")
                for _ in range(2):
                    await pilot.press(*str(panel.round.current.answer), "enter", "enter")
                await app.workers.wait_for_complete()
                assert panel.state == "final", panel.state

        asyncio.run(play())
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras"))
        print("heavy:", heavy)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert "heavy: []" in out.stdout


# -- the widgets -----------------------------------------------------------------------------------


def test_plain_expressions_read_as_the_big_ones_draw():
    assert readable("2*5/2-1") == "2 × 5 ÷ 2 - 1"


def test_big_text_has_a_glyph_for_every_operator():
    rows = big_rows(spaced("12*3/4-5+6") + " = ?")
    assert rows is not None and len({len(r) for r in rows}) == 1
    assert big_rows("12a") is None


def test_confidence_cells_are_four_wide():
    cell = ConfidenceStrip.cell
    assert [cell(p) for p in (1.0, 0.9996, 0.996, 0.971, 0.5, 0.004)] == [
        "100%",
        "100%",
        " 99%",
        " 97%",
        " 50%",
        " <1%",
    ]


# -- snapshots at 80×24 ----------------------------------------------------------------------------


def test_snapshot_question(snap_compare, opponent, tmp_path):
    async def ready(pilot):
        await pilot.press("1")
        await pilot.pause()

    assert snap_compare(quiz_app(opponent, tmp_path), terminal_size=SIZE, run_before=ready)


def test_snapshot_reveal(snap_compare, opponent, tmp_path):
    clock = FakeClock()
    app = quiz_app(opponent, tmp_path, clock)

    async def answered(pilot):
        panel = app.query_one(QuizPanel)
        clock.advance(3.2)
        await pilot.press(*str(panel.round.current.answer - 1), "enter")
        assert panel.state == "reveal"
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=answered)


def test_snapshot_final(snap_compare, opponent, tmp_path):
    clock = FakeClock()
    app = quiz_app(opponent, tmp_path, clock, questions=4)

    async def finished(pilot):
        panel = app.query_one(QuizPanel)
        for index in range(4):
            clock.advance(2.5)
            answer = panel.round.current.answer + (1 if index == 1 else 0)
            await pilot.press(*str(answer), "enter", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=finished)


def test_snapshot_lobby(snap_compare, opponent, tmp_path):
    app = quiz_app(opponent, tmp_path, player=None, web_session=True)

    async def typed(pilot):
        await pilot.press(*"Ada")
        await app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=typed)
