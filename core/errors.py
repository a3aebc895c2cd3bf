"""Errors a person can cause, and how any error is put to them in one sentence.

Core's own errors (a bad setting, a damaged model file, a locked leaderboard) already carry the
sentence to show; `UserError` marks them, so the app and the CLI tell them from bugs the same way.
"""

from __future__ import annotations

OUT_OF_MEMORY = "ran out of memory; use fewer samples, a smaller batch or a smaller model."


class UserError(Exception):
    """Mixed into each core error whose message is one sentence for the user, ready to show."""


def one_sentence(error: BaseException, doing: str = "") -> str:
    """What to tell a person about ``error``; ``doing`` (``Training``) says what failed.

    Core's own errors speak for themselves; others become a plain description, never a
    traceback.
    """
    if isinstance(error, UserError):
        return str(error)
    if isinstance(error, MemoryError):
        return f"{doing} {OUT_OF_MEMORY}" if doing else OUT_OF_MEMORY.capitalize()
    if isinstance(error, OSError) and error.strerror:
        where = f" ({error.filename})" if error.filename else ""
        return f"{error.strerror}{where}."
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    described = f"{error.__class__.__name__}: {text}" if text else error.__class__.__name__
    return f"{doing} failed: {described}" if doing else described
