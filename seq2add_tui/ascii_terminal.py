"""Every cell in ASCII for a terminal whose locale is not UTF-8 (``LANG=C``, a serial console).

`seq2add_tui.glyphs` already draws our own symbols in ASCII there, but Textual's borders, tab
underlines and scroll bars, and our punctuation (— · → …), are Unicode: such a terminal shows
each as two or three garbage characters and every line after it shifts. So the app's output is
translated as it is written, one character for one cell, to the ASCII character nearest in shape
(``━`` to ``-``, ``┃`` to ``|``, ``┏`` to ``+``, ``▊`` to ``|``); a character with none becomes
``?`` (``??`` if it is two cells wide). Only the driver of a real terminal translates: a browser
(textual-serve) shows Unicode whatever the server's locale, and tests read the screen unchanged.
"""

from __future__ import annotations

import unicodedata

from rich.cells import cell_len
from textual.driver import Driver

from seq2add_tui.glyphs import GLYPHS

NEAREST: dict[str, str] = {
    # Punctuation and symbols our own text and Textual's widgets use.
    "—": "-",
    "–": "-",
    "‒": "-",
    "―": "-",
    "‐": "-",
    "−": "-",
    "·": ".",
    "•": "*",
    "…": ".",
    "‘": "'",
    "’": "'",
    "′": "'",
    "“": '"',
    "”": '"',
    "″": '"',
    "«": "<",
    "»": ">",
    "×": "x",
    "÷": "/",
    "±": "+",
    "≥": ">",
    "≤": "<",
    "≈": "~",
    "≠": "#",
    "→": ">",
    "⟶": ">",
    "↳": ">",
    "▶": ">",
    "►": ">",
    "▸": ">",
    "←": "<",
    "◀": "<",
    "↑": "^",
    "▲": "^",
    "↓": "v",
    "▼": "v",
    "⏎": "<",
    "✓": "v",
    "✔": "v",
    "✗": "x",
    "✘": "x",
    "●": "*",
    "◆": "*",
    "○": "o",
    "∘": "o",
    "■": "#",
    "□": "o",
    "∑": "S",
    "␣": "_",
    "°": "o",
    "£": "L",
    "€": "E",
    "\u00a0": " ",
    # Block elements: the tall borders of inputs and buttons (▊ ▔ ▁ ▎) and scroll bar ends.
    "▔": "-",
    "▁": "_",
    "█": "#",
    "▀": '"',
    "▄": "_",
    "░": ":",  # a ramp, as the attention map's legend reads it: · ░ ▒ ▓ █ as . : = % #
    "▒": "=",
    "▓": "%",
}
"""Characters whose nearest ASCII shape a rule over their Unicode name would miss."""

_DIRECTIONS = {
    "HORIZONTAL": {"LEFT", "RIGHT"},
    "VERTICAL": {"UP", "DOWN"},
    "LEFT": {"LEFT"},
    "RIGHT": {"RIGHT"},
    "UP": {"UP"},
    "DOWN": {"DOWN"},
}


def _box_drawing(name: str) -> str:
    """A line-drawing character by the directions its strokes go: ``-``, ``|`` or ``+``."""
    if "DIAGONAL" in name:
        return "X" if "CROSS" in name else "/" if "UPPER RIGHT TO LOWER LEFT" in name else "\\"
    if "ARC" in name:
        return "+"
    directions: set[str] = set()
    for word in name.split():
        directions |= _DIRECTIONS.get(word, set())
    if directions <= {"LEFT", "RIGHT"}:
        return "-"
    if directions <= {"UP", "DOWN"}:
        return "|"
    return "+"


def nearest_ascii(character: str) -> str:
    """What ``character`` becomes on an ASCII terminal: as many cells as it takes on screen."""
    if character.isascii():
        return character
    if character in NEAREST:
        return NEAREST[character]
    width = cell_len(character)
    name = unicodedata.name(character, "")
    if name.startswith("BOX DRAWINGS"):
        return _box_drawing(name)
    if name.startswith(("LEFT ", "RIGHT ")) and "BLOCK" in name:
        return "|"  # a strip at one side of the cell: a border's side or a bar's end
    if "BLOCK" in name or "QUADRANT" in name:
        return "#" if width else ""
    if name.startswith("BRAILLE PATTERN"):
        return "." if name != "BRAILLE PATTERN BLANK" else " "
    plain = unicodedata.normalize("NFKD", character).encode("ascii", "ignore").decode()
    if plain and cell_len(plain) == width:
        return plain  # é → e
    return "?" * width


class _Translation(dict[int, str]):
    """A `str.translate` table that works out each character the first time it is written."""

    def __missing__(self, code: int) -> str:
        self[code] = nearest_ascii(chr(code))
        return self[code]


_TABLE = _Translation({code: chr(code) for code in range(128)})


def to_ascii(text: str) -> str:
    """``text`` with every character the nearest ASCII of the same width."""
    return text if text.isascii() else text.translate(_TABLE)


def ascii_driver(driver: type[Driver]) -> type[Driver]:
    """``driver``, writing everything it is given in ASCII."""

    class AsciiDriver(driver):  # type: ignore[misc, valid-type]
        def write(self, data: str) -> None:
            super().write(to_ascii(data))

    AsciiDriver.__name__ = AsciiDriver.__qualname__ = f"Ascii{driver.__name__}"
    return AsciiDriver


class AsciiTerminal:
    """For App classes: write in ASCII to a real terminal whose locale is not UTF-8."""

    def get_driver_class(self) -> type[Driver]:
        driver = super().get_driver_class()  # type: ignore[misc]
        if GLYPHS.unicode or driver.__name__ not in ("LinuxDriver", "WindowsDriver"):
            return driver  # a browser's or a test's: Unicode is fine there
        return ascii_driver(driver)
