"""Helpers for the serve benchmarks: run ``seq2add serve`` on localhost and play it as a browser.

A `BrowserSession` speaks textual-serve's websocket protocol exactly as its page does (JSON
``["stdin", text]`` in, terminal bytes out), so what is measured is what a player in a browser
waits for. Only loopback traffic.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]

LOBBY = "Beat the model"
"""Text of the name form every visitor starts on."""
QUESTION = "has answered"
"""Text of a question screen."""
REVEAL = "the true answer"
"""Text of the reveal that follows an answer."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(values: list[float], fraction: float) -> float:
    """The value ``fraction`` of the way through ``values`` sorted (nearest rank): 0.95 is p95."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc/PID/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used, from /proc/PID/stat."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def set_autogroup_nice(pid: int, nice: int) -> bool:
    """Give ``pid``'s scheduling group (its session, with autogroup) another niceness.

    With Linux autogroup, CPU time is shared between sessions first, so a plain ``nice`` can't
    lift a server above a training job started from another terminal. Needs root to go below 0.
    """
    try:
        Path(f"/proc/{pid}/autogroup").write_text(str(nice))
    except OSError:
        return False
    return True


def children(pid: int) -> list[int]:
    """Every descendant of ``pid``."""
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid:
            child = int(entry.name)
            found += [child, *children(child)]
    return found


def quiz_processes(server_pid: int) -> list[int]:
    """The Python processes running a visitor's quiz under the server."""
    result = []
    for pid in children(server_pid):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"quiz" in command and any(b"python" in part for part in command[:1]):
            result.append(pid)
    return result


def stop_server(process: subprocess.Popen, timeout_s: float = 30) -> None:
    """Ctrl+C a server as an organiser would, then kill its process group if it lingers."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class Server:
    """``seq2add serve`` in a child process on a free localhost port."""

    def __init__(self, db_path: Path, seconds: float = 600, extra: tuple[str, ...] = ()) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "seq2add_tui",
                "serve",
                "--port",
                str(self.port),
                "--db",
                str(db_path),
                "--seconds",
                f"{seconds:g}",
                *extra,
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    async def wait_ready(self, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                try:
                    async with session.get(self.url) as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)
        raise RuntimeError("seq2add serve did not start")

    def stop(self) -> None:
        stop_server(self.process)


class ScreenBuffer:
    """What a remote player's terminal received, and a wait for a text to appear in it."""

    wait_s = 60.0
    """How long `wait_for` waits by default."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.buffer = ""
        self._arrived = asyncio.Event()

    def received(self, text: str) -> None:
        self.buffer += text
        self._arrived.set()

    async def wait_for(self, text: str, timeout_s: float | None = None) -> None:
        """Until ``text`` appears in what arrived since the last `clear`."""
        deadline = time.monotonic() + (self.wait_s if timeout_s is None else timeout_s)
        while text not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{self.name}: {text!r} did not appear")
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                continue

    def clear(self) -> None:
        self.buffer = ""


class BrowserSession(ScreenBuffer):
    """One visitor: a websocket to the server and the screen bytes that come back."""

    def __init__(self, http: aiohttp.ClientSession, port: int, name: str) -> None:
        super().__init__(name)
        self.http = http
        self.port = port
        self.websocket: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None

    async def open(self, width: int = 80, height: int = 24) -> None:
        self.websocket = await self.http.ws_connect(
            f"ws://127.0.0.1:{self.port}/ws?width={width}&height={height}", max_msg_size=0
        )
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.websocket is not None
        async for message in self.websocket:
            if message.type == aiohttp.WSMsgType.BINARY:
                self.received(message.data.decode("utf-8", "replace"))

    async def type(self, text: str) -> None:
        assert self.websocket is not None
        await self.websocket.send_json(["stdin", text])

    async def join(self) -> None:
        """Open the page, type a name and start a round."""
        await self.open()
        await self.wait_for(LOBBY)
        await asyncio.sleep(0.3)
        self.clear()
        await self.type(self.name)
        await asyncio.sleep(0.1)
        await self.type("\r")
        await self.wait_for(QUESTION)

    async def answer(self, digits: str) -> float:
        """Type an answer and press Enter; seconds until the reveal arrives."""
        for digit in digits:
            await self.type(digit)
        await asyncio.sleep(0.05)
        self.clear()
        sent = time.perf_counter()
        await self.type("\r")
        await self.wait_for(REVEAL)
        return time.perf_counter() - sent

    async def next_question(self) -> None:
        self.clear()
        await self.type("\r")
        await self.wait_for(QUESTION)

    async def close(self) -> None:
        if self.websocket is not None:
            await self.websocket.close()
        if self._reader is not None:
            self._reader.cancel()
