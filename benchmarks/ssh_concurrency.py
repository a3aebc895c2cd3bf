"""How many players ``seq2add ssh`` serves at once with every answer revealed in < 50 ms.

Starts ``seq2add ssh`` on a free localhost port and adds players in steps, each an asyncssh
connection with an 80×24 terminal (its own quiz process in a PTY on the server), as
``ssh -p PORT NAME@127.0.0.1`` would be. At every step all players play for a while: think for
1–3 s, type an answer, press Enter, and time how long until the reveal arrives over SSH; then
Enter again for the next question. The figure is the largest number of players whose
95th-percentile reveal time stays under 50 ms. The baseline, in the same run and first, is one
player in a browser session under ``seq2add serve`` (benchmarks/serve_concurrency.py's player):
the same quiz over a websocket instead of SSH and a PTY, so a busy machine slows both alike.
Memory per session is the resident memory of the quiz processes divided by their number.

    .venv/bin/python benchmarks/ssh_concurrency.py [--max-players 32] [--window 12]

Bounded: at most --max-players sessions and --budget seconds; loopback only. The last line printed
is JSON with max_players_p95_under_50ms, p95_ms_at_max, one_player_p95_ms,
serve_baseline_p95_ms, rss_mb_per_session, server_rss_mb and the p50/p95/max per step.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncssh

sys.path.insert(0, str(Path(__file__).resolve().parent))

import aiohttp
from quiz_session import (
    ROOT,
    BrowserSession,
    ScreenBuffer,
    Server,
    cpu_seconds,
    free_port,
    percentile,
    quiz_processes,
    rss_mb,
    stop_server,
)

LIMIT_MS = 50.0
STEPS = (1, 4, 8, 12, 16, 20, 24, 32, 40, 48)
LOBBY = "Start round"
QUESTION = "has answered"
REVEAL = "the true answer"


class SSHServer:
    """``seq2add ssh`` in a child process on a free localhost port."""

    def __init__(self, folder: Path, max_players: int) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "seq2add_tui",
                "ssh",
                "--port",
                str(self.port),
                "--host-key",
                str(folder / "host_key"),
                "--db",
                str(folder / "bench.sqlite3"),
                "--questions",
                "100",
                "--seconds",
                "600",
                "--max-players",
                str(max_players),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )

    def wait_ready(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("Serving"):
                return
        raise RuntimeError("seq2add ssh did not start")

    def stop(self) -> None:
        stop_server(self.process)


class Player(ScreenBuffer):
    """One SSH connection with a terminal, and the screen bytes that come back."""

    wait_s = 90.0

    def __init__(self, port: int, name: str) -> None:
        super().__init__(name)
        self.port = port
        self.connection: asyncssh.SSHClientConnection | None = None
        self.process: asyncssh.SSHClientProcess | None = None
        self._reader: asyncio.Task[None] | None = None

    async def _read(self) -> None:
        assert self.process is not None
        while chunk := await self.process.stdout.read(65536):
            self.received(chunk)

    async def type(self, keys: str) -> None:
        assert self.process is not None
        self.process.stdin.write(keys)

    async def join(self) -> None:
        """Connect as ``name`` (the login name fills the lobby's name) and start a round."""
        self.connection = await asyncssh.connect(
            "127.0.0.1", self.port, username=self.name, known_hosts=None, client_keys=None
        )
        self.process = await self.connection.create_process(
            term_type="xterm-256color", term_size=(80, 24)
        )
        self._reader = asyncio.get_running_loop().create_task(self._read())
        await self.wait_for(LOBBY)
        await asyncio.sleep(0.3)
        self.buffer = ""
        await self.type("\r")
        await self.wait_for(QUESTION)

    async def answer(self, digits: str) -> float:
        """Type an answer and press Enter; seconds until the reveal arrives."""
        await self.type(digits)
        await asyncio.sleep(0.05)
        self.buffer = ""
        sent = time.perf_counter()
        await self.type("\r")
        await self.wait_for(REVEAL)
        return time.perf_counter() - sent

    async def next_question(self) -> None:
        self.buffer = ""
        await self.type("\r")
        await self.wait_for(QUESTION)

    def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        if self.connection is not None:
            self.connection.close()


async def serve_baseline(folder: Path, window_s: float) -> float | None:
    """One browser player's p95 reveal under ``seq2add serve``, now, on this machine."""
    server = Server(folder / "serve.sqlite3", extra=("--questions", "100"))
    try:
        await server.wait_ready()
        async with aiohttp.ClientSession() as http:
            session = BrowserSession(http, server.port, "baseline")
            await session.join()
            times = await play(session, time.monotonic() + window_s, random.Random(0))
            await session.close()
    finally:
        server.stop()
    return round(percentile(times, 0.95), 1) if times else None


async def play(player, until: float, rng: random.Random) -> list[float]:
    times: list[float] = []
    while True:
        think = rng.uniform(1.0, 3.0)
        if time.monotonic() + think > until:
            return times
        await asyncio.sleep(think)
        times.append(1000 * await player.answer(str(rng.randint(2, 30))))
        await asyncio.sleep(rng.uniform(0.3, 1.0))
        await player.next_question()


async def run(max_players: int, window_s: float, budget_s: float, settle_s: float) -> dict:
    started = time.monotonic()
    steps: list[dict] = []
    best = 0
    best_p95 = None
    with tempfile.TemporaryDirectory() as folder:
        baseline = await serve_baseline(Path(folder), window_s)
        print(f"baseline: one browser player under seq2add serve, p95 {baseline} ms", flush=True)
        server = SSHServer(Path(folder), max_players)
        try:
            await asyncio.to_thread(server.wait_ready)
            players: list[Player] = []
            for count in (n for n in STEPS if n <= max_players):
                if time.monotonic() - started > budget_s:
                    print(f"stopping: the {budget_s:.0f} s budget is spent")
                    break
                names = [f"player{n}" for n in range(len(players), count)]
                joining = [Player(server.port, name) for name in names]
                for start in range(0, len(joining), 4):  # a few at a time, as a room arrives
                    await asyncio.gather(*(p.join() for p in joining[start : start + 4]))
                players += joining
                await asyncio.sleep(settle_s)
                quiz_pids = quiz_processes(server.process.pid)
                pids = [server.process.pid, *quiz_pids]
                cpu_before = sum(cpu_seconds(p) for p in pids)
                began = time.monotonic()
                until = began + max(window_s, 3.0 * 20 / count)
                results = await asyncio.gather(
                    *(play(p, until, random.Random(i)) for i, p in enumerate(players))
                )
                played_s = time.monotonic() - began
                cpu_used = sum(cpu_seconds(p) for p in pids) - cpu_before
                times = [t for player in results for t in player]
                sessions_mb = sum(rss_mb(p) for p in quiz_pids)
                step = {
                    "players": count,
                    "answers": len(times),
                    "p50_ms": round(statistics.median(times), 1),
                    "p95_ms": round(percentile(times, 0.95), 1),
                    "max_ms": round(max(times), 1),
                    "sessions": len(quiz_pids),
                    "rss_mb_per_session": round(sessions_mb / max(len(quiz_pids), 1), 1),
                    "server_rss_mb": round(rss_mb(server.process.pid), 1),
                    "cpu_ms_per_answer": round(1000 * cpu_used / max(len(times), 1), 1),
                    "cpu_share": round(cpu_used / played_s / (os.cpu_count() or 1), 2),
                    "load_1min": round(os.getloadavg()[0], 2),
                }
                steps.append(step)
                print(
                    f"{count:3d} players  {step['answers']:4d} answers  "
                    f"p50 {step['p50_ms']:6.1f} ms  p95 {step['p95_ms']:6.1f} ms  "
                    f"max {step['max_ms']:6.1f} ms  {step['rss_mb_per_session']:.0f} MB/session  "
                    f"{step['cpu_ms_per_answer']:5.1f} CPU ms/answer  load {step['load_1min']}",
                    flush=True,
                )
                if step["p95_ms"] < LIMIT_MS:
                    best, best_p95 = count, step["p95_ms"]
                # Past 4× the target (or 4× the browser baseline, on a machine too busy to meet
                # the target at all) more players only measure the queue.
                if len(steps) > 1 and step["p95_ms"] > 4 * max(LIMIT_MS, baseline or 0.0):
                    break
            for player in players:
                player.close()
        finally:
            server.stop()
    return {
        "max_players_p95_under_50ms": best,
        "p95_ms_at_max": best_p95,
        "one_player_p95_ms": steps[0]["p95_ms"] if steps else None,
        "serve_baseline_p95_ms": baseline,
        "rss_mb_per_session": steps[-1]["rss_mb_per_session"] if steps else None,
        "server_rss_mb": steps[-1]["server_rss_mb"] if steps else None,
        "cpus": os.cpu_count(),
        "steps": steps,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-players", type=int, default=32)
    parser.add_argument("--window", type=float, default=12.0, help="seconds of play per step")
    parser.add_argument("--budget", type=float, default=420.0, help="seconds for the whole run")
    parser.add_argument("--settle", type=float, default=4.0, help="seconds after joins before play")
    args = parser.parse_args()
    figures = asyncio.run(run(min(args.max_players, 48), args.window, args.budget, args.settle))
    print(
        f"{figures['max_players_p95_under_50ms']} SSH players with p95 reveal under "
        f"{LIMIT_MS:.0f} ms (one player alone: p95 {figures['one_player_p95_ms']} ms; in a "
        f"browser under serve, same run: {figures['serve_baseline_p95_ms']} ms); "
        f"{figures['rss_mb_per_session']} MB per session"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
