"""The shared leaderboard: one SQLite file that many players (and processes) write at once.

A workshop points every ``seq2add serve`` session, or every laptop on a shared drive, at one file
(``--db PATH`` or ``$SEQ2ADD_DB``); by default each user has their own in the per-user data
folder. The file is in WAL mode so readers never block the writer, every write is one short
``BEGIN IMMEDIATE`` transaction with a busy timeout and a few retries, and no transaction
outlives the call that opened it, so no process holds a lock while a person thinks.

Anything that goes wrong with the file (locked for too long, read-only, damaged, not a database)
becomes a `LeaderboardError` with one sentence to show; the game goes on without saving.
"""

from __future__ import annotations

import math
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from core.errors import UserError

DB_ENV = "SEQ2ADD_DB"
"""Environment variable naming the leaderboard file."""
DB_FILENAME = "leaderboard.sqlite3"

MAX_NAME_LENGTH = 24
"""Longest player name, in characters; fits the leaderboard table at 80 columns."""

DEFAULT_TIMEOUT_S = 5.0
"""How long a save waits for another writer before retrying; saves take about a millisecond."""
DEFAULT_RETRIES = 3
"""Further attempts after a busy timeout."""

SCHEMA_VERSION = 2
"""2 added rooms: the ``room`` column, the names claimed in each room and each room's status."""
_SCHEMA = """
CREATE TABLE IF NOT EXISTS scores (
    id INTEGER PRIMARY KEY,
    player TEXT NOT NULL,
    model TEXT NOT NULL,
    problem TEXT NOT NULL,
    player_score INTEGER NOT NULL,
    model_score INTEGER NOT NULL,
    player_correct INTEGER NOT NULL,
    model_correct INTEGER NOT NULL,
    questions INTEGER NOT NULL,
    difficulty TEXT NOT NULL,
    seconds_per_question REAL NOT NULL,
    duration_s REAL NOT NULL,
    played_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS scores_by_model ON scores (model, player_score DESC);
"""
_ROOM_SCHEMA = """
CREATE INDEX IF NOT EXISTS scores_by_room ON scores (room, player);
CREATE TABLE IF NOT EXISTS room_names (
    room TEXT NOT NULL,
    name_key TEXT NOT NULL,
    name TEXT NOT NULL,
    pid INTEGER NOT NULL,
    claimed_at TEXT NOT NULL,
    PRIMARY KEY (room, name_key)
);
CREATE TABLE IF NOT EXISTS rooms (
    name TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    players INTEGER NOT NULL,
    settings TEXT NOT NULL,
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    open INTEGER NOT NULL
);
"""
_COLUMNS = (
    "player",
    "model",
    "problem",
    "player_score",
    "model_score",
    "player_correct",
    "model_correct",
    "questions",
    "difficulty",
    "seconds_per_question",
    "duration_s",
    "played_at",
    "room",
)

T = TypeVar("T")


class Outcome(StrEnum):
    """How a round went, from the player's side; the value is what tables and JSON show."""

    WON = "won"
    LOST = "lost"
    DRAW = "draw"

    @classmethod
    def of(cls, player_score: int, model_score: int) -> Outcome:
        """The outcome of a round the player scored ``player_score`` in, the model the other."""
        if player_score > model_score:
            return cls.WON
        if player_score < model_score:
            return cls.LOST
        return cls.DRAW


class LeaderboardError(UserError, RuntimeError):
    """The leaderboard file can't be read or written; the message is one sentence to show."""


class PlayerNameError(UserError, ValueError):
    """A player name the leaderboard won't take; the message says what a good one is."""


def default_db_path() -> Path:
    """``$SEQ2ADD_DB``, or ``leaderboard.sqlite3`` in the per-user data folder."""
    configured = os.environ.get(DB_ENV)
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("seq2add", appauthor=False)) / DB_FILENAME


def name_problem(name: str) -> str | None:
    """Why ``name`` can't go on the leaderboard, or None if it can."""
    stripped = name.strip()
    if not stripped:
        return "Type a name for the leaderboard."
    if len(stripped) > MAX_NAME_LENGTH:
        return f"Names have at most {MAX_NAME_LENGTH} characters; this one has {len(stripped)}."
    bad = next((c for c in stripped if not c.isprintable()), None)
    if bad is not None:
        return f"Names can't hold control or invisible characters such as {bad!r}."
    return None


def check_player_name(name: str) -> str:
    """``name`` without surrounding spaces, or PlayerNameError saying what is wrong."""
    problem = name_problem(name)
    if problem is not None:
        raise PlayerNameError(problem)
    return " ".join(name.split())


def short_time(played_at: str) -> str:
    """A stored UTC time as a short local ``11-30 14:02``, for tables (11 columns: the
    every-model table has no room for a month's name at 80 columns)."""
    try:
        moment = datetime.fromisoformat(played_at).astimezone()
    except ValueError:
        return played_at[:16]
    return moment.strftime("%m-%d %H:%M")


def now_iso() -> str:
    """The current UTC time as the leaderboard stores it."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Score:
    """One finished round on the leaderboard."""

    player: str
    model: str
    """The opponent's name in the model library."""
    problem: str
    """The opponent's problem, e.g. ``3 terms of 1–10, +``."""
    player_score: int
    model_score: int
    player_correct: int
    model_correct: int
    questions: int
    difficulty: str
    seconds_per_question: float
    duration_s: float
    """Seconds the player spent answering, in total."""
    played_at: str = ""
    """ISO UTC time the round ended (filled in on recording if empty)."""
    id: int | None = None
    """Row id once recorded."""
    room: str = ""
    """The ``seq2add serve --room`` the round was played in; empty outside one."""

    @property
    def outcome(self) -> Outcome:
        """How the round went for the player."""
        return Outcome.of(self.player_score, self.model_score)

    @property
    def round_format(self) -> RoundFormat:
        """What the round asked: only rounds of the same format are ranked together."""
        return RoundFormat(self.model, self.questions, self.difficulty, self.seconds_per_question)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, with the outcome and the format."""
        return {**asdict(self), "outcome": self.outcome, "format": self.round_format.describe()}


@dataclass(frozen=True, order=True)
class RoundFormat:
    """A round's rules: a 40-question round's score can't be compared with a 10-question one's."""

    model: str
    questions: int
    difficulty: str
    seconds_per_question: float

    def describe(self) -> str:
        """``notebook-perfect · 10 questions · 10 s · full``."""
        return (
            f"{self.model} · {self.questions} questions · "
            f"{self.seconds_per_question:g} s · {self.difficulty}"
        )


@dataclass(frozen=True)
class Standing:
    """A score and its place among the scores of the same format (1 is best)."""

    place: int
    score: Score


@dataclass(frozen=True)
class RoomStatus:
    """What ``seq2add serve`` last said about its room, for the wall board."""

    name: str
    url: str
    """Where players join."""
    players: int
    """Sessions connected when last updated."""
    settings: str
    """The round the room plays, in words."""
    started_at: str
    updated_at: str
    open: bool
    """False once the server stopped."""


ROOM_STALE_S = 30.0
"""A running server refreshes its room's status at least this often."""


def room_name_for(day: datetime, taken: set[str]) -> str:
    """``room-2026-12-01-1``: the day's first number not in ``taken``."""
    prefix = f"room-{day:%Y-%m-%d}-"
    number = 1
    while f"{prefix}{number}" in taken:
        number += 1
    return f"{prefix}{number}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _explain(path: Path, error: sqlite3.Error | OSError) -> str:
    """One sentence for a user about what went wrong with the leaderboard file."""
    text = str(error).lower()
    if isinstance(error, OSError):
        return (
            f"The leaderboard can't be created at {path} ({error.strerror or error}); "
            "scores won't be saved this session."
        )
    if "locked" in text or "busy" in text:
        return (
            f"The leaderboard at {path} is busy (another program holds it locked); "
            "this score was not saved."
        )
    if "readonly" in text or "read-only" in text or "read only" in text:
        return f"The leaderboard at {path} is read-only; scores won't be saved."
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return (
            f"{path} is not a readable leaderboard (damaged, or another kind of file); "
            "move it aside or choose another file with --db."
        )
    if "unable to open" in text:
        return (
            f"The leaderboard at {path} can't be opened; check that its folder exists and "
            "that you may write to it."
        )
    if "full" in text:  # SQLITE_FULL: "database or disk is full"
        return f"The disk holding the leaderboard at {path} is full; this score was not saved."
    if "i/o" in text:
        return (
            f"The leaderboard at {path} can't be read or written (a disk I/O error); "
            "scores won't be saved."
        )
    return f"The leaderboard at {path} can't be used ({error})."


def _rollback(connection: sqlite3.Connection) -> None:
    """Undo an open transaction, if there still is one.

    SQLite rolls back by itself after some failures (a full disk, an I/O error); a second
    ROLLBACK would raise "no transaction is active" and hide the real cause.
    """
    if connection.in_transaction:
        with suppress(sqlite3.Error):  # the connection is reopened after a failure anyway
            connection.execute("ROLLBACK")


def _transient(error: sqlite3.Error) -> bool:
    text = str(error).lower()
    return isinstance(error, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


class Leaderboard:
    """Scores in one SQLite file; safe to use from many processes and threads at once."""

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        timeout_s: float | None = None,
        retries: int | None = None,
    ) -> None:
        self.path = Path(path).expanduser() if path is not None else default_db_path()
        """The database file."""
        self.timeout_s = DEFAULT_TIMEOUT_S if timeout_s is None else timeout_s
        """How long one attempt waits for another writer (SQLite's busy timeout)."""
        self.retries = DEFAULT_RETRIES if retries is None else retries
        """Further attempts after a busy timeout, with a short growing pause between."""
        self._ready = False
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.RLock()

    # -- connections --------------------------------------------------------------------------

    @contextmanager
    def _connect(self, *, write: bool, immutable: bool = False) -> Iterator[sqlite3.Connection]:
        """The instance's connection, opened on first use and kept while it works.

        An idle connection holds no lock, and keeping it spares every save SQLite's
        checkpoint-and-delete of the WAL file that closing the last connection does.
        """
        if immutable:
            # A WAL file we may not write can't get its shared-memory index; read it as a
            # snapshot instead (a read-only leaderboard has no other writer to miss).
            snapshot = sqlite3.connect(
                f"{self.path.absolute().as_uri()}?immutable=1", uri=True, check_same_thread=False
            )
            try:
                yield snapshot
            finally:
                snapshot.close()
            return
        with self._lock:
            if self._connection is None:
                if write:
                    try:
                        self.path.parent.mkdir(parents=True, exist_ok=True)
                    except OSError as error:
                        raise LeaderboardError(_explain(self.path, error)) from error
                connection = sqlite3.connect(
                    self.path,
                    timeout=self.timeout_s,
                    isolation_level=None,
                    check_same_thread=False,
                )
                connection.execute(f"PRAGMA busy_timeout = {int(self.timeout_s * 1000)}")
                self._connection = connection
            try:
                yield self._connection
            except sqlite3.Error as error:
                if not _transient(error):
                    self.close()  # a replaced or repaired file gets a fresh start
                raise

    def close(self) -> None:
        """Close the connection (it reopens on the next call)."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None
            self._ready = False

    def __enter__(self) -> Leaderboard:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _prepare(self, connection: sqlite3.Connection) -> None:
        """WAL mode and the table, once per instance (both persist in the file)."""
        if self._ready:
            return
        # WAL lets readers go on while one player's score is written. If another connection
        # keeps the file in rollback mode the pragma answers "delete"; that still works, slower.
        connection.execute("PRAGMA journal_mode = WAL").fetchone()
        # NORMAL is safe from corruption in WAL mode; a power cut may lose the last scores.
        connection.execute("PRAGMA synchronous = NORMAL")
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise LeaderboardError(
                f"The leaderboard at {self.path} was written by a newer seq2add; "
                "upgrade seq2add or choose another file with --db."
            )
        connection.executescript(_SCHEMA)
        columns = {row[1] for row in connection.execute("PRAGMA table_info(scores)")}
        if "room" not in columns:  # a version 1 file: its rounds were played outside any room
            connection.execute("ALTER TABLE scores ADD COLUMN room TEXT NOT NULL DEFAULT ''")
        connection.executescript(_ROOM_SCHEMA)
        if version < SCHEMA_VERSION:
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self._ready = True

    def _attempt(self, operation: Callable[[], T]) -> T:
        """Run ``operation``, retrying when the file stays locked, and explain any failure."""
        delay = 0.05
        for attempt in range(self.retries + 1):
            try:
                return operation()
            except sqlite3.Error as error:
                if _transient(error) and attempt < self.retries:
                    time.sleep(delay)
                    delay *= 2
                    continue
                raise LeaderboardError(_explain(self.path, error)) from error
        raise AssertionError("unreachable")

    # -- writing ------------------------------------------------------------------------------

    def record(self, score: Score, *, first_only: bool = False) -> Score | None:
        """Save a finished round; returns it with its id and time. Raises LeaderboardError.

        With ``first_only`` (a room's rounds) a player's round counts only if they have none of
        the same format in that room yet; a later one returns None (it was practice). The check
        and the write are one transaction, so two tabs finishing at once can't both count.
        """
        player = check_player_name(score.player)
        played_at = score.played_at or now_iso()
        values = {**asdict(score), "player": player, "played_at": played_at}
        row = tuple(values[c] for c in _COLUMNS)
        fmt = score.round_format

        def insert() -> int | None:
            with self._connect(write=True) as connection:
                self._prepare(connection)
                connection.execute("BEGIN IMMEDIATE")
                try:
                    if (
                        first_only
                        and connection.execute(
                            f"SELECT 1 FROM scores WHERE room = ? AND player = ? COLLATE NOCASE "
                            f"AND {_SAME_FORMAT} LIMIT 1",
                            (score.room, player, *_format_params(fmt)),
                        ).fetchone()
                    ):
                        connection.execute("ROLLBACK")
                        return None
                    cursor = connection.execute(
                        f"INSERT INTO scores ({', '.join(_COLUMNS)}) "
                        f"VALUES ({', '.join('?' for _ in _COLUMNS)})",
                        row,
                    )
                    connection.execute("COMMIT")
                except BaseException:
                    _rollback(connection)
                    raise
                return int(cursor.lastrowid)

        row_id = self._attempt(insert)
        return None if row_id is None else Score(**{**values, "id": row_id})

    # -- reading ------------------------------------------------------------------------------

    def _read(self, query: Callable[[sqlite3.Connection], T], empty: T) -> T:
        if not self.path.exists():
            return empty

        def run(immutable: bool = False) -> T:
            with self._connect(write=False, immutable=immutable) as connection:
                tables = connection.execute(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'scores'"
                ).fetchone()[0]
                if not tables:
                    return empty
                columns = {row[1] for row in connection.execute("PRAGMA main.table_info(scores)")}
                if "room" not in columns:  # a version 1 file, from before rooms
                    try:
                        self._prepare(connection)
                    except sqlite3.OperationalError:  # read-only: show it as version 2
                        connection.execute(
                            "CREATE TEMP VIEW IF NOT EXISTS scores AS "
                            "SELECT *, '' AS room FROM main.scores"
                        )
                return query(connection)

        def run_or_snapshot() -> T:
            try:
                return run()
            except sqlite3.OperationalError as error:
                if "readonly" not in str(error).lower():
                    raise
                return run(immutable=True)

        return self._attempt(run_or_snapshot)

    def top(
        self,
        model: str | None = None,
        limit: int | None = 10,
        *,
        best_per_player: bool = True,
        room: str | None = None,
        round_format: RoundFormat | None = None,
    ) -> list[Score]:
        """The highest scores, for one model or all, one room or all; by default each player's
        best only (per room and format). ``limit`` None means every row.

        Rounds of different formats are never ranked against each other: the scores come
        grouped by format (the most played first), highest first within each, ties to whoever
        got there first. See `standings` for the places.
        """
        return [
            standing.score
            for standing in self.standings(
                model, limit, best_per_player=best_per_player, room=room, round_format=round_format
            )[0]
        ]

    def standings(
        self,
        model: str | None = None,
        limit: int | None = None,
        *,
        best_per_player: bool = True,
        room: str | None = None,
        round_format: RoundFormat | None = None,
    ) -> tuple[list[Standing], int]:
        """(the first ``limit`` standings, how many there are in all); see `top`."""
        conditions, params = [_VALID_ROW], []
        if model is not None:
            conditions.append("model = ?")
            params.append(model)
        if room is not None:
            conditions.append("room = ?")
            params.append(room)
        if round_format is not None:
            conditions.append(_SAME_FORMAT)
            params += _format_params(round_format)
        where = f"WHERE {' AND '.join(conditions)}"
        columns = ", ".join(("id", *_COLUMNS))
        if best_per_player:
            sql = (
                f"SELECT {columns} FROM ("
                f"  SELECT *, row_number() OVER ("
                f"    PARTITION BY lower(player), room, {_FORMAT_COLUMNS}"
                f"    ORDER BY player_score DESC, played_at, id"
                f"  ) AS place FROM scores {where}"
                f") WHERE place = 1"
            )
        else:
            sql = f"SELECT {columns} FROM scores {where}"

        def query(connection: sqlite3.Connection) -> list[Score]:
            rows = (_score_from_row(row) for row in connection.execute(sql, params))
            return [score for score in rows if score is not None]

        scores = self._read(query, [])
        groups: dict[RoundFormat, list[Score]] = {}
        for score in scores:
            groups.setdefault(score.round_format, []).append(score)
        ordered: list[Standing] = []
        # The most played format first: in a room, that is the room's own round.
        for fmt in sorted(groups, key=lambda f: (-len(groups[f]), f)):
            group = sorted(groups[fmt], key=lambda s: (-s.player_score, s.played_at, s.id or 0))
            ordered += [Standing(place, score) for place, score in enumerate(group, 1)]
        shown = ordered if limit is None else ordered[: max(0, limit)]
        return shown, len(ordered)

    def rank(self, score: Score) -> tuple[int, int]:
        """(place, players) of a recorded score among each player's best of its format, in its
        room."""
        fmt = _format_params(score.round_format)

        def query(connection: sqlite3.Connection) -> tuple[int, int]:
            better = connection.execute(
                f"SELECT count(DISTINCT lower(player)) FROM scores WHERE {_VALID_ROW} AND "
                f"room = ? AND {_SAME_FORMAT} AND lower(player) != lower(?) AND "
                "(player_score > ? OR (player_score = ? AND (played_at < ? OR "
                "(played_at = ? AND id < ?))))",
                (
                    score.room,
                    *fmt,
                    score.player,
                    score.player_score,
                    score.player_score,
                    score.played_at,
                    score.played_at,
                    score.id or 0,
                ),
            ).fetchone()[0]
            players = connection.execute(
                f"SELECT count(DISTINCT lower(player)) FROM scores WHERE {_VALID_ROW} AND "
                f"room = ? AND {_SAME_FORMAT}",
                (score.room, *fmt),
            ).fetchone()[0]
            return int(better) + 1, max(int(players), 1)

        return self._read(query, (1, 1))

    def personal_best(self, player: str, model: str) -> int | None:
        """The player's best score on ``model``, if they have one."""

        def query(connection: sqlite3.Connection) -> int | None:
            value = connection.execute(
                f"SELECT max(player_score) FROM scores WHERE {_VALID_ROW} AND player = ? "
                "AND model = ?",
                (player, model),
            ).fetchone()[0]
            return None if value is None else int(value)

        return self._read(query, None)

    def models(self) -> list[tuple[str, int]]:
        """(model, rounds played) for every model with scores, most played first."""

        def query(connection: sqlite3.Connection) -> list[tuple[str, int]]:
            rows = connection.execute(
                f"SELECT model, count(*) FROM scores WHERE {_VALID_ROW} GROUP BY model "
                "ORDER BY count(*) DESC, model"
            ).fetchall()
            return [(str(m), int(n)) for m, n in rows]

        return self._read(query, [])

    def damaged_rows(self) -> int:
        """Rows every reader skips because seq2add could not have written them."""
        sql = f"SELECT count(*) FROM scores WHERE NOT {_VALID_ROW}"
        return self._read(lambda c: int(c.execute(sql).fetchone()[0]), 0)

    def count(self, room: str | None = None) -> int:
        """Rounds recorded in total, or in one room."""
        if room is None:
            sql, params = "SELECT count(*) FROM scores", ()
        else:
            sql, params = "SELECT count(*) FROM scores WHERE room = ?", (room,)
        return self._read(lambda c: int(c.execute(sql, params).fetchone()[0]), 0)

    def last_id(self, room: str | None = None) -> int:
        """The newest round's id (0 if none): a cheap way to notice a round was saved."""
        sql = "SELECT coalesce(max(id), 0) FROM scores" + (" WHERE room = ?" * (room is not None))
        params = () if room is None else (room,)
        return self._read(lambda c: int(c.execute(sql, params).fetchone()[0]), 0)

    def since(self, after_id: int, room: str | None = None) -> list[Score]:
        """Rounds saved after ``after_id``, oldest first (the server logs each one)."""
        columns = ", ".join(("id", *_COLUMNS))
        where = "id > ?" + (" AND room = ?" * (room is not None))
        params = (after_id,) if room is None else (after_id, room)

        def query(connection: sqlite3.Connection) -> list[Score]:
            rows = connection.execute(
                f"SELECT {columns} FROM scores WHERE {_VALID_ROW} AND {where} ORDER BY id", params
            )
            return [score for score in map(_score_from_row, rows) if score is not None]

        return self._read(query, [])

    # -- rooms --------------------------------------------------------------------------------

    def _write(self, operation: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``operation`` in one short write transaction."""

        def run() -> T:
            with self._connect(write=True) as connection:
                self._prepare(connection)
                connection.execute("BEGIN IMMEDIATE")
                try:
                    result = operation(connection)
                    connection.execute("COMMIT")
                except BaseException:
                    _rollback(connection)
                    raise
                return result

        return self._attempt(run)

    def claim_name(self, room: str, name: str, pid: int | None = None) -> bool:
        """Hold ``name`` in ``room`` for the session ``pid``; False if another live session
        holds it (names are unique per room, whatever their case).

        A claim lapses when its session's process ends, so a visitor who reloads the page gets
        their name back; sessions run on the server's machine, where the pid can be checked.
        """
        player = check_player_name(name)
        key = player.casefold()
        pid = os.getpid() if pid is None else pid

        def claim(connection: sqlite3.Connection) -> bool:
            holder = connection.execute(
                "SELECT pid FROM room_names WHERE room = ? AND name_key = ?", (room, key)
            ).fetchone()
            if holder is not None and holder[0] != pid and _pid_alive(holder[0]):
                return False
            connection.execute(
                "DELETE FROM room_names WHERE room = ? AND pid = ?", (room, pid)
            )  # one name per session: a new name gives the old one back
            connection.execute(
                "INSERT OR REPLACE INTO room_names VALUES (?, ?, ?, ?, ?)",
                (room, key, player, pid, now_iso()),
            )
            return True

        return self._write(claim)

    def release_names(self, room: str, pid: int | None = None) -> None:
        """Give back the name a session held (when it ends)."""
        pid = os.getpid() if pid is None else pid
        self._write(
            lambda c: c.execute("DELETE FROM room_names WHERE room = ? AND pid = ?", (room, pid))
        )

    def has_counted_round(self, room: str, player: str, fmt: RoundFormat) -> bool:
        """Whether ``player`` has a round of ``fmt`` in ``room`` already (the next is practice)."""

        def query(connection: sqlite3.Connection) -> bool:
            return (
                connection.execute(
                    f"SELECT 1 FROM scores WHERE room = ? AND player = ? COLLATE NOCASE "
                    f"AND {_SAME_FORMAT} LIMIT 1",
                    (room, player, *_format_params(fmt)),
                ).fetchone()
                is not None
            )

        return self._read(query, False)

    def update_room(
        self, name: str, *, url: str, players: int, settings: str, open: bool = True
    ) -> None:
        """Record what the server knows about its room (the wall board reads it)."""
        now = now_iso()

        def upsert(connection: sqlite3.Connection) -> None:
            connection.execute(
                "INSERT INTO rooms VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                "url = excluded.url, players = excluded.players, settings = excluded.settings, "
                "updated_at = excluded.updated_at, open = excluded.open",
                (name, url, players, settings, now, now, int(open)),
            )

        self._write(upsert)

    def room(self, name: str | None = None) -> RoomStatus | None:
        """The named room's status, or the most recently active room's; None if none."""

        def query(connection: sqlite3.Connection) -> RoomStatus | None:
            if not connection.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'rooms'"
            ).fetchone()[0]:
                return None
            if name is None:
                row = connection.execute(
                    "SELECT * FROM rooms ORDER BY updated_at DESC LIMIT 1"
                ).fetchone()
            else:
                row = connection.execute("SELECT * FROM rooms WHERE name = ?", (name,)).fetchone()
            if row is None or not _room_row_valid(row):  # none, or damaged: no status
                return None
            status = RoomStatus(*row[:6], open=bool(row[6]))
            age_s = (datetime.now(UTC) - datetime.fromisoformat(status.updated_at)).total_seconds()
            if status.open and age_s > ROOM_STALE_S:  # the server was killed
                status = RoomStatus(*row[:6], open=False)
            return status

        return self._read(query, None)

    def room_names_in_use(self) -> set[str]:
        """Every room name the file knows (to pick a fresh default)."""

        def query(connection: sqlite3.Connection) -> set[str]:
            names = {str(r[0]) for r in connection.execute("SELECT DISTINCT room FROM scores")}
            if connection.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'rooms'"
            ).fetchone()[0]:
                names |= {str(r[0]) for r in connection.execute("SELECT name FROM rooms")}
            return names

        return self._read(query, set())


def claim_in_room(path: Path | str | None, room: str, name: str) -> bool:
    """Hold ``name`` in ``room`` for this process (see `Leaderboard.claim_name`).

    True also when the file can't say: a leaderboard that can't be written keeps no one from
    playing. One short write, quick enough for a UI thread.
    """
    try:
        with Leaderboard(path) as board:
            return board.claim_name(room, name)
    except (LeaderboardError, PlayerNameError):
        return True


_FORMAT_COLUMNS = "model, questions, difficulty, seconds_per_question"
_VALID_ROW = (
    "(typeof(player) = 'text' AND length(player) <= 100 AND typeof(model) = 'text' "
    "AND length(model) <= 200 AND typeof(problem) = 'text' AND length(problem) <= 200 "
    "AND typeof(difficulty) = 'text' AND length(difficulty) <= 40 "
    "AND typeof(played_at) = 'text' AND length(played_at) <= 40 "
    "AND typeof(room) = 'text' AND length(room) <= 200 "
    "AND typeof(player_score) = 'integer' AND typeof(model_score) = 'integer' "
    "AND typeof(player_correct) = 'integer' AND typeof(model_correct) = 'integer' "
    "AND typeof(questions) = 'integer' AND typeof(seconds_per_question) IN ('real', 'integer') "
    "AND typeof(duration_s) IN ('real', 'integer') AND typeof(id) = 'integer')"
)
"""A row seq2add could have written. A damaged or hand-edited file may hold others (a text
score, a BLOB name, NULLs); every reader skips them, and `damaged_rows` counts them."""
_SAME_FORMAT = "model = ? AND questions = ? AND difficulty = ? AND seconds_per_question = ?"


def _room_row_valid(row: tuple[Any, ...]) -> bool:
    """Whether a ``rooms`` row has the types seq2add writes (and a time it can read)."""
    name, url, players, settings, started_at, updated_at, _ = row[:7]
    if not all(isinstance(v, str) for v in (name, url, settings, started_at, updated_at)):
        return False
    if not isinstance(players, int):
        return False
    try:
        return datetime.fromisoformat(updated_at).tzinfo is not None
    except ValueError:
        return False


def _format_params(fmt: RoundFormat) -> tuple[Any, ...]:
    return (fmt.model, fmt.questions, fmt.difficulty, fmt.seconds_per_question)


def _score_from_row(row: tuple[Any, ...]) -> Score | None:
    """The row as a Score, or None if it holds what seq2add never writes (see `_VALID_ROW`)."""
    values = dict(zip(("id", *_COLUMNS), row, strict=True))
    for key in ("seconds_per_question", "duration_s"):
        if not math.isfinite(values[key]):
            return None
    if name_problem(values["player"]) is not None:
        return None
    return Score(**values)
