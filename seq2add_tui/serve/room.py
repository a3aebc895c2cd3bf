"""The organiser's choices for a room, and the command each visitor's session runs."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seq2add_tui.remote_play import quiz_argv


@dataclass(frozen=True)
class Room:
    """What the organiser chose for the room."""

    name: str
    opponent: str
    """The model everyone plays."""
    round: str
    """The round in words, e.g. ``10 questions · 10 s · full``, or who chooses it."""
    db_path: Path
    max_players: int = 32
    per_address: int = 4
    idle_minutes: float = 10.0
    warm_sessions: int = 4
    verbose: bool = False
    allowed_hosts: tuple[str, ...] = ()
    """Host names served besides the server's own (``--allowed-host``, e.g. behind a proxy)."""


def quiz_command(model_folder: Path, **options: Any) -> str:
    """The shell command textual-serve runs for each visitor (see `quiz_argv`)."""
    # textual-serve runs this through /bin/sh; exec makes the quiz the server's own child, so a
    # session can tell when the server is gone (QuizApp watches its parent).
    return "exec " + shlex.join(quiz_argv(model_folder, **options))
