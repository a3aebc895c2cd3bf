"""A room's address as a QR code: in a terminal (the console, the wall board) and on a web page.

segno is a small pure-Python encoder; nothing is fetched or drawn by another program.
"""

from __future__ import annotations

import segno

from seq2add_tui.glyphs import GLYPHS

UPPER, LOWER, BOTH = "▀", "▄", "█"

NO_QR_NOTE = "(no QR code: the terminal is not UTF-8)"
"""Said instead of the code where half blocks would arrive as ASCII stand-ins: unscannable."""


def terminal_qr(url: str) -> list[str]:
    """``url``'s code for a terminal, or `NO_QR_NOTE` where its half blocks can't be shown: on
    such a terminal no code beats an unscannable one."""
    return qr_lines(url) if GLYPHS.unicode else [NO_QR_NOTE]


def qr_lines(text: str, *, border: int = 2) -> list[str]:
    """``text`` as a QR code of half-block characters, two modules per character row.

    Dark modules are drawn as the terminal's foreground on its background, so the code reads
    as light-on-dark; phone cameras scan inverted codes, and this keeps the quiet zone dark
    where most terminals are.
    """
    code = segno.make(text, error="m", micro=False)
    rows = [list(row) for row in code.matrix_iter(border=border)]
    if len(rows) % 2:
        rows.append([0] * len(rows[0]))
    lines = []
    for top, bottom in zip(rows[::2], rows[1::2], strict=True):
        # Light modules lit: a scanner wants the code's dark modules darker than its light ones.
        lines.append(
            "".join(
                BOTH if not t and not b else UPPER if not t else LOWER if not b else " "
                for t, b in zip(top, bottom, strict=True)
            )
        )
    return lines


def qr_svg(text: str, *, scale: int = 6) -> str:
    """``text`` as an inline SVG QR code (black on white, with its quiet zone)."""
    return segno.make(text, error="m", micro=False).svg_inline(scale=scale, border=4, light="#fff")
