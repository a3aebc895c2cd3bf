"""``seq2add serve``: a room of players in their browsers, one ``seq2add quiz`` process per visit.

textual-serve runs a command for each browser tab that connects and relays its screen over a
websocket. Here the command is the quiz-only app (never TensorFlow) as a web session in one
*room*: every round saved through it is tagged with the room, the organiser's round settings
are the same for everyone, and a wall board (``/board``) shows the standings live.

What an organiser can rely on: the page needs no other host (fonts come from the installed
textual-serve), a room has a size and tells the next visitor so, an idle tab gives its seat
back, one address can't take every seat, only pages served here may open sessions, the console
says one line per join/finish/leave, and Ctrl+C closes the room within seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import logging
import shlex
import signal
import socket
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import WSMsgType, web
from rich.console import Console
from rich.markup import escape
from textual_serve.app_service import AppService
from textual_serve.server import Server
from yarl import URL

from core.leaderboard import Leaderboard, LeaderboardError, Score
from core.wallboard import read_wall_board
from seq2add_tui.qr import qr_lines, qr_svg
from seq2add_tui.session_pool import SessionPool, end_session
from seq2add_tui.wording import counted

LOCALHOST = "127.0.0.1"
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
TITLE = "seq2add — beat the model"
ROOM_FULL = "The room is full ({players} playing, the most this server allows). Try again soon."
PER_ADDRESS = "Your address already has {sessions} open here; close one to play in this."
IDLE = "You were idle for {minutes} minutes, so your seat went to someone else. Play again?"
ROOM_CLOSED = "The room has closed. Thanks for playing!"
WEB = Path(__file__).parent / "web"
"""The page, the room-full page, the wall board and the favicon."""

RETRY_S = 10
"""How often a room-full visitor's page tries again."""
CLOSE_FULL = 1013
"""Websocket close code "try again later": the room is full."""
CLOSE_PER_ADDRESS = 4002
CLOSE_IDLE = 4001
CLOSE_ROOM_CLOSED = 1001
RETRY_CODES = (CLOSE_FULL, CLOSE_PER_ADDRESS)
"""Refusals the page retries by itself."""

LEAVE_TIMEOUT_S = 5.0
"""How long a leaving session may take to end before it is killed."""
CLOSING_TIMEOUT_S = 0.8
"""The same at Ctrl+C, where the whole room must be gone within 3 s."""
BOARD_REFRESH_MS = 1000
ROUNDS_POLL_S = 1.0
"""How often the server looks for rounds saved by its sessions (for the console and board)."""
ROOM_HEARTBEAT_S = 10.0
TERMINAL_COLUMNS = (20, 400)
TERMINAL_ROWS = (8, 200)
"""A browser's terminal size is clamped to these: a huge one would cost a session seconds of CPU
per frame."""


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


@dataclass(eq=False)
class Seat:
    """One visitor's session."""

    number: int
    address: str
    websocket: web.WebSocketResponse
    last_input: float = field(default_factory=time.monotonic)
    service: AppService | None = None


def room_name_today(db_path: Path) -> str:
    """A fresh default room name such as ``room-2026-12-01-1`` (the day's next unused one)."""
    from core.leaderboard import room_name_for

    try:
        taken = Leaderboard(db_path).room_names_in_use()
    except LeaderboardError:
        taken = set()
    return room_name_for(datetime.now(), taken)


def quiz_argv(
    model_folder: Path,
    *,
    db_path: Path,
    questions: int,
    seconds: float,
    difficulty: str,
    seed: int | None = None,
    room: str | None = None,
    locked: bool = False,
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
    if room is not None:
        argv += ["--room", room]
    if locked:
        argv += ["--locked"]
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


def _wildcard(host: str) -> bool:
    return host in ("", "0.0.0.0", "::")


def browse_url(host: str, port: int) -> str:
    """The address to open in a browser for a server bound to ``host``."""
    if _wildcard(host):
        host = lan_address() or LOCALHOST
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def _host_and_port(authority: str, default_port: int) -> tuple[str, int] | None:
    """``("example", 8000)`` from a Host header or an Origin's authority; None if malformed."""
    try:
        url = URL(f"http://{authority}")
    except ValueError:
        return None
    if not url.host or url.user or url.path not in ("", "/"):
        return None
    return url.host.lower().strip("[]"), url.explicit_port or default_port


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def host_allowed(bind_host: str, name: str, also: tuple[str, ...] = ()) -> bool:
    """Whether a request naming ``name`` in its Host header may be served.

    A web page elsewhere can point a DNS name of its own at this machine (DNS rebinding) and so
    reach a server bound to localhost; such requests carry that name. Only this server's own
    names are served: loopback, the address it is bound to, and, bound to every interface, any
    address literal and this machine's host name; and any name in ``also``.
    """
    if name in LOOPBACK_NAMES or name in (host.lower().strip("[]") for host in also):
        return True
    if _wildcard(bind_host):
        hostname = socket.gethostname().lower()
        return _is_ip(name) or name in (hostname, f"{hostname}.local", socket.getfqdn().lower())
    return name == bind_host.lower().strip("[]")


def _clamp(value: Any, bounds: tuple[int, int], default: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return max(bounds[0], min(bounds[1], number))


def _close_reason(text: str) -> bytes:
    """A websocket close reason (at most 123 bytes), cut on a character boundary."""
    encoded = text.encode()
    while len(encoded) > 123:
        text = text[:-1]
        encoded = text.encode()
    return encoded


class QuizServer(Server):
    """textual-serve's server, running one room.

    textual-serve writes its bind address into the page's websocket URL, which breaks when it
    listens on 0.0.0.0 for a room (browsers can't connect to 0.0.0.0). Taking the host from each
    request (once it is known to be one of ours) makes the same page work on localhost and over
    the LAN.
    """

    def __init__(self, command: str, host: str, port: int, room: Room) -> None:
        super().__init__(command, host=host, port=port, title=f"{TITLE} — {room.name}")
        self.room = room
        # One event per line, however narrow the terminal (or a pipe, which Rich takes as 80).
        self.console = Console(soft_wrap=True, highlight=False)
        self.seats: set[Seat] = set()
        """Sessions running now (and visitors being seated)."""
        self.rounds = 0
        """Rounds counted in the room so far."""
        self.url = browse_url(host, port)
        """Where players join."""
        self.closing = False
        self._joined = 0
        self._last_round_id = 0
        self._tasks: list[asyncio.Task[None]] = []
        self._templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(WEB), autoescape=True, enable_async=False
        )
        self._board = Leaderboard(room.db_path)
        self.pool = SessionPool(
            command, self.download_manager, room.warm_sessions, lambda: self.free_seats
        )

    # -- seats --------------------------------------------------------------------------------

    @property
    def players(self) -> int:
        return len(self.seats)

    @property
    def free_seats(self) -> int:
        return max(0, self.room.max_players - self.players)

    @property
    def full(self) -> bool:
        return self.players >= self.room.max_players

    def _sessions_from(self, address: str) -> int:
        return sum(seat.address == address for seat in self.seats)

    # -- console ------------------------------------------------------------------------------

    def status_line(self) -> str:
        return (
            f"{self.players} playing · {self.rounds} rounds · {self.free_seats} seats free"
            f" · {self.pool.warm} warm"
        )

    def event(self, kind: str, detail: str) -> None:
        """One console line: what happened, then the room's state."""
        self.console.print(
            f"{datetime.now():%H:%M:%S}  {kind:<6} {escape(detail):<40} │ {self.status_line()}",
            highlight=False,
            soft_wrap=True,
        )

    def note(self, text: str) -> None:
        """One console line about a refused request."""
        self.console.print(f"{datetime.now():%H:%M:%S}  {escape(text)}", highlight=False)

    def initialize_logging(self) -> None:
        # textual-serve logs every session's start and stop at INFO; --verbose brings them back.
        logging.basicConfig(
            level="INFO" if self.room.verbose else "WARNING",
            format="%(message)s",
            handlers=[logging.StreamHandler(sys.stdout)],
        )

    # -- the web application ------------------------------------------------------------------

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._only_our_host])
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws", self.handle_websocket, name="websocket"),
                web.get("/board", self.handle_board, name="board"),
                web.get("/board.json", self.handle_board_json, name="board_json"),
                web.get("/favicon.svg", self.handle_favicon),
                web.get("/favicon.ico", self.handle_favicon),
                web.static("/static", self.statics_path, name="static"),
            ]
        )
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    @web.middleware
    async def _only_our_host(self, request: web.Request, handler: Any) -> web.StreamResponse:
        found = _host_and_port(request.host, self.port)
        if found is None or not host_allowed(self.host, found[0], self.room.allowed_hosts):
            self.note(f"refused a request for host {request.host!r} from {request.remote}")
            return web.Response(status=421, text="This server doesn't serve that host name.\n")
        return await handler(request)

    def _origin_problem(self, request: web.Request) -> str | None:
        """Why a websocket's Origin is not this server's own page; None if it is (or absent).

        Browsers always send Origin on websockets, so any other web page the organiser (or a
        player) opens could otherwise start sessions here and post scores. A client that is not
        a browser sends none; it could forge one anyway.
        """
        origin = request.headers.get("Origin")
        if origin is None:
            return None
        parsed = URL(origin) if origin != "null" else None
        if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
            return f"origin {origin!r}"
        theirs = (parsed.host.lower().strip("[]"), parsed.port)
        ours = _host_and_port(request.host, self.port)
        if ours is None or theirs != ours:
            return f"origin {origin!r} (this server is {request.host})"
        return None

    def _page_context(self, request: web.Request) -> dict[str, Any]:
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

    async def handle_index(self, request: web.Request) -> web.Response:
        context = self._page_context(request)
        if self.full:
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

    async def handle_favicon(self, request: web.Request) -> web.FileResponse:
        response = web.FileResponse(WEB / "favicon.svg")
        response.content_type = "image/svg+xml"
        return response

    async def handle_board(self, request: web.Request) -> web.Response:
        """The wall board, read-only: no seat, no session, nothing written."""
        return self._render(
            "board.html",
            qr_svg=qr_svg(self.url),
            refresh_ms=BOARD_REFRESH_MS,
            **self._page_context(request),
        )

    async def handle_board_json(self, request: web.Request) -> web.Response:
        try:
            board = await asyncio.to_thread(
                read_wall_board, Leaderboard(self.room.db_path), self.room.name
            )
        except LeaderboardError as error:
            return web.json_response({"error": str(error)}, status=503)
        snapshot = board.to_dict()
        # The server knows better than the file who is playing right now.
        snapshot.update(players=self.players, open=not self.closing, url=self.url)
        return web.json_response(snapshot, headers={"Cache-Control": "no-store"})

    # -- sessions -----------------------------------------------------------------------------

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        websocket = web.WebSocketResponse(heartbeat=15)
        if not websocket.can_prepare(request).ok:
            self.note(f"refused a malformed websocket request from {request.remote}")
            return web.Response(status=400, text="This address takes the quiz page's websocket.\n")
        problem = self._origin_problem(request)
        if problem is not None:
            self.note(f"refused a websocket from {request.remote}: {problem}")
            return web.Response(status=403, text="Open the quiz from this server's own page.\n")
        address = request.remote or "?"
        if self.closing:
            return await self._turn_away(request, CLOSE_ROOM_CLOSED, ROOM_CLOSED)
        if self.full:
            notice = ROOM_FULL.format(players=self.room.max_players)
            return await self._turn_away(request, CLOSE_FULL, notice)
        if self._sessions_from(address) >= self.room.per_address:
            notice = PER_ADDRESS.format(sessions=counted(self._sessions_from(address), "quiz tab"))
            return await self._turn_away(request, CLOSE_PER_ADDRESS, notice)

        self._joined += 1
        seat = Seat(self._joined, address, websocket)
        self.seats.add(seat)  # before any await, so a rush can't overfill the room
        width = _clamp(request.query.get("width"), TERMINAL_COLUMNS, 80)
        height = _clamp(request.query.get("height"), TERMINAL_ROWS, 24)
        try:
            await websocket.prepare(request)
            seat.service = await self.pool.take(websocket, width, height)
            seat.last_input = time.monotonic()  # idle time counts from a running session
            # The page was just opened, so it is in front: Textual's web driver starts "blurred"
            # (no widget focused, keys dropped) until told otherwise, and a browser's own focus
            # message can go out before its websocket is open.
            await seat.service.focus()
            self.event("join", f"#{seat.number} from {address}")
            self._room_changed()
            await self._relay(seat)
        except (asyncio.CancelledError, ConnectionError):
            pass
        finally:
            if seat.service is not None:
                # The seat is free only once its process has ended.
                timeout = CLOSING_TIMEOUT_S if self.closing else LEAVE_TIMEOUT_S
                await end_session(seat.service, timeout)
            self.seats.discard(seat)
            if seat.service is not None and not self.closing:
                self.event("leave", f"#{seat.number} from {address}")
                self._room_changed()
                self.pool.refill()
        return websocket

    async def _turn_away(self, request: web.Request, code: int, notice: str) -> web.StreamResponse:
        """Write the notice on the visitor's terminal and close with a code the page reads."""
        websocket = web.WebSocketResponse()
        await websocket.prepare(request)
        await websocket.send_bytes(f"\r\n  {notice}\r\n".encode())
        await websocket.close(code=code, message=_close_reason(notice))
        self.note(f"turned away {request.remote}: {notice}")
        return websocket

    async def _relay(self, seat: Seat) -> None:
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
                width = _clamp(data[0].get("width"), TERMINAL_COLUMNS, 80)
                height = _clamp(data[0].get("height"), TERMINAL_ROWS, 24)
                await service.set_terminal_size(width, height)
            elif kind == "ping" and data:
                await websocket.send_json(["pong", data[0]])
            elif kind == "blur":
                await service.blur()
            elif kind == "focus":
                await service.focus()
            elif not complained:
                complained = True  # one line per session, however many it sends
                self.note(f"ignored a malformed message from #{seat.number} ({seat.address})")

    async def _send_away(self, seat: Seat, code: int, notice: str) -> None:
        with contextlib.suppress(ConnectionError, RuntimeError):
            await seat.websocket.send_bytes(f"\x1b[2J\x1b[H\r\n  {notice}\r\n".encode())
            await seat.websocket.close(code=code, message=_close_reason(notice))

    # -- the room's life ----------------------------------------------------------------------

    async def on_startup(self, app: web.Application) -> None:
        try:
            self._last_round_id = self._board.last_id(self.room.name)
            self.rounds = self._board.count(self.room.name)
        except LeaderboardError as error:
            self.note(str(error))
        self._print_welcome()
        self._room_changed()
        self.pool.refill()
        self._tasks = [
            asyncio.create_task(self._watch_rounds()),
            asyncio.create_task(self._watch_idle()),
            asyncio.create_task(self._heartbeat()),
        ]

    def _print_welcome(self) -> None:
        print_ = self.console.print
        print_(
            f"Room [b]{escape(self.room.name)}[/b]: {escape(self.room.round)} against "
            f"[b]{escape(self.room.opponent)}[/b]",
            highlight=False,
        )
        print_(f"Join at [link]{self.url}[/link]   wall board: {self.url}board", highlight=False)
        if _wildcard(self.host):
            lan = lan_address()
            print_(f"LAN address: {lan or 'none found (is this machine on a network?)'}")
        for line in qr_lines(self.url):
            print_(line, highlight=False, markup=False)
        if self.host not in LOOPBACK_NAMES:
            print_(
                "Anyone who can reach this address can play (and start a process here).",
                style="yellow",
            )
        print_(
            f"Up to {self.room.max_players} players, {self.room.per_address} per address; "
            f"idle tabs leave after {self.room.idle_minutes:g} min. "
            "[cyan]Press Ctrl+C to close the room.",
            highlight=False,
        )

    def _room_changed(self, *, open: bool = True) -> None:
        """Tell the leaderboard file (and so `seq2add board`) how the room stands."""
        try:
            self._board.update_room(
                self.room.name,
                url=self.url,
                players=self.players,
                settings=f"{self.room.opponent} · {self.room.round}",
                open=open,
            )
        except LeaderboardError as error:
            self.note(str(error))

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(ROOM_HEARTBEAT_S)
            await asyncio.to_thread(self._room_changed)

    async def _watch_rounds(self) -> None:
        """One console line per round a session saved to the room."""
        while True:
            await asyncio.sleep(ROUNDS_POLL_S)
            try:
                new: list[Score] = await asyncio.to_thread(
                    self._board.since, self._last_round_id, self.room.name
                )
            except LeaderboardError:
                continue
            for score in new:
                self._last_round_id = max(self._last_round_id, score.id or 0)
                self.rounds += 1
                self.event(
                    "finish",
                    f"{score.player} {score.player_score:,} vs {score.model_score:,} "
                    f"({score.outcome})",
                )

    async def _watch_idle(self) -> None:
        idle_s = self.room.idle_minutes * 60
        while True:
            await asyncio.sleep(min(5.0, max(0.2, idle_s / 10)))
            now = time.monotonic()
            for seat in list(self.seats):
                if seat.service is not None and now - seat.last_input > idle_s:
                    seat.last_input = now  # once
                    self.event("idle", f"#{seat.number} from {seat.address}")
                    notice = IDLE.format(minutes=f"{self.room.idle_minutes:g}")
                    await self._send_away(seat, CLOSE_IDLE, notice)

    async def on_shutdown(self, app: web.Application) -> None:
        """Close the room: tell every player, end every session, all within a few seconds."""
        self.closing = True
        for task in self._tasks:
            task.cancel()
        seats = list(self.seats)
        await asyncio.gather(*(self._send_away(s, CLOSE_ROOM_CLOSED, ROOM_CLOSED) for s in seats))
        await asyncio.gather(
            self.pool.close(),
            *(end_session(s.service, CLOSING_TIMEOUT_S) for s in seats if s.service),
        )
        self._room_changed(open=False)
        self.console.print(
            f"Room {escape(self.room.name)} closed: {self.rounds} rounds played, "
            f"{len(seats)} players told. Export: seq2add leaderboard --room "
            f"{shlex.quote(self.room.name)} --format csv",
            highlight=False,
        )

    def serve(self, debug: bool = False) -> None:
        """Serve until Ctrl+C or SIGTERM; OSError if the address can't be used."""
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, self.request_exit)
        try:
            web.run_app(
                self._make_app(),
                host=self.host,
                port=self.port,
                handle_signals=False,
                loop=loop,
                print=lambda *args: None,
                access_log=logging.getLogger("aiohttp.access") if self.room.verbose else None,
                shutdown_timeout=1.0,
            )
        finally:
            loop.close()


def serve(command: str, host: str, port: int, room: Room) -> None:
    """Serve until Ctrl+C or SIGTERM; OSError if the address can't be used."""
    QuizServer(command, host, port, room).serve()
