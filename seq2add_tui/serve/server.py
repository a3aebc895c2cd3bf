"""The room's server: textual-serve's, with seats, checks and the room's life around it.

It ties the pieces together: every request passes the Host check, a websocket passes the Origin
check and gets a seat (or a refusal), a warm session and the relay; meanwhile it watches the
leaderboard file for finished rounds, ends idle sessions, keeps the file told how the room
stands (for `seq2add board`), and at Ctrl+C tells everyone and ends every session.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import time
from typing import Any

from aiohttp import web
from textual_serve.server import Server

from core.leaderboard import Leaderboard, LeaderboardError, Score
from seq2add_tui.remote_play import ROOM_CLOSED, terminal_size
from seq2add_tui.serve.addresses import browse_url
from seq2add_tui.serve.browser_link import relay, send_away, turn_away
from seq2add_tui.serve.pages import TITLE, Pages
from seq2add_tui.serve.request_checks import host_allowed, host_and_port, origin_problem
from seq2add_tui.serve.room import Room
from seq2add_tui.serve.room_console import RoomConsole
from seq2add_tui.serve.seats import CLOSE_IDLE, CLOSE_ROOM_CLOSED, IDLE, Seat, Seats
from seq2add_tui.serve.session_pool import SessionPool, end_session

LEAVE_TIMEOUT_S = 5.0
"""How long a leaving session may take to end before it is killed."""
CLOSING_TIMEOUT_S = 0.8
"""The same at Ctrl+C, where the whole room must be gone within 3 s."""
ROUNDS_POLL_S = 1.0
"""How often the server looks for rounds saved by its sessions (for the console and board)."""
ROOM_HEARTBEAT_S = 10.0


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
        self.seats = Seats(room.max_players, room.per_address)
        self.rounds = 0
        """Rounds counted in the room so far."""
        self.url = browse_url(host, port)
        """Where players join."""
        self.console = RoomConsole(room, self.status_line)
        self.pages = Pages(self.title, room, self.url, self.seats)
        self._last_round_id = 0
        self._tasks: list[asyncio.Task[None]] = []
        self._board = Leaderboard(room.db_path)
        self.pool = SessionPool(
            command, self.download_manager, room.warm_sessions, lambda: self.seats.free
        )

    def status_line(self) -> str:
        return (
            f"{self.seats.players} playing · {self.rounds} rounds · {self.seats.free} seats free"
            f" · {self.pool.warm} warm"
        )

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
                web.get("/", self.pages.index, name="index"),
                web.get("/ws", self.handle_websocket, name="websocket"),
                web.get("/board", self.pages.board, name="board"),
                web.get("/board.json", self.pages.board_json, name="board_json"),
                web.get("/favicon.svg", self.pages.favicon),
                web.get("/favicon.ico", self.pages.favicon),
                web.static("/static", self.statics_path, name="static"),
            ]
        )
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    @web.middleware
    async def _only_our_host(self, request: web.Request, handler: Any) -> web.StreamResponse:
        found = host_and_port(request.host, self.port)
        if found is None or not host_allowed(self.host, found[0], self.room.allowed_hosts):
            self.console.note(f"refused a request for host {request.host!r} from {request.remote}")
            return web.Response(status=421, text="This server doesn't serve that host name.\n")
        return await handler(request)

    # -- sessions -----------------------------------------------------------------------------

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        note = self.console.note
        websocket = web.WebSocketResponse(heartbeat=15)
        if not websocket.can_prepare(request).ok:
            note(f"refused a malformed websocket request from {request.remote}")
            return web.Response(status=400, text="This address takes the quiz page's websocket.\n")
        problem = origin_problem(request.headers.get("Origin"), request.host, self.port)
        if problem is not None:
            note(f"refused a websocket from {request.remote}: {problem}")
            return web.Response(status=403, text="Open the quiz from this server's own page.\n")
        address = request.remote or "?"
        refusal = self.seats.refusal(address)
        if refusal is not None:
            code, notice = refusal
            turned_away = await turn_away(request, code, notice)
            note(f"turned away {request.remote}: {notice}")
            return turned_away

        seat = self.seats.take(address, websocket)
        width, height = terminal_size(request.query.get("width"), request.query.get("height"))
        try:
            await websocket.prepare(request)
            seat.service = await self.pool.take(websocket, width, height)
            seat.last_input = time.monotonic()  # idle time counts from a running session
            # The page was just opened, so it is in front: Textual's web driver starts "blurred"
            # (no widget focused, keys dropped) until told otherwise, and a browser's own focus
            # message can go out before its websocket is open.
            await seat.service.focus()
            self.console.event("join", f"#{seat.number} from {address}")
            self._room_changed()
            await relay(seat, note)
        except (asyncio.CancelledError, ConnectionError):
            pass
        finally:
            if seat.service is not None:
                # The seat is free only once its process has ended.
                timeout = CLOSING_TIMEOUT_S if self.seats.closing else LEAVE_TIMEOUT_S
                await end_session(seat.service, timeout)
            self.seats.leave(seat)
            if seat.service is not None and not self.seats.closing:
                self.console.event("leave", f"#{seat.number} from {address}")
                self._room_changed()
                self.pool.refill()
        return websocket

    # -- the room's life ----------------------------------------------------------------------

    async def on_startup(self, app: web.Application) -> None:
        try:
            self._last_round_id = self._board.last_id(self.room.name)
            self.rounds = self._board.count(self.room.name)
        except LeaderboardError as error:
            self.console.note(str(error))
        self.console.welcome(self.url, self.host)
        self._room_changed()
        self.pool.refill()
        self._tasks = [
            asyncio.create_task(self._watch_rounds()),
            asyncio.create_task(self._watch_idle()),
            asyncio.create_task(self._heartbeat()),
        ]

    def _room_changed(self, *, open: bool = True) -> None:
        """Tell the leaderboard file (and so `seq2add board`) how the room stands."""
        try:
            self._board.update_room(
                self.room.name,
                url=self.url,
                players=self.seats.players,
                settings=f"{self.room.opponent} · {self.room.round}",
                open=open,
            )
        except LeaderboardError as error:
            self.console.note(str(error))

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
                self.console.event(
                    "finish",
                    f"{score.player} {score.player_score:,} vs {score.model_score:,} "
                    f"({score.outcome})",
                )

    async def _watch_idle(self) -> None:
        idle_s = self.room.idle_minutes * 60
        while True:
            await asyncio.sleep(min(5.0, max(0.2, idle_s / 10)))
            now = time.monotonic()
            for seat in list(self.seats.taken):
                if seat.service is not None and now - seat.last_input > idle_s:
                    seat.last_input = now  # once
                    self.console.event("idle", f"#{seat.number} from {seat.address}")
                    notice = IDLE.format(minutes=f"{self.room.idle_minutes:g}")
                    await send_away(seat, CLOSE_IDLE, notice)

    async def on_shutdown(self, app: web.Application) -> None:
        """Close the room: tell every player, end every session, all within a few seconds."""
        self.seats.closing = True
        for task in self._tasks:
            task.cancel()
        seats: list[Seat] = list(self.seats.taken)
        await asyncio.gather(*(send_away(s, CLOSE_ROOM_CLOSED, ROOM_CLOSED) for s in seats))
        await asyncio.gather(
            self.pool.close(),
            *(end_session(s.service, CLOSING_TIMEOUT_S) for s in seats if s.service),
        )
        self._room_changed(open=False)
        self.console.closed(self.rounds, len(seats))

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
