"""The shared leaderboard: ranking, names, many writers at once, and files that fight back."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.leaderboard import (
    _COLUMNS,
    DB_ENV,
    MAX_NAME_LENGTH,
    Leaderboard,
    LeaderboardError,
    PlayerNameError,
    Score,
    check_player_name,
    default_db_path,
    name_problem,
)
from seq2add_tui.cli import main

WRITERS = 16
ROUNDS_EACH = 200


def score(player="ann", points=1_000, model="notebook-perfect", played_at="", **changes) -> Score:
    values = dict(
        player=player,
        model=model,
        problem="3 terms of 1–10, +",
        player_score=points,
        model_score=1_350,
        player_correct=8,
        model_correct=10,
        questions=10,
        difficulty="full",
        seconds_per_question=20.0,
        duration_s=41.5,
        played_at=played_at,
    )
    values.update(changes)
    return Score(**values)


# -- ranking ---------------------------------------------------------------------------------------


def test_a_missing_file_is_an_empty_leaderboard_and_is_not_created(tmp_path):
    board = Leaderboard(tmp_path / "sub" / "scores.sqlite3")
    assert board.top() == [] and board.count() == 0 and board.models() == []
    assert not board.path.exists()


def test_recorded_scores_come_back_ranked_with_each_players_best(tmp_path):
    board = Leaderboard(tmp_path / "scores.sqlite3")
    saved = board.record(score("ann", 900))
    assert saved.id is not None and saved.played_at and saved.outcome == "lost"
    board.record(score("bob", 1_400))
    board.record(score("ann", 1_500))
    board.record(score("cy", 2_000, model="other"))
    assert [(s.player, s.player_score) for s in board.top("notebook-perfect")] == [
        ("ann", 1_500),
        ("bob", 1_400),
    ]
    every = board.top("notebook-perfect", best_per_player=False)
    assert [s.player_score for s in every] == [1_500, 1_400, 900]
    # Rounds against different models are different formats: grouped, most played first.
    assert [s.player for s in board.top()] == ["ann", "bob", "cy"]
    assert board.top(limit=1)[0].player == "ann"
    assert board.models() == [("notebook-perfect", 3), ("other", 1)]
    assert board.personal_best("ann", "notebook-perfect") == 1_500
    assert board.personal_best("zed", "notebook-perfect") is None
    assert board.rank(saved) == (2, 2)  # ann's 900 would be behind bob; 2 players in all
    assert board.top(limit=0) == []


def test_ties_go_to_whoever_got_there_first(tmp_path):
    board = Leaderboard(tmp_path / "scores.sqlite3")
    board.record(score("late", 1_000, played_at="2026-01-02T00:00:00+00:00"))
    early = board.record(score("early", 1_000, played_at="2026-01-01T00:00:00+00:00"))
    assert [s.player for s in board.top()] == ["early", "late"]
    assert board.rank(early) == (1, 2)


def test_scores_round_trip_every_field(tmp_path):
    board = Leaderboard(tmp_path / "scores.sqlite3")
    saved = board.record(score("Zoë [b]", 1_234, difficulty="ramp", duration_s=12.25))
    [back] = board.top()
    assert back == saved
    assert back.to_dict()["outcome"] == "lost" and back.player == "Zoë [b]"


def test_the_file_is_in_wal_mode(tmp_path):
    board = Leaderboard(tmp_path / "scores.sqlite3")
    board.record(score())
    with sqlite3.connect(board.path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_database_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(DB_ENV, str(tmp_path / "shared.sqlite3"))
    assert default_db_path() == tmp_path / "shared.sqlite3"
    assert Leaderboard().path == tmp_path / "shared.sqlite3"
    monkeypatch.delenv(DB_ENV)
    assert default_db_path().name == "leaderboard.sqlite3"


# -- names -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "Type a name"),
        ("   ", "Type a name"),
        ("x" * (MAX_NAME_LENGTH + 1), f"at most {MAX_NAME_LENGTH} characters"),
        ("bad\nname", "control or invisible"),
        ("tab\tname", "control or invisible"),
        ("zero\u200bwidth", "control or invisible"),
    ],
)
def test_bad_names_are_refused_with_a_reason(name, reason, tmp_path):
    assert reason in name_problem(name)
    with pytest.raises(PlayerNameError, match=reason):
        check_player_name(name)
    with pytest.raises(PlayerNameError):
        Leaderboard(tmp_path / "scores.sqlite3").record(score(name))


@given(st.text(st.characters(categories=["L", "N", "P", "S"]), min_size=1, max_size=20))
def test_printable_names_are_kept_as_typed(name):
    assert check_player_name(f"  {name} ") == name


def test_inner_runs_of_spaces_collapse():
    assert check_player_name("  Ada   Lovelace ") == "Ada Lovelace"


# -- many writers ----------------------------------------------------------------------------------


def _write_many(path: str, writer: int, start, errors) -> None:
    start.wait()
    board = Leaderboard(path)
    try:
        for index in range(ROUNDS_EACH):
            board.record(score(f"writer-{writer}", writer * 10_000 + index))
    except Exception as error:  # reported to the parent, which fails the test
        errors.put(f"{writer}: {error!r}")


def test_sixteen_processes_recording_at_once_lose_nothing(tmp_path):
    path = tmp_path / "shared.sqlite3"
    Leaderboard(path).record(score("setup", 0))
    # spawn, not fork: this test process may already run TensorFlow's threads.
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    errors = context.Queue()
    workers = [
        context.Process(target=_write_many, args=(str(path), n, start, errors))
        for n in range(WRITERS)
    ]
    for worker in workers:
        worker.start()
    began = time.perf_counter()
    start.set()
    for worker in workers:
        worker.join(timeout=120)
    elapsed = time.perf_counter() - began
    assert all(w.exitcode == 0 for w in workers)
    failures = []
    while not errors.empty():
        failures.append(errors.get())
    assert failures == []
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = connection.execute(
            "SELECT player, player_score FROM scores WHERE player != 'setup'"
        ).fetchall()
    expected = {(f"writer-{w}", w * 10_000 + i) for w in range(WRITERS) for i in range(ROUNDS_EACH)}
    assert len(rows) == WRITERS * ROUNDS_EACH and set(rows) == expected
    assert Leaderboard(path).count() == WRITERS * ROUNDS_EACH + 1
    print(f"{WRITERS * ROUNDS_EACH} rounds from {WRITERS} processes in {elapsed:.2f} s")


# -- files that fight back -------------------------------------------------------------------------


def test_a_locked_database_says_so_and_the_next_save_works(tmp_path):
    path = tmp_path / "scores.sqlite3"
    Leaderboard(path).record(score("first"))
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    board = Leaderboard(path, timeout_s=0.05, retries=2)
    with pytest.raises(LeaderboardError, match=r"is busy \(another program holds it locked\)"):
        board.record(score("blocked"))
    assert [s.player for s in board.top()] == ["first"]  # WAL: reading still works
    holder.execute("ROLLBACK")
    holder.close()
    board.record(score("later"))
    assert {s.player for s in board.top()} == {"first", "later"}


def test_a_damaged_file_is_one_sentence(tmp_path):
    path = tmp_path / "scores.sqlite3"
    path.write_bytes(b"this is not a database at all " * 200)
    for action in (lambda b: b.top(), lambda b: b.record(score())):
        with pytest.raises(LeaderboardError, match="is not a readable leaderboard"):
            action(Leaderboard(path))


def test_a_folder_that_cant_be_made_is_one_sentence(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(LeaderboardError, match="can't be created at"):
        Leaderboard(blocker / "scores.sqlite3").record(score())


def _as_nobody(function, *args):
    """Run ``function`` in a child process without root's power to ignore file permissions."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()

    def child():
        if os.geteuid() == 0:
            os.setgid(65534)
            os.setuid(65534)
        try:
            results.put(("ok", function(*args)))
        except Exception as error:
            results.put((type(error).__name__, str(error)))

    process = context.Process(target=child)
    process.start()
    process.join(timeout=30)
    return results.get(timeout=5)


def _record_and_read(path: str):
    board = Leaderboard(path)
    try:
        board.record(score("blocked"))
        recorded = "recorded"
    except LeaderboardError as error:
        recorded = str(error)
    return recorded, [s.player for s in board.top()]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork to drop privileges")
def test_a_read_only_database_can_be_read_but_says_why_it_cant_be_written():
    # Outside pytest's private tmp folders, which "nobody" may not enter.
    base = Path(tempfile.mkdtemp(prefix="seq2add-readonly-"))
    base.chmod(0o755)
    folder = base / "shared"
    folder.mkdir()
    path = folder / "scores.sqlite3"
    Leaderboard(path).record(score("first"))
    path.chmod(0o444)
    folder.chmod(0o555)
    try:
        status, (recorded, players) = _as_nobody(_record_and_read, str(path))
    finally:
        folder.chmod(0o755)
        shutil.rmtree(base)
    assert status == "ok"
    assert recorded == f"The leaderboard at {path} is read-only; scores won't be saved."
    assert players == ["first"]


# -- the command -----------------------------------------------------------------------------------


def test_leaderboard_command_prints_json_and_tables(tmp_path, capsys):
    db = tmp_path / "scores.sqlite3"
    Leaderboard(db).record(score("ann", 1_500))
    Leaderboard(db).record(score("bob", 900, model="other"))
    assert main(["leaderboard", "--json", "--db", str(db)]) == 0
    rows = json.loads(capsys.readouterr().out)
    # Against different models: two formats, each with its own first place.
    assert [(r["rank"], r["player"], r["outcome"]) for r in rows] == [
        (1, "ann", "won"),
        (1, "bob", "lost"),
    ]
    assert main(["--db", str(db), "leaderboard", "--model", "other", "--json"]) == 0
    assert [r["player"] for r in json.loads(capsys.readouterr().out)] == ["bob"]
    assert main(["leaderboard", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "ann" in out and "1,500" in out and "Top scores on every model" in out
    assert main(["leaderboard", "--db", str(tmp_path / "none.sqlite3")]) == 0
    assert "No scores on every model yet" in capsys.readouterr().out


def test_leaderboard_command_lists_a_room_in_full_and_says_when_it_truncates(tmp_path, capsys):
    db = tmp_path / "scores.sqlite3"
    board = Leaderboard(db)
    for number in range(36):
        board.record(score(f"p{number}", 1_000 + number, room="workshop"))
    board.record(score("outsider", 9_999, room="other"))
    assert main(["leaderboard", "--db", str(db), "--room", "workshop", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 36 and rows[0]["player"] == "p35" and rows[0]["room"] == "workshop"
    assert main(["leaderboard", "--db", str(db), "--room", "workshop", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("rank,player,player_score") and len(lines) == 37
    in_room = ["leaderboard", "--db", str(db), "--room", "workshop"]
    assert main([*in_room, "--csv", "--limit", "5"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 6
    assert main(["leaderboard", "--db", str(db), "--room", "workshop"]) == 0
    out = capsys.readouterr().out
    assert "showing 10 of 36" in out and "outsider" not in out
    assert main(["leaderboard", "--db", str(db), "--json", "--format", "csv"]) == 2
    assert "choose one output format" in capsys.readouterr().err


def test_leaderboard_command_explains_a_bad_file_in_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"garbage" * 500)
    assert main(["leaderboard", "--db", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not a readable leaderboard" in err


def test_the_score_tables_path_is_printed(tmp_path, capsys):
    db: Path = tmp_path / "scores.sqlite3"
    Leaderboard(db).record(score())
    main(["leaderboard", "--db", str(db), "--every-round"])
    assert "every round" in capsys.readouterr().out


def test_db_and_name_work_before_or_after_the_command(tmp_path):
    from seq2add_tui.cli import build_parser

    parser = build_parser()
    db = tmp_path / "room.sqlite3"
    assert parser.parse_args(["--db", str(db), "leaderboard"]).db == db
    assert parser.parse_args(["leaderboard", "--db", str(db)]).db == db
    assert parser.parse_args(["quiz", "--db", str(db)]).db == db
    app_args = parser.parse_args(["--db", str(db), "--name", "Ada"])
    assert app_args.command is None and (app_args.db, app_args.name) == (db, "Ada")
    assert parser.parse_args(["quiz", "--name", "Ada"]).name == "Ada"


def test_quiz_refuses_a_bad_name_or_option_in_one_line(capsys):
    assert main(["quiz", "--name", "x" * 40]) == 2
    assert "--name: Names have at most 24 characters" in capsys.readouterr().err
    assert main(["quiz", "--seconds", "1"]) == 2
    assert "outside 2–600 seconds" in capsys.readouterr().err
    assert main(["quiz", "--questions", "0"]) == 2
    assert "outside 1–100 questions" in capsys.readouterr().err
    assert main(["quiz", "--difficulty", "insane"]) == 2
    assert "invalid choice: 'insane'" in capsys.readouterr().err


# -- rooms -----------------------------------------------------------------------------------------


def test_a_room_counts_each_players_first_round_of_its_format_once(tmp_path):
    board = Leaderboard(tmp_path / "room.sqlite3")
    first = board.record(score("Ada", 900, room="r1"), first_only=True)
    assert first is not None and first.room == "r1"
    # A replay, or the same name after a reload (any case), is practice: not saved.
    assert board.record(score("ada", 2_000, room="r1"), first_only=True) is None
    assert board.has_counted_round("r1", "ADA", first.round_format)
    # Another room, or another format in the same room, counts on its own.
    assert board.record(score("Ada", 700, room="r2"), first_only=True) is not None
    assert board.record(score("Ada", 800, room="r1", questions=20), first_only=True) is not None
    assert board.count("r1") == 2 and board.count() == 3


def test_scores_rank_only_against_rounds_of_the_same_format(tmp_path):
    board = Leaderboard(tmp_path / "room.sqlite3")
    board.record(score("long", 6_650, room="r", questions=40))
    for name, points in (("ann", 1_372), ("bob", 1_000), ("cy", 1_200)):
        board.record(score(name, points, room="r"))
    board.record(score("dee", 9_999, room="elsewhere"))
    standings, total = board.standings(room="r")
    assert total == 4
    # The room's own (most played) format first, ranked within itself; the 40-question round
    # is first of its own format, not first of the room.
    assert [(s.place, s.score.player) for s in standings] == [
        (1, "ann"),
        (2, "cy"),
        (3, "bob"),
        (1, "long"),
    ]
    bob = board.top(room="r", limit=None)[2]
    assert bob.player == "bob" and board.rank(bob) == (3, 3)
    assert board.standings(room="r", limit=2) == (standings[:2], 4)


def test_names_are_unique_in_a_room_while_their_session_runs(tmp_path):
    board = Leaderboard(tmp_path / "room.sqlite3")
    other = multiprocessing.get_context("spawn").Process(target=time.sleep, args=(30,))
    other.start()
    try:
        assert board.claim_name("r", "Ada", pid=other.pid)
        assert not board.claim_name("r", " ada ", pid=os.getpid())
        assert board.claim_name("r2", "Ada", pid=os.getpid())  # another room
        assert board.claim_name("r", "Ada", pid=other.pid)  # the holder may claim it again
    finally:
        other.kill()
        other.join()
    # The holder's process ended (a closed tab, a reload): the name is free again.
    assert board.claim_name("r", "Ada", pid=os.getpid())
    board.release_names("r")
    assert board.claim_name("r", "ADA", pid=1)


def test_a_room_reports_its_status_and_goes_stale_when_its_server_dies(tmp_path):
    board = Leaderboard(tmp_path / "room.sqlite3")
    assert board.room() is None
    board.update_room("room-a", url="http://x:8000/", players=3, settings="10 questions")
    status = board.room("room-a")
    assert status is not None and status.players == 3 and status.open
    assert board.room().name == "room-a"
    assert "room-a" in board.room_names_in_use()
    board.update_room("room-a", url="http://x:8000/", players=0, settings="", open=False)
    assert not board.room("room-a").open


def test_a_fresh_room_name_is_the_days_next_number():
    from datetime import datetime

    from core.leaderboard import room_name_for

    day = datetime(2026, 12, 1)
    assert room_name_for(day, set()) == "room-2026-12-01-1"
    assert room_name_for(day, {"room-2026-12-01-1", "room-2026-12-01-2"}) == "room-2026-12-01-3"


def test_a_version_1_file_gains_rooms_and_keeps_its_rounds(tmp_path):
    path = tmp_path / "old.sqlite3"
    connection = sqlite3.connect(path)
    connection.executescript(
        """
        CREATE TABLE scores (id INTEGER PRIMARY KEY, player TEXT NOT NULL, model TEXT NOT NULL,
            problem TEXT NOT NULL, player_score INTEGER NOT NULL, model_score INTEGER NOT NULL,
            player_correct INTEGER NOT NULL, model_correct INTEGER NOT NULL,
            questions INTEGER NOT NULL, difficulty TEXT NOT NULL,
            seconds_per_question REAL NOT NULL, duration_s REAL NOT NULL,
            played_at TEXT NOT NULL);
        INSERT INTO scores VALUES (1, 'old', 'm', 'p', 5, 4, 1, 1, 10, 'full', 20, 3, '2025');
        PRAGMA user_version = 1;
        """
    )
    connection.close()
    path.chmod(0o444)
    try:
        if not os.access(path, os.W_OK):  # root writes anyway
            assert [s.room for s in Leaderboard(path).top()] == [""]  # read as it is
    finally:
        path.chmod(0o644)
    board = Leaderboard(path)
    assert [(s.player, s.room) for s in board.top()] == [("old", "")]
    board.record(score("new", room="r"))
    assert board.count("r") == 1 and board.count() == 2


# -- damaged rows and real causes (issue 15) ------------------------------------------------------


def _with_bad_rows(path: Path) -> None:
    """A file whose scores table (created by hand, without NOT NULL) holds three bad rows."""
    with sqlite3.connect(path) as connection:
        columns = ", ".join(f"{name}" for name in ("id INTEGER PRIMARY KEY", *_COLUMNS))
        connection.execute(f"CREATE TABLE scores ({columns})")
    with Leaderboard(path) as board:
        board.record(score("ann", 900))
        board.record(score("bob", 700))
    with sqlite3.connect(path) as connection:
        good = connection.execute("SELECT * FROM scores WHERE player = 'ann'").fetchone()
        placeholders = ", ".join("?" for _ in good)
        for change in ({5: "abc"}, {1: b"\x00blob"}, {5: None, 2: None}):
            row = [None, *good[1:]]
            for index, value in change.items():
                row[index] = value
            connection.execute(f"INSERT INTO scores VALUES ({placeholders})", row)


def test_damaged_rows_are_skipped_by_every_reader_and_counted(tmp_path, capsys):
    path = tmp_path / "board.sqlite3"
    _with_bad_rows(path)
    with Leaderboard(path) as board:
        assert [s.player for s in board.top()] == ["ann", "bob"]
        assert [s.player for s in board.top(best_per_player=False)] == ["ann", "bob"]
        assert board.damaged_rows() == 3
        assert board.personal_best("ann", "notebook-perfect") == 900
        assert board.models() == [("notebook-perfect", 2)]
        assert [s.player for s in board.since(0)] == ["ann", "bob"]
        ann = board.top()[0]
        assert board.rank(ann) == (1, 2)
    assert main(["leaderboard", "--db", str(path), "--json"]) == 0
    captured = capsys.readouterr()
    assert [row["player"] for row in json.loads(captured.out)] == ["ann", "bob"]
    assert captured.err == "seq2add: skipped 3 damaged leaderboard rows.\n"


def test_a_full_disk_is_named_as_such(tmp_path):
    path = tmp_path / "board.sqlite3"
    with Leaderboard(path) as board:
        board.record(score("ann"))
        # SQLite's own limit on the file's pages fails writes exactly as a full disk does.
        pages = board._connection.execute("PRAGMA page_count").fetchone()[0]
        board._connection.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(LeaderboardError) as caught:
            board.record(score("bob", problem="x" * 200_000))
    message = str(caught.value)
    assert "is full" in message and "rollback" not in message
    with Leaderboard(path) as board:
        assert [s.player for s in board.top()] == ["ann"]


def test_the_quiz_leaderboard_view_skips_damaged_rows_and_says_so(tmp_path):
    import asyncio

    from textual.app import App
    from textual.widgets import Static

    from seq2add_tui.quiz.leaderboard_view import LeaderboardView

    path = tmp_path / "board.sqlite3"
    _with_bad_rows(path)

    class Board(App):
        def compose(self):
            yield LeaderboardView(id="board")

    async def scenario() -> None:
        app = Board()
        async with app.run_test(size=(100, 30)) as pilot:
            view = app.query_one(LeaderboardView)
            view.load(path, "notebook-perfect")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert [score.player for score in view.scores] == ["ann", "bob"]
            status = str(app.query_one("#board-status", Static).render())
            assert "Skipped 3 damaged rows" in status

    asyncio.run(scenario())


def test_the_quiz_lobby_top_scores_say_how_many_damaged_rows_were_skipped(tmp_path):
    import asyncio

    from textual.app import App
    from textual.widgets import Static

    from core.store import load_predictor
    from seq2add_tui.quiz.lobby import Lobby

    path = tmp_path / "board.sqlite3"
    _with_bad_rows(path)
    opponent = load_predictor("notebook-perfect")

    class Lobbied(App):
        def compose(self):
            yield Lobby(questions=10, seconds=10, difficulty="full")

    async def top_line() -> str:
        app = Lobbied()
        async with app.run_test(size=(100, 40)) as pilot:
            lobby = app.query_one(Lobby)
            lobby.show_opponent(opponent, "notebook-perfect")
            lobby.load_top(path)
            await app.workers.wait_for_complete()
            await pilot.pause()
            return str(app.query_one("#lobby-top", Static).render())

    lines = asyncio.run(top_line()).splitlines()
    assert lines[0].startswith("Top scores: 1. ann 900 · 2. bob 700")
    # The same sentence as the full leaderboard's, whose test is just above.
    assert lines[1] == "Skipped 3 damaged rows of the leaderboard file."
