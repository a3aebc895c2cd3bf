"""``seq2add serve``: the quiz in the browser, one ``seq2add quiz`` process per visit.

textual-serve runs a command for each browser tab that connects and relays its screen over a
websocket. Here the command is the quiz-only app (never TensorFlow) as a web session, so each
visitor types their own name, and pointed at one leaderboard file so a room shares it.
"""

from __future__ import annotations

import shlex
import socket
import sys
from pathlib import Path
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from textual_serve.server import Server

LOCALHOST = "127.0.0.1"
TITLE = "seq2add — beat the model"
ROOM_FULL = "The room is full ({players} playing, the most this server allows). Try again soon."


def quiz_argv(
    model_folder: Path,
    *,
    db_path: Path,
    questions: int,
    seconds: float,
    difficulty: str,
    seed: int | None = None,
    python: str | None = None,
    session: str = "--web-session",
) -> list[str]:
    """The quiz process one visitor gets: ``session`` says how they reach it (web or SSH)."""
    argv = [
        python or sys.executable,
        "-m",
        "seq2add_tui",
        "quiz",
        str(model_folder.resolve()),
        session,
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
    return argv


def quiz_command(model_folder: Path, **options: Any) -> str:
    """The shell command textual-serve runs for each visitor (see `quiz_argv`)."""
    # textual-serve runs this through /bin/sh; exec makes the quiz the server's own child, so a
    # session can tell when the server is gone (QuizApp watches its parent).
    return "exec " + shlex.join(quiz_argv(model_folder, **options))


def lan_address() -> str | None:
    """This machine's address on its local network, for telling a room where to go.

    Connecting a UDP socket sends nothing; it only asks the OS which interface it would use.
    """
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") else address


def browse_url(host: str, port: int) -> str:
    """The address to open in a browser for a server bound to ``host``."""
    if host in ("", "0.0.0.0", "::"):
        host = lan_address() or LOCALHOST
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}/"


class QuizServer(Server):
    """textual-serve's server, with page links that follow the address the browser used.

    textual-serve writes its bind address into the page's websocket URL, which breaks when it
    listens on 0.0.0.0 for a room (browsers can't connect to 0.0.0.0). Taking the scheme and
    host from each request makes the same page work on localhost and over the LAN.

    Every session is a process, so a room has a size: past ``max_players`` the page and the
    websocket say the room is full instead of starting one more and slowing everyone down.
    """

    def __init__(
        self,
        command: str,
        host: str,
        port: int,
        opponent: str,
        max_players: int,
    ) -> None:
        super().__init__(command, host=host, port=port, title=TITLE)
        self.opponent = opponent
        """Shown in the start-up message."""
        self.max_players = max_players
        self.players = 0
        """Sessions running now."""

    @property
    def full(self) -> bool:
        return self.players >= self.max_players

    async def on_startup(self, app: web.Application) -> None:
        self.console.print(
            f"Serving the seq2add quiz against [b]{self.opponent}[/b] at "
            f"[link]{browse_url(self.host, self.port)}[/link]",
            highlight=False,
        )
        if self.host not in (LOCALHOST, "localhost", "::1"):
            self.console.print(
                "Anyone who can reach this address can play (and start a process here).",
                style="yellow",
            )
        self.console.print(
            f"Up to {self.max_players} players at once. [cyan]Press Ctrl+C to stop.",
            highlight=False,
        )

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        if self.full:
            return await self._turn_away(request)
        self.players += 1
        try:
            return await super().handle_websocket(request)
        finally:
            self.players -= 1

    async def _turn_away(self, request: web.Request) -> web.WebSocketResponse:
        """Write the room-full notice on the visitor's terminal and close (1013: try later)."""
        websocket = web.WebSocketResponse()
        await websocket.prepare(request)
        notice = ROOM_FULL.format(players=self.max_players)
        await websocket.send_bytes(f"\r\n  {notice}\r\n".encode())
        await websocket.close(code=1013, message=b"room full")
        return websocket

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any] | web.Response:
        if self.full:
            notice = ROOM_FULL.format(players=self.max_players)
            return web.Response(
                status=503,
                text=f"<!doctype html><title>{TITLE}</title><p>{notice}</p>",
                content_type="text/html",
                headers={"Retry-After": "60"},
            )
        origin = f"{request.scheme}://{request.host}"
        font_size = request.query.get("fontsize", "16")
        websocket = request.app.router["websocket"].url_for()
        static = request.app.router["static"].url_for(filename="/")
        return {
            "font_size": int(font_size) if font_size.isdigit() else 16,
            "app_websocket_url": "ws" + origin.removeprefix("http") + str(websocket),
            "config": {"static": {"url": f"{origin}{str(static).rstrip('/')}/"}},
            "application": {"name": self.title},
        }


def serve(command: str, host: str, port: int, opponent: str, max_players: int) -> None:
    """Serve until Ctrl+C or SIGTERM; OSError if the address can't be used."""
    QuizServer(command, host, port, opponent, max_players).serve()
