"""The websocket between a player's page and their session.

textual-serve's own relay trusts the browser; this one clamps the terminal size a page asks for,
ignores what it can't read (saying so once per session), and turns visitors away with a notice on
their terminal and a close code the page reads.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable

from aiohttp import WSMsgType, web

from seq2add_tui.remote_play import terminal_size
from seq2add_tui.serve.seats import Seat


def close_reason(text: str) -> bytes:
    """A websocket close reason (at most 123 bytes), cut on a character boundary."""
    encoded = text.encode()
    while len(encoded) > 123:
        text = text[:-1]
        encoded = text.encode()
    return encoded


async def turn_away(request: web.Request, code: int, notice: str) -> web.WebSocketResponse:
    """Write the notice on the visitor's terminal and close with a code the page reads."""
    websocket = web.WebSocketResponse()
    await websocket.prepare(request)
    await websocket.send_bytes(f"\r\n  {notice}\r\n".encode())
    await websocket.close(code=code, message=close_reason(notice))
    return websocket


async def send_away(seat: Seat, code: int, notice: str) -> None:
    """Clear a seated player's screen for the notice and close (idle, or the room closing)."""
    with contextlib.suppress(ConnectionError, RuntimeError):
        await seat.websocket.send_bytes(f"\x1b[2J\x1b[H\r\n  {notice}\r\n".encode())
        await seat.websocket.close(code=code, message=close_reason(notice))


async def relay(seat: Seat, note: Callable[[str], None]) -> None:
    """Pass the browser's keys and size to the session until either side leaves."""
    websocket, service = seat.websocket, seat.service
    assert service is not None
    complained = False
    async for message in websocket:
        if message.type != WSMsgType.TEXT:
            continue
        try:
            kind, *data = json.loads(message.data)
        except (ValueError, TypeError):
            kind, data = None, []
        if kind == "stdin" and data and isinstance(data[0], str):
            seat.last_input = time.monotonic()
            await service.send_bytes(data[0].encode("utf-8"))
        elif kind == "resize" and data and isinstance(data[0], dict):
            size = data[0]
            await service.set_terminal_size(*terminal_size(size.get("width"), size.get("height")))
        elif kind == "ping" and data:
            await websocket.send_json(["pong", data[0]])
        elif kind == "blur":
            await service.blur()
        elif kind == "focus":
            await service.focus()
        elif not complained:
            complained = True  # one line per session, however many it sends
            note(f"ignored a malformed message from #{seat.number} ({seat.address})")
