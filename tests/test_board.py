"""`seq2add board`: the wall board follows the room's leaderboard file as rounds are saved."""

from __future__ import annotations

import asyncio
import time

from textual.widgets import Digits, Static

from core.leaderboard import Leaderboard, Score
from core.wallboard import read_wall_board
from seq2add_tui import glyphs, qr
from seq2add_tui.board_app import BoardApp, Place
from seq2add_tui.cli import build_parser


def room_score(player: str, points: int, room: str = "r1", questions: int = 10) -> Score:
    return Score(
        player,
        "notebook-perfect",
        "p",
        points,
        1_200,
        8,
        9,
        questions,
        "full",
        20.0,
        40.0,
        room=room,
    )


def test_the_wall_board_ranks_the_rooms_own_format_and_knows_its_server(tmp_path):
    board = Leaderboard(tmp_path / "room.sqlite3")
    board.update_room("r1", url="http://192.0.2.1:8000/", players=3, settings="s")
    for name, points in (("ann", 900), ("bob", 1_300), ("cy", 1_100)):
        board.record(room_score(name, points))
    board.record(room_score("long", 6_000, questions=40))  # another format: another race
    board.record(room_score("elsewhere", 9_000, room="r2"))
    wall = read_wall_board(board)  # the most recently served room
    assert wall.room == "r1" and wall.players == 3 and wall.open and wall.rounds == 4
    assert [(s.place, s.score.player) for s in wall.top] == [(1, "bob"), (2, "cy"), (3, "ann")]
    assert "10 questions" in wall.format and wall.url == "http://192.0.2.1:8000/"


def test_the_board_command_takes_a_room_and_a_file(tmp_path):
    args = build_parser().parse_args(["board", "--room", "r1", "--db", str(tmp_path / "x")])
    assert args.command == "board" and args.room == "r1" and args.db == tmp_path / "x"


def test_the_board_shows_a_saved_round_within_two_polls(tmp_path):
    path = tmp_path / "room.sqlite3"
    Leaderboard(path).update_room("r1", url="http://192.0.2.1:8000/", players=2, settings="s")
    Leaderboard(path).record(room_score("[b]ann", 900))

    async def scenario() -> None:
        app = BoardApp(path, "r1")
        async with app.run_test(size=(100, 34)) as pilot:
            await wait_for(pilot, lambda: len(app.query(".name")) == 1)  # a Place, composed
            assert str(app.query_one(".name", Static).render()) == "[b]ann"  # as typed
            assert "2 playing · 1 rounds played" in str(app.query_one("#status").render())
            assert "Join at http://192.0.2.1:8000/" in str(app.query_one("#join-url").render())
            assert "█" in str(app.query_one("#qr").render())
            Leaderboard(path).record(room_score("bob", 1_300))
            await wait_for(pilot, lambda: len(app.query(Digits)) == 2)
            first = app.query(Place).first()
            assert first.has_class("-new") and first.query_one(Digits).value == "1,300"

    asyncio.run(scenario())


async def wait_for(pilot, condition, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "the board never showed it"
        await pilot.pause(0.1)


def test_on_a_terminal_that_is_not_utf8_the_board_says_why_it_has_no_qr_code(tmp_path, monkeypatch):
    # Its half blocks would arrive as ASCII stand-ins: an unscannable pattern, worse than none.
    monkeypatch.setattr(qr, "GLYPHS", glyphs.ASCII)
    path = tmp_path / "room.sqlite3"
    Leaderboard(path).update_room("r1", url="http://192.0.2.1:8000/", players=0, settings="s")

    async def scenario() -> None:
        app = BoardApp(path, "r1")
        async with app.run_test(size=(100, 34)) as pilot:
            join = app.query_one("#join-url")
            await wait_for(pilot, lambda: "Join at" in str(join.render()))
            assert "http://192.0.2.1:8000/" in str(join.render())
            assert str(app.query_one("#qr").render()) == "(no QR code: the terminal is not UTF-8)"

    asyncio.run(scenario())
