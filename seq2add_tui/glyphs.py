"""The symbols seq2add draws state with, in Unicode or plain ASCII, chosen once at start-up.

A terminal whose locale is not UTF-8 (``LANG=C``, an old serial console, some SSH setups) shows
✓ ✗ ␣, block bars and braille plots as garbage, so there every symbol has an ASCII stand-in. The
choice follows the locale the user set (``LC_ALL``, then ``LC_CTYPE``, then ``LANG``), not the one
Python runs in: Python coerces a C locale to C.UTF-8 for itself (PEP 538), which says nothing
about what the terminal can show.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

UTF8_NAMES = ("utf-8", "utf8")


@dataclass(frozen=True)
class Glyphs:
    """One set of symbols; every field has a Unicode and an ASCII version."""

    unicode: bool
    """Whether this is the Unicode set."""
    right: str
    """Marks a right answer."""
    wrong: str
    """Marks a wrong answer."""
    space: str
    """Shows a space character where it must be seen (the model's padding)."""
    bar_eighths: str
    """A bar's cells by how full they are, from empty (index 0) to full (index 8)."""
    bar_filled: str
    bar_empty: str
    """The used and the unused part of the question clock's bar: two shapes, not two colours."""
    loss_marker: str
    """The loss curve's points (a plotext marker)."""
    exact_marker: str
    """The exact-match curve's points: a different shape, so the curves differ without colour."""
    loss_legend: str
    exact_legend: str
    """How the legend draws each curve's marker."""
    toggle_left: str
    toggle_right: str
    """The ends of a radio button or check box."""
    toggle_on: str
    toggle_off: str
    """The inside of a radio button or check box that is chosen, or not."""
    loaded: str
    """Marks the model in use."""
    times: str
    """The multiplication sign in sizes such as 80×24."""


UNICODE = Glyphs(
    unicode=True,
    right="✓",
    wrong="✗",
    space="␣",
    bar_eighths=" ▏▎▍▌▋▊▉█",
    bar_filled="━",
    bar_empty="─",
    loss_marker="braille",
    exact_marker="dot",
    loss_legend="⣿",
    exact_legend="•",
    toggle_left="▐",
    toggle_right="▌",
    toggle_on="●",
    toggle_off=" ",
    loaded="●",
    times="×",
)

ASCII = Glyphs(
    unicode=False,
    right="v",
    wrong="x",
    space="_",
    bar_eighths="    ----#",
    bar_filled="=",
    bar_empty="-",
    loss_marker=".",
    exact_marker="o",
    loss_legend=".",
    exact_legend="o",
    toggle_left="(",
    toggle_right=")",
    toggle_on="*",
    toggle_off=" ",
    loaded="*",
    times="x",
)


def locale_is_utf8(environ: Mapping[str, str]) -> bool:
    """Whether the user's locale, as the environment sets it, encodes text as UTF-8."""
    setting = environ.get("LC_ALL") or environ.get("LC_CTYPE") or environ.get("LANG") or ""
    if setting == "C.UTF-8" and not environ.get("LC_ALL"):
        # Python's coercion of a C locale (PEP 538) writes exactly this into LC_CTYPE; the
        # user's own setting is what LANG says.
        setting = environ.get("LANG") or "C"
    if "." not in setting:
        return False  # C, POSIX or a bare language name: ASCII or a legacy charset
    encoding = setting.split(".", 1)[1].split("@", 1)[0].lower()
    return encoding in UTF8_NAMES


def choose(environ: Mapping[str, str] | None = None) -> Glyphs:
    """The set the locale can show."""
    return UNICODE if locale_is_utf8(os.environ if environ is None else environ) else ASCII


GLYPHS = choose()
"""The set this process uses, chosen at start-up."""
