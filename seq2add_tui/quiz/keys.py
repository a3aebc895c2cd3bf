"""The quiz's keys, declared once: the panel binds them, and every hint on screen is read from them.

A hint typed by hand ("R replay · N new round") drifts from the bindings it describes the first
time a key changes; these are built from the bindings, so they can't.
"""

from __future__ import annotations

from textual.binding import Binding

# Only Pass goes in a footer: every state's hint line (built from these bindings) lists its keys,
# as the browser and SSH sessions, which have no footer, show them. The final card's five keys
# pushed ^q Quit out of the quiz's footer, and in the app's the reveal's two cut "12345 Panels".
QUIZ_BINDINGS: list[Binding] = [
    Binding(
        "enter", "advance", "Next", id="quiz.next", tooltip="Show the next question", show=False
    ),
    Binding(
        # Not Esc: everywhere else Esc only leaves a field, and one key with two meanings cost
        # players their answer (and their streak) when they meant to reach the tab bar.
        "ctrl+n",
        "pass_question",
        "Pass",
        id="quiz.pass",
        tooltip="Give up on this question (no points, the streak ends)",
    ),
    Binding("escape", "back", "Back", id="quiz.back", tooltip="Back to where you were", show=False),
    Binding(
        "r",
        "replay",
        "Replay",
        id="quiz.replay",
        tooltip="Play the same questions again",
        show=False,
    ),
    Binding("n", "new_round", "New round", id="quiz.new", tooltip="Play new questions", show=False),
    Binding(
        "l",
        "leaderboard",
        "Leaderboard",
        id="quiz.leaderboard",
        tooltip="Top scores on this model",
        show=False,
    ),
    Binding(
        "a",
        "all_models",
        "All models",
        id="quiz.all_models",
        tooltip="Top scores on every model",
        show=False,
    ),
    Binding(
        "s",
        "settings",
        "Settings",
        id="quiz.settings",
        tooltip="Name, difficulty, timer",
        show=False,
    ),
]
"""Every key the quiz panel answers to; which apply depends on the panel's state."""

_KEY_NAMES = {"enter": "Enter", "escape": "Esc", "ctrl+n": "Ctrl+N"}


def _binding(binding_id: str) -> Binding:
    return next(b for b in QUIZ_BINDINGS if b.id == binding_id)


def key_name(binding_id: str) -> str:
    """The key of binding ``binding_id`` as a hint names it: ``Enter``, ``Esc``, ``R``."""
    key = _binding(binding_id).key
    return _KEY_NAMES.get(key, key.upper())


def key_hints(*binding_ids: str) -> str:
    """A line of hints, e.g. ``R replay · N new round``, in the order given."""
    return " · ".join(
        f"{key_name(binding_id)} {_binding(binding_id).description.lower()}"
        for binding_id in binding_ids
    )


def button_label(binding_id: str) -> str:
    """A button's label with its key, as the Models panel writes it: ``Leaderboard (l)``."""
    binding = _binding(binding_id)
    return f"{binding.description} ({binding.key})"
