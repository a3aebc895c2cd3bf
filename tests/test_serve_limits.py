"""Serve limits (issue 15): processes never above the room's size, even under a rush of
connect-and-leave visitors, and only this server's own host names (or --allowed-host)."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time

from benchmarks.serve_limits import Sampler, fast_connects, free_port, wait_for_page
from seq2add_tui.serve import host_allowed


def test_allowed_hosts_are_served_besides_the_servers_own():
    assert not host_allowed("127.0.0.1", "quiz.example")
    assert host_allowed("127.0.0.1", "quiz.example", ("Quiz.Example",))
    assert not host_allowed("127.0.0.1", "evil.example", ("quiz.example",))


def test_a_rush_of_fast_visitors_never_makes_more_processes_than_seats(tmp_path):
    port = free_port()
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "seq2add_tui", "serve", "--port", str(port)),
            *("--db", str(tmp_path / "room.sqlite3"), "--max-players", "2"),
            *("--per-address", "2", "--warm-sessions", "2"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        asyncio.run(wait_for_page(port))
        time.sleep(2)
        sampler = Sampler(server.pid)
        sampler.start()
        outcomes = asyncio.run(fast_connects(port, 60, 8, seed=15))
        time.sleep(3)
        sampler.stop.set()
        sampler.join()
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=20)
    assert outcomes["opened"] + outcomes["refused"] == 60
    assert sampler.samples > 10
    assert 1 <= sampler.peak <= 2
