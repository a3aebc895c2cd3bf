"""Serve limits under abuse (issue 15): live quiz processes never above ``--max-players`` during
fast connect/disconnect, and a 10000×10000 terminal request clamped, with its memory.

Starts ``seq2add serve`` on a free localhost port, samples the server's quiz child processes
every 10 ms while ``--connects`` websockets open and close at once, then opens one session at
80×24 (the baseline) and one asking for 10000×10000, and reads each quiz process's peak RSS.

    nice -n 10 python benchmarks/serve_limits.py --connects 400 --max-players 4

Prints one JSON line last: peak_live_quiz_processes, max_players, huge_request_peak_rss_mb,
baseline_peak_rss_mb, huge_request_clamped_to.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import aiohttp

from seq2add_tui.remote_play import TERMINAL_COLUMNS, TERMINAL_ROWS


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def quiz_children(server_pid: int) -> dict[int, int]:
    """{pid: VmHWM kB} of the server's quiz processes (``sh -c exec`` makes them children)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            if int(fields[1]) != server_pid:
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                if b"quiz" not in cmdline.read():
                    continue
            if fields[0] == "Z":
                continue  # exited, waiting to be reaped: no longer a live process
            with open(f"/proc/{entry}/status") as status:
                hwm = next((line.split()[1] for line in status if line.startswith("VmHWM")), "0")
            found[int(entry)] = int(hwm)
        except (OSError, IndexError, ValueError):
            continue
    return found


class Sampler(threading.Thread):
    """Counts the live quiz processes every 10 ms; keeps the most seen."""

    def __init__(self, server_pid: int) -> None:
        super().__init__(daemon=True)
        self.server_pid = server_pid
        self.peak = 0
        self.samples = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, len(quiz_children(self.server_pid)))
            self.samples += 1
            time.sleep(0.01)


async def fast_connects(port: int, count: int, concurrency: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    url = f"ws://127.0.0.1:{port}/ws?width=80&height=24"
    origin = {"Origin": f"http://127.0.0.1:{port}"}
    outcomes = {"opened": 0, "refused": 0}
    gate = asyncio.Semaphore(concurrency)

    async def visit(session: aiohttp.ClientSession) -> None:
        async with gate:
            try:
                async with session.ws_connect(url, headers=origin) as websocket:
                    outcomes["opened"] += 1
                    await asyncio.sleep(rng.uniform(0, 0.05))
                    await websocket.close()
            except (TimeoutError, aiohttp.ClientError):
                outcomes["refused"] += 1

    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(visit(session) for _ in range(count)))
    return outcomes


async def session_peak(port: int, server_pid: int, width: int, height: int, hold_s: float) -> float:
    """Open one session at ``width``×``height`` and return its quiz process's peak RSS (MB)."""
    url = f"ws://127.0.0.1:{port}/ws?width={width}&height={height}"
    origin = {"Origin": f"http://127.0.0.1:{port}"}
    peak_kb = 0
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(url, headers=origin) as websocket,
    ):
        await websocket.send_str(json.dumps(["resize", {"width": width, "height": height}]))
        deadline = time.monotonic() + hold_s
        while time.monotonic() < deadline:
            with contextlib.suppress(TimeoutError):
                await websocket.receive(timeout=0.2)
            # The visitor's session may be a warm one taken from the pool, so the peak is
            # the largest of all the server's quiz processes (an upper bound on the visitor's).
            peak_kb = max([peak_kb, *quiz_children(server_pid).values()])
        await websocket.close()
    return peak_kb / 1024


async def wait_for_page(port: int, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(f"http://127.0.0.1:{port}/") as response:
                    if response.status in (200, 503):
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit("the server never answered")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connects", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--max-players", type=int, default=4)
    parser.add_argument("--hold-s", type=float, default=8.0)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as folder, open(Path(folder) / "serve.log", "w") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "seq2add_tui",
                "serve",
                "--port",
                str(port),
                "--db",
                str(Path(folder) / "room.sqlite3"),
                "--max-players",
                str(args.max_players),
                "--per-address",
                str(args.max_players),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            asyncio.run(wait_for_page(port))
            time.sleep(3)  # let the warm pool fill
            sampler = Sampler(server.pid)
            sampler.start()
            started = time.perf_counter()
            outcomes = asyncio.run(fast_connects(port, args.connects, args.concurrency, args.seed))
            connect_s = time.perf_counter() - started
            time.sleep(6)  # sessions still ending are still counted
            sampler.stop.set()
            sampler.join()
            baseline_mb = asyncio.run(session_peak(port, server.pid, 80, 24, args.hold_s))
            huge_mb = asyncio.run(session_peak(port, server.pid, 10_000, 10_000, args.hold_s))
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
    print(
        f"{args.connects} connects in {connect_s:.1f} s: {outcomes['opened']} opened, "
        f"{outcomes['refused']} refused; at most {sampler.peak} live quiz processes "
        f"({sampler.samples} samples) with --max-players {args.max_players}"
    )
    print(f"session peak RSS: 80×24 {baseline_mb:.0f} MB, 10000×10000 {huge_mb:.0f} MB")
    print(
        json.dumps(
            {
                "connects": args.connects,
                "max_players": args.max_players,
                "peak_live_quiz_processes": sampler.peak,
                "opened": outcomes["opened"],
                "refused": outcomes["refused"],
                "huge_request_clamped_to": f"{TERMINAL_COLUMNS[1]}x{TERMINAL_ROWS[1]}",
                "huge_request_peak_rss_mb": round(huge_mb, 1),
                "baseline_peak_rss_mb": round(baseline_mb, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
