"""Quiz sessions started before anyone asks, so a room that opens at once isn't kept waiting.

Each visitor's quiz is a Python process that takes about a second of CPU to start; thirty people
opening the page together on two cores would wait many seconds. A few sessions started ahead of
time (one at a time, so the machine stays responsive) sit on their name form with their screen
kept; a visitor takes one, gets the kept screen at once, and the pool starts the next.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

KEPT_LIMIT_BYTES = 2_000_000
"""A waiting session whose screen output grew past this is replaced, not handed out."""
READY_TIMEOUT_S = 30.0
"""How long a new warm session may take to draw its first screen."""
QUIET_S = 0.3
"""A warm session is ready once its screen has been still this long."""
FIRST_FRAME_BYTES = 2_000
"""More output than the driver's start-up sequences: a drawn screen."""
FILL_AT_ONCE = 2
"""Warm sessions started at the same time."""


class WarmSession(AppService):
    """A quiz process started ahead of its visitor; it keeps its screen until `attach`."""

    def __init__(self, command: str, download_manager: DownloadManager) -> None:
        super().__init__(
            command,
            write_bytes=self._keep,
            write_str=self._ignore,
            close=self._ended,
            download_manager=download_manager,
        )
        self._kept = bytearray()
        self._last_output = 0.0
        self.ended = False
        """The process said it was leaving before anyone took it."""

    async def _keep(self, data: bytes) -> None:
        self._kept += data
        self._last_output = asyncio.get_running_loop().time()

    async def _ignore(self, text: str) -> None:
        return None

    async def _ended(self) -> None:
        self.ended = True

    @property
    def usable(self) -> bool:
        process = self._process
        return (
            not self.ended
            and process is not None
            and process.returncode is None
            and len(self._kept) <= KEPT_LIMIT_BYTES
        )

    async def wait_ready(self) -> bool:
        """Wait until the first screen is drawn and still; False if it never is.

        Textual's web driver draws its first frame once it is told the terminal's size, which a
        browser does on connecting; a warm session is told 80×24 (the visitor's own size
        follows when they arrive).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + READY_TIMEOUT_S
        sized = False
        while loop.time() < deadline and self.usable:
            if not sized and self._kept:  # the driver has started
                sized = await self.set_terminal_size_ok(80, 24)
            if len(self._kept) > FIRST_FRAME_BYTES and loop.time() - self._last_output > QUIET_S:
                return True
            await asyncio.sleep(0.1)
        return False

    async def set_terminal_size_ok(self, width: int, height: int) -> bool:
        return await self.send_meta({"type": "resize", "width": width, "height": height})

    async def attach(self, websocket: web.WebSocketResponse, width: int, height: int) -> None:
        """Hand the session to a visitor: the kept screen first, then everything live."""
        kept, self._kept = bytes(self._kept), bytearray()
        # Swapped before any await, so nothing the session writes next can overtake the kept
        # screen on its way to the browser.
        self.remote_write_bytes = websocket.send_bytes
        self.remote_write_str = websocket.send_str
        self.remote_close = websocket.close
        if kept:
            await websocket.send_bytes(kept)
        if self.ended:
            await websocket.close()
        await self.set_terminal_size(width, height)


async def end_session(service: AppService, timeout_s: float) -> None:
    """Ask a session's process to quit; kill it if it hasn't within ``timeout_s``, and wait
    for it (at most ``timeout_s`` again) so its seat is free only once it is gone."""
    process = service._process
    with contextlib.suppress(TimeoutError, ConnectionError, RuntimeError):
        await asyncio.wait_for(service.stop(), timeout_s)
    if process is not None and process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
    if process is not None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), timeout_s)


class SessionPool:
    """Up to ``size`` warm sessions, never more than the room has free seats for."""

    def __init__(
        self,
        command: str,
        download_manager: DownloadManager,
        size: int,
        free_seats: Callable[[], int],
    ) -> None:
        self.command = command
        self.download_manager = download_manager
        self.size = size
        """Sessions kept warm: what the organiser expects to arrive at once."""
        self.free_seats = free_seats
        self._warm: deque[WarmSession] = deque()
        self._filling: asyncio.Task[None] | None = None
        self._starting: set[WarmSession] = set()
        self._closed = False

    @property
    def warm(self) -> int:
        return len(self._warm)

    async def take(self, websocket: web.WebSocketResponse, width: int, height: int) -> AppService:
        """A session for a visitor whose websocket is open: a warm one if any, else a new one.

        The visitor's seat is already counted, and a warm session being started was started for
        a free seat: if there is one, it is this visitor's. Starting another process beside it
        could make more processes than the room has seats.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + READY_TIMEOUT_S
        while True:
            while self._warm:
                session = self._warm.popleft()
                if session.usable:
                    try:
                        await session.attach(websocket, width, height)
                    except BaseException:  # the visitor left already: no one else may get it
                        await end_session(session, 1.0)
                        raise
                    self.refill()
                    return session
                await end_session(session, 1.0)
            if not self._starting or self._closed or loop.time() > deadline:
                break
            await asyncio.sleep(0.05)
        service = AppService(
            self.command,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
        )
        try:
            await service.start(width, height)
        except BaseException:
            await end_session(service, 1.0)
            raise
        self.refill()
        return service

    def refill(self) -> None:
        """Start warm sessions in the background, one after another, up to the target."""
        if self._closed or self.size == 0:
            return
        if self._filling is None or self._filling.done():
            self._filling = asyncio.create_task(self._fill())

    async def _fill(self) -> None:
        # Two at a time (the cores a small server has); a visitor taking a seat lowers
        # free_seats, so a full room keeps no spares.
        while not self._closed and (missing := self._missing()) > 0:
            await asyncio.gather(*(self._start_one() for _ in range(min(FILL_AT_ONCE, missing))))

    def _missing(self) -> int:
        return min(self.size, self.free_seats()) - len(self._warm) - len(self._starting)

    async def _start_one(self) -> None:
        session = WarmSession(self.command, self.download_manager)
        self._starting.add(session)
        try:
            await session.start(80, 24)
            ready = await session.wait_ready()
        finally:
            self._starting.discard(session)
        if ready and not self._closed:
            self._warm.append(session)
            return
        await end_session(session, 1.0)
        if not self._closed:
            await asyncio.sleep(5.0)  # a session that fails to start: don't spin

    async def close(self) -> None:
        """Stop filling and end every warm session."""
        self._closed = True
        starting = list(self._starting)  # cancelling the fill forgets them
        if self._filling is not None:
            self._filling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._filling
        warm, self._warm = [*self._warm, *starting], deque()
        await asyncio.gather(*(end_session(s, 1.0) for s in warm))
