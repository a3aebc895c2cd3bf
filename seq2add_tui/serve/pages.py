"""The room's web pages: the quiz page, the room-full page, the wall board and its data.

The pages need no other host (fonts and scripts come from the installed textual-serve), and
their links follow the name the browser used, so the same page works on localhost and over the
LAN.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from core.leaderboard import Leaderboard, LeaderboardError
from core.wallboard import read_wall_board
from seq2add_tui.qr import qr_svg
from seq2add_tui.remote_play import ROOM_FULL
from seq2add_tui.serve.room import Room
from seq2add_tui.serve.seats import RETRY_CODES, Seats

TITLE = "seq2add — beat the model"
WEB = Path(__file__).parent.parent / "web"
"""The page, the room-full page, the wall board and the favicon."""
RETRY_S = 10
"""How often a room-full visitor's page tries again."""
BOARD_REFRESH_MS = 1000


class Pages:
    """The handlers for the room's pages (none of them seats anyone)."""

    def __init__(self, title: str, room: Room, url: str, seats: Seats) -> None:
        self.title = title
        self.room = room
        self.url = url
        """Where players join."""
        self.seats = seats
        self._templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(WEB), autoescape=True, enable_async=False
        )

    def _context(self, request: web.Request) -> dict[str, Any]:
        base = f"{request.scheme}://{request.host}/"
        return {
            "title": self.title,
            "base": base,
            "static": f"{base}static/",
            "room": self.room.name,
            "url": self.url,
        }

    def _render(self, template: str, status: int = 200, **context: Any) -> web.Response:
        html = self._templates.get_template(template).render(**context)
        return web.Response(text=html, status=status, content_type="text/html")

    async def index(self, request: web.Request) -> web.Response:
        """The quiz page, or the room-full page that tries again by itself."""
        context = self._context(request)
        if self.seats.full:
            response = self._render(
                "full.html",
                status=503,
                notice=ROOM_FULL.format(players=self.room.max_players),
                retry_s=RETRY_S,
                **context,
            )
            response.headers["Retry-After"] = str(RETRY_S)
            return response
        font_size = request.query.get("fontsize", "16")
        return self._render(
            "room.html",
            font_size=int(font_size) if font_size.isdigit() and 6 <= int(font_size) <= 48 else 16,
            websocket_url=f"ws{context['base'].removeprefix('http')}ws",
            room_label=f"{self.room.name}: {self.room.round} against {self.room.opponent}",
            retry_s=RETRY_S,
            retry_codes=", ".join(map(str, RETRY_CODES)),
            **context,
        )

    async def favicon(self, request: web.Request) -> web.FileResponse:
        response = web.FileResponse(WEB / "favicon.svg")
        response.content_type = "image/svg+xml"
        return response

    async def board(self, request: web.Request) -> web.Response:
        """The wall board, read-only: no seat, no session, nothing written."""
        return self._render(
            "board.html",
            qr_svg=qr_svg(self.url),
            refresh_ms=BOARD_REFRESH_MS,
            **self._context(request),
        )

    async def board_json(self, request: web.Request) -> web.Response:
        try:
            board = await asyncio.to_thread(
                read_wall_board, Leaderboard(self.room.db_path), self.room.name
            )
        except LeaderboardError as error:
            return web.json_response({"error": str(error)}, status=503)
        snapshot = board.to_dict()
        # The server knows better than the file who is playing right now.
        snapshot.update(players=self.seats.players, open=not self.seats.closing, url=self.url)
        return web.json_response(snapshot, headers={"Cache-Control": "no-store"})
