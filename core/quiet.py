"""Keep TensorFlow's native log lines off the screen.

TensorFlow's C++ code writes straight to file descriptor 2 (CUDA probes, oneDNN notices, absl
warnings), before and regardless of ``TF_CPP_MIN_LOG_LEVEL``. In a full-screen app those lines
tear the display. `divert_native_stderr` points descriptor 2 at a log file and gives Python (and
Textual, which draws on ``sys.__stderr__``) a private copy of the terminal instead.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_diverted_to: Path | None = None


def quiet_tensorflow_environment() -> None:
    """Ask TensorFlow for as little chatter as its settings allow; call before importing it."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def native_log_path() -> Path:
    """Where diverted native output goes: the per-user log folder."""
    from platformdirs import user_log_dir

    return Path(user_log_dir("seq2add", appauthor=False)) / "native.log"


def divert_native_stderr(log_path: Path | None = None, *, always: bool = False) -> Path | None:
    """Send descriptor 2 to ``log_path`` while Python keeps writing to the terminal.

    Only done when descriptor 2 is a terminal (where stray lines tear the screen), unless
    ``always``; a redirected stderr keeps TensorFlow's lines for whoever reads it. Safe to call
    more than once; returns the log file, or None when nothing was diverted.
    """
    global _diverted_to
    quiet_tensorflow_environment()
    if _diverted_to is not None:
        return _diverted_to
    try:
        if not (always or os.isatty(2)):
            return None
        sys.__stderr__.flush()
        terminal = os.dup(2)
    except (AttributeError, OSError, ValueError):
        return None
    path = log_path or native_log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        log = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    except OSError:
        path = Path(os.devnull)
        log = os.open(os.devnull, os.O_WRONLY)
    os.dup2(log, 2)
    os.close(log)
    stream = os.fdopen(terminal, "w", buffering=1, encoding="utf-8", errors="backslashreplace")
    sys.stderr = sys.__stderr__ = stream
    _diverted_to = path
    return path
