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

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

DB_ENV = "SEQ2ADD_DB"
"""Environment variable naming the leaderboard file."""
DB_FILENAME = "leaderboard.sqlite3"

MAX_NAME_LENGTH = 24
"""Longest player name, in characters; fits the leaderboard table at 80 columns."""

DEFAULT_TIMEOUT_S = 5.0
"""How long a save waits for another writer before retrying; saves take about a millisecond."""
DEFAULT_RETRIES = 3
"""Further attempts after a busy timeout."""

SCHEMA_VERSION = 1
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
)

T = TypeVar("T")


class LeaderboardError(RuntimeError):
    """The leaderboard file can't be read or written; the message is one sentence to show."""


class PlayerNameError(ValueError):
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
    """A stored UTC time as a short local ``Nov 30 14:02``, for tables."""
    try:
        moment = datetime.fromisoformat(played_at).astimezone()
    except ValueError:
        return played_at[:16]
    return moment.strftime("%b %d %H:%M")


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

    @property
    def outcome(self) -> str:
        """``won``, ``lost`` or ``draw`` from the player's side."""
        if self.player_score > self.model_score:
            return "won"
        if self.player_score < self.model_score:
            return "lost"
        return "draw"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, with the outcome."""
        return {**asdict(self), "outcome": self.outcome}


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
    if "disk" in text and ("full" in text or "i/o" in text):
        return f"The leaderboard at {path} can't be written ({error}); scores won't be saved."
    return f"The leaderboard at {path} can't be used ({error})."


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

    def record(self, score: Score) -> Score:
        """Save a finished round; returns it with its id and time. Raises LeaderboardError."""
        player = check_player_name(score.player)
        played_at = score.played_at or now_iso()
        values = {**asdict(score), "player": player, "played_at": played_at}
        row = tuple(values[c] for c in _COLUMNS)

        def insert() -> int:
            with self._connect(write=True) as connection:
                self._prepare(connection)
                connection.execute("BEGIN IMMEDIATE")
                try:
                    cursor = connection.execute(
                        f"INSERT INTO scores ({', '.join(_COLUMNS)}) "
                        f"VALUES ({', '.join('?' for _ in _COLUMNS)})",
                        row,
                    )
                    connection.execute("COMMIT")
                except BaseException:
                    connection.execute("ROLLBACK")
                    raise
                return int(cursor.lastrowid)

        row_id = self._attempt(insert)
        return Score(**{**values, "id": row_id})

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
        self, model: str | None = None, limit: int = 10, *, best_per_player: bool = True
    ) -> list[Score]:
        """The highest scores, for one model or all; by default each player's best only.

        Ties go to whoever got there first.
        """
        where = "WHERE model = ?" if model is not None else ""
        params: tuple[Any, ...] = (model,) if model is not None else ()
        columns = ", ".join(("id", *_COLUMNS))
        if best_per_player:
            sql = (
                f"SELECT {columns} FROM ("
                f"  SELECT *, row_number() OVER ("
                f"    PARTITION BY player, model ORDER BY player_score DESC, played_at, id"
                f"  ) AS place FROM scores {where}"
                f") WHERE place = 1 ORDER BY player_score DESC, played_at, id LIMIT ?"
            )
        else:
            sql = (
                f"SELECT {columns} FROM scores {where} "
                "ORDER BY player_score DESC, played_at, id LIMIT ?"
            )

        def query(connection: sqlite3.Connection) -> list[Score]:
            rows = connection.execute(sql, (*params, max(0, limit))).fetchall()
            return [_score_from_row(row) for row in rows]

        return self._read(query, [])

    def rank(self, score: Score) -> tuple[int, int]:
        """(place, players) of a recorded score among each player's best on its model."""

        def query(connection: sqlite3.Connection) -> tuple[int, int]:
            better = connection.execute(
                "SELECT count(DISTINCT player) FROM scores WHERE model = ? AND player != ? AND "
                "(player_score > ? OR (player_score = ? AND (played_at < ? OR "
                "(played_at = ? AND id < ?))))",
                (
                    score.model,
                    score.player,
                    score.player_score,
                    score.player_score,
                    score.played_at,
                    score.played_at,
                    score.id or 0,
                ),
            ).fetchone()[0]
            players = connection.execute(
                "SELECT count(DISTINCT player) FROM scores WHERE model = ?", (score.model,)
            ).fetchone()[0]
            return int(better) + 1, max(int(players), 1)

        return self._read(query, (1, 1))

    def personal_best(self, player: str, model: str) -> int | None:
        """The player's best score on ``model``, if they have one."""

        def query(connection: sqlite3.Connection) -> int | None:
            value = connection.execute(
                "SELECT max(player_score) FROM scores WHERE player = ? AND model = ?",
                (player, model),
            ).fetchone()[0]
            return None if value is None else int(value)

        return self._read(query, None)

    def models(self) -> list[tuple[str, int]]:
        """(model, rounds played) for every model with scores, most played first."""

        def query(connection: sqlite3.Connection) -> list[tuple[str, int]]:
            rows = connection.execute(
                "SELECT model, count(*) FROM scores GROUP BY model ORDER BY count(*) DESC, model"
            ).fetchall()
            return [(str(m), int(n)) for m, n in rows]

        return self._read(query, [])

    def count(self) -> int:
        """Rounds recorded in total."""
        return self._read(lambda c: int(c.execute("SELECT count(*) FROM scores").fetchone()[0]), 0)


def _score_from_row(row: tuple[Any, ...]) -> Score:
    values = dict(zip(("id", *_COLUMNS), row, strict=True))
    return Score(**values)
