"""Resident memory of one browser's quiz session under ``seq2add serve``, next to bare Python.

Starts ``seq2add serve`` on a free localhost port, joins as a browser would, answers a question,
then reads VmRSS of the visitor's quiz process (and checks no TensorFlow library is mapped in
it). Baselines measured in the same run: ``python -c 'import textual'`` and a bare Textual app.

    .venv/bin/python benchmarks/quiz_memory.py

The last line printed is JSON with quiz_rss_mb, baseline_rss_mb, textual_app_rss_mb,
server_rss_mb and tensorflow_mapped. Target: quiz_rss_mb ≤ 150.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from quiz_session import BrowserSession, Server, quiz_processes, rss_mb

TARGET_MB = 150

BARE_TEXTUAL_APP = """
import sys
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("hello")
    def on_mount(self):
        self.set_timer(0.5, self._report)
    def _report(self):
        status = open('/proc/self/status').read().split('VmRSS:')[1].split()[0]
        self.exit(int(status))
print(Bare().run(headless=True))
"""


def bare_import_rss_mb() -> float:
    code = "import textual\nprint(open('/proc/self/status').read().split('VmRSS:')[1].split()[0])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def bare_app_rss_mb() -> float:
    out = subprocess.run(
        [sys.executable, "-c", BARE_TEXTUAL_APP], capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def maps_tensorflow(pid: int) -> bool:
    maps = Path(f"/proc/{pid}/maps").read_text()
    return "tensorflow" in maps or "keras" in maps


async def measure(server: Server) -> dict[str, float | bool]:
    await server.wait_ready()
    async with aiohttp.ClientSession() as http:
        session = BrowserSession(http, server.port, "memory")
        await session.join()
        await session.answer("12")
        await asyncio.sleep(1.0)  # let the reveal settle
        [pid] = quiz_processes(server.process.pid)  # no warm sessions: only the player's
        result = {
            "quiz_rss_mb": round(rss_mb(pid), 1),
            "server_rss_mb": round(rss_mb(server.process.pid), 1),
            "tensorflow_mapped": maps_tensorflow(pid),
        }
        await session.next_question()
        await session.close()
        return result


def main() -> None:
    baseline = bare_import_rss_mb()
    bare_app = bare_app_rss_mb()
    with tempfile.TemporaryDirectory() as folder:
        server = Server(Path(folder) / "bench.sqlite3", extra=("--warm-sessions", "0"))
        try:
            figures = asyncio.run(measure(server))
        finally:
            server.stop()
    figures = {
        **figures,
        "baseline_rss_mb": round(baseline, 1),
        "textual_app_rss_mb": round(bare_app, 1),
    }
    print(f"python -c 'import textual'        {figures['baseline_rss_mb']:7.1f} MB")
    print(f"a bare Textual app, headless       {figures['textual_app_rss_mb']:7.1f} MB")
    print(f"one browser's quiz session         {figures['quiz_rss_mb']:7.1f} MB")
    print(f"the seq2add serve process itself   {figures['server_rss_mb']:7.1f} MB")
    print(f"TensorFlow mapped in the session:  {figures['tensorflow_mapped']}")
    verdict = "meets" if figures["quiz_rss_mb"] <= TARGET_MB else "MISSES"
    print(f"{verdict} the target of ≤ {TARGET_MB} MB per session")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
