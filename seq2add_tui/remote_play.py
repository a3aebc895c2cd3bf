"""What a room of remote players shares however they connect, by browser or by SSH.

`seq2add serve` and `seq2add ssh` run the same quiz process for every player, clamp the terminal
it draws to the same bounds and tell a full or closed room the same thing; keeping that here
means the SSH server needs neither textual-serve nor aiohttp, and the two can't drift apart.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from core.leaderboard import Leaderboard, LeaderboardError, room_name_for

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
"""Host names only this machine can reach: a server bound to one is private."""
ROOM_FULL = "The room is full ({players} playing, the most this server allows). Try again soon."
ROOM_CLOSED = "The room has closed. Thanks for playing!"

TERMINAL_COLUMNS = (20, 400)
TERMINAL_ROWS = (8, 200)
"""A player's terminal size is clamped to these: a huge one would cost a session seconds of CPU
per frame."""
DEFAULT_TERMINAL = (80, 24)
"""The size taken when a client sends none, or nonsense."""


def terminal_size(columns: Any, rows: Any) -> tuple[int, int]:
    """The size a session gets for what a client claims: clamped, so a client can't make a
    process draw (and hold) a screen of any size it likes."""
    return (
        _clamp(columns, TERMINAL_COLUMNS, DEFAULT_TERMINAL[0]),
        _clamp(rows, TERMINAL_ROWS, DEFAULT_TERMINAL[1]),
    )


def _clamp(value: Any, bounds: tuple[int, int], default: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return max(bounds[0], min(bounds[1], number))


def room_name_today(db_path: Path) -> str:
    """A fresh default room name such as ``room-2026-12-01-1`` (the day's next unused one)."""
    try:
        taken = Leaderboard(db_path).room_names_in_use()
    except LeaderboardError:
        taken = set()
    return room_name_for(datetime.now(), taken)


def quiz_argv(
    model_folder: Path,
    *,
    db_path: Path,
    questions: int,
    seconds: float,
    difficulty: str,
    seed: int | None = None,
    room: str | None = None,
    locked: bool = False,
    python: str | None = None,
    session: str = "--web-session",
) -> list[str]:
    """The quiz process one visitor gets: ``session`` says how they reach it (web or SSH).

    Called in the server that starts the sessions: ``--server-pid`` is its pid, so a session
    that finishes starting up after the server died still knows whose child it was.
    """
    argv = [
        python or sys.executable,
        "-m",
        "seq2add_tui",
        "quiz",
        str(model_folder.resolve()),
        session,
        "--server-pid",
        str(os.getpid()),
        "--db",
        str(db_path.expanduser().resolve()),
        "--questions",
        str(questions),
        "--seconds",
        f"{seconds:g}",
        "--difficulty",
        difficulty,
    ]
    if seed is not None:
        argv += ["--seed", str(seed)]
    if room is not None:
        argv += ["--room", room]
    if locked:
        argv += ["--locked"]
    return argv
