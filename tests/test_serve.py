"""``seq2add serve``: the quiz over HTTP on a free localhost port, started and stopped for real."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from benchmarks.quiz_session import free_port, stop_server
from core.leaderboard import Leaderboard
from seq2add_tui import glyphs, qr
from seq2add_tui.cli import main
from seq2add_tui.qr import NO_QR_NOTE
from seq2add_tui.quiz_app import EXIT_GRACE_S
from seq2add_tui.serve import browse_url, quiz_command
from seq2add_tui.serve.room import Room
from seq2add_tui.serve.room_console import RoomConsole


def listening_addresses(port: int) -> set[str]:
    """Local IPv4 addresses with a socket listening on ``port`` (from /proc/net/tcp)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, port_hex = local.split(":")
        if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
            found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


async def fetch(url: str, **headers: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as response:
        return response.status, await response.text()


async def wait_for_page(url: str, server: subprocess.Popen, timeout_s: float = 30) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stdout.read()
        try:
            status, page = await fetch(url)
        except aiohttp.ClientError:
            await asyncio.sleep(0.2)
            continue
        assert status == 200
        return page
    raise AssertionError(f"{url} did not answer within {timeout_s} s")


async def read_until(websocket, needle: str, timeout_s: float = 30) -> str:
    """Screen bytes from the session until ``needle`` shows up."""
    seen = ""
    deadline = time.monotonic() + timeout_s
    while needle not in seen:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"{needle!r} never appeared; last output: {seen[-500:]!r}"
        message = await websocket.receive(timeout=remaining)
        if message.type == aiohttp.WSMsgType.BINARY:
            seen += message.data.decode("utf-8", "replace")
        elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
            raise AssertionError(f"the session closed before {needle!r} appeared")
    return seen


@contextlib.contextmanager
def running_server(tmp_path: Path, *options: str):
    """`seq2add serve` on a free port with a private leaderboard; stopped with Ctrl+C after."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "seq2add_tui",
            "serve",
            "--port",
            str(port),
            "--db",
            str(tmp_path / "room.sqlite3"),
            "--seconds",
            "30",
            *options,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        yield process, port
    finally:
        stop_server(process, timeout_s=15)


@pytest.fixture
def server(tmp_path):
    with running_server(tmp_path) as running:
        yield running


def test_serve_answers_over_http_and_runs_a_quiz_session(server):
    process, port = server
    url = f"http://127.0.0.1:{port}/"

    async def visit() -> None:
        page = await wait_for_page(url, process)
        assert "textual.js" in page and f"ws://127.0.0.1:{port}/ws" in page
        assert "<title>seq2add — beat the model — room-" in page
        # The page's links follow the name the browser used, if it is one of the server's.
        _, local_page = await fetch(url, Host=f"localhost:{port}")
        assert f"ws://localhost:{port}/ws" in local_page
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(f"ws://127.0.0.1:{port}/ws?width=80&height=24") as websocket,
        ):
            await read_until(websocket, "Beat the model")  # the lobby asks for a name
            await websocket.send_json(["stdin", "Ada"])
            await asyncio.sleep(0.3)
            await websocket.send_json(["stdin", "\r"])
            await read_until(websocket, "has answered")  # a question is on screen

    async def seat_freed() -> None:
        # The leave line comes once the session's process has ended and its seat is free;
        # Ctrl+C before that closes the room instead (no leave, by design).
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            _, board = await fetch(f"{url}board.json")
            if json.loads(board)["players"] == 0:
                return
            await asyncio.sleep(0.1)
        raise AssertionError("the seat was not freed after the visitor left")

    asyncio.run(visit())
    asyncio.run(seat_freed())
    assert listening_addresses(port) == {"127.0.0.1"}
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=15)
    assert process.returncode == 0
    assert f"seq2add serve: open {url} (room room-" in output and "notebook-perfect" in output
    # The console: one line per join and leave, each with the room's state.
    # (event lines start with their time, so the welcome's "idle tabs leave after" is no event)
    events = [line.split()[1] for line in output.splitlines() if re.match(r"\d\d:\d\d:\d\d ", line)]
    joins = [line for line in output.splitlines() if re.match(r"\d\d:\d\d:\d\d +join ", line)]
    leaves = [line for line in output.splitlines() if re.match(r"\d\d:\d\d:\d\d +leave ", line)]
    assert len(joins) == 1 and len(leaves) == 1 and "seats free" in joins[0], events
    assert "Traceback" not in output
    # The join screen: the room, the URL, a QR code of it; no request log unless --verbose.
    assert "Room room-" in output and f"Join at {url}" in output and "▄▄▄▄▄" in output
    assert '"GET / HTTP/1.1"' not in output


def test_only_this_servers_own_names_and_pages_reach_it(server):
    """DNS rebinding (a web page's own host name pointed here) and other pages' websockets."""
    process, port = server
    url = f"http://127.0.0.1:{port}/"

    async def visit() -> None:
        await wait_for_page(url, process)
        for host in (f"192.0.2.10:{port}", f"rebind.example:{port}", "bad host"):
            status, _ = await fetch(url, Host=host)
            assert status == 421, host
        async with aiohttp.ClientSession() as session:
            for origin in ("http://evil.example", f"http://127.0.0.1:{port + 1}", "null"):
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    await session.ws_connect(f"ws://127.0.0.1:{port}/ws", origin=origin)
                assert refused.value.status == 403, origin
            # A bare GET (curl) is not a websocket: 400 and one line, no traceback.
            async with session.get(f"{url}ws") as response:
                assert response.status == 400
            # Messages a browser would never send are ignored, and the session goes on.
            async with session.ws_connect(
                f"ws://127.0.0.1:{port}/ws", origin=f"http://127.0.0.1:{port}"
            ) as websocket:
                await read_until(websocket, "Beat the model")
                for junk in ("not json", "[]", '["resize", 7]', '{"a": 1}', '["stdin", 5]'):
                    await websocket.send_str(junk)
                await websocket.send_json(["ping", "still here"])
                while True:
                    message = await websocket.receive(timeout=10)
                    if message.type == aiohttp.WSMsgType.TEXT:
                        assert json.loads(message.data) == ["pong", "still here"]
                        break

    asyncio.run(visit())
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=15)
    assert "Traceback" not in output
    assert output.count("refused a malformed websocket request") == 1
    assert output.count("ignored a malformed message") == 1
    assert output.count("refused a websocket from 127.0.0.1: origin") == 3


def test_the_page_needs_no_other_host_and_has_a_title_and_icon(server):
    process, port = server
    url = f"http://127.0.0.1:{port}/"

    async def visit() -> None:
        page = await wait_for_page(url, process)
        hosts = set(re.findall(r"(?:https?|wss?):(//[^/\"'\s)]+)", page))
        assert hosts == {f"//127.0.0.1:{port}"}, hosts
        assert not re.search(r"(?:src|href)=[\"']//", page)  # no protocol-relative links either
        assert "fonts/RobotoMono-VariableFont_wght.ttf" in page
        for path in ("favicon.ico", "favicon.svg", "static/fonts/RobotoMono-VariableFont_wght.ttf"):
            async with aiohttp.ClientSession() as session, session.get(url + path) as response:
                assert response.status == 200, path
        board = await fetch(url + "board")
        assert board[0] == 200
        assert set(re.findall(r"(?:https?|wss?):(//[^/\"'\s)]+)", board[1])) <= {
            f"//127.0.0.1:{port}",
            "//www.w3.org",  # the inline QR code's SVG namespace, not a request
        }

    asyncio.run(visit())


def test_a_full_room_turns_the_next_visitor_away_until_a_seat_frees(tmp_path):
    async def visit(port: int, process: subprocess.Popen) -> None:
        url = f"http://127.0.0.1:{port}/"
        websocket_url = f"ws://127.0.0.1:{port}/ws?width=80&height=24"
        await wait_for_page(url, process)
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(websocket_url) as first:
                await read_until(first, "Beat the model")
                status, page = await fetch(url)
                assert status == 503 and "The room is full (1 playing" in page
                # The room-full page tries again by itself every 10 s.
                assert '<meta http-equiv="refresh" content="10" />' in page
                async with session.ws_connect(websocket_url) as second:
                    message = await second.receive(timeout=10)
                    assert message.type == aiohttp.WSMsgType.BINARY
                    assert b"The room is full" in message.data
                    closing = await second.receive(timeout=10)
                    assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
                    assert second.close_code == 1013
            # The first player left: the seat is free again.
            deadline = time.monotonic() + 15
            while (await fetch(url))[0] != 200:
                assert time.monotonic() < deadline, "the seat was never given back"
                await asyncio.sleep(0.2)

    with running_server(tmp_path, "--max-players", "1") as (process, port):
        asyncio.run(visit(port, process))


def test_a_tab_closed_while_its_session_starts_leaves_no_process_behind(tmp_path):
    """A browser that resizes and leaves within the session's first second (a headless
    screenshot does) once left a session re-laying out forever at full CPU, holding its seat."""

    async def visit_and_leave(port: int, process: subprocess.Popen) -> set[int]:
        url = f"http://127.0.0.1:{port}/"
        await wait_for_page(url, process)
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(f"ws://127.0.0.1:{port}/ws?width=111&height=34") as websocket,
        ):
            await websocket.send_json(["resize", {"width": 111, "height": 34}])
            await websocket.send_json(["ping", "1"])
            await asyncio.sleep(0.1)
            await websocket.send_json(["resize", {"width": 111, "height": 38}])
            await asyncio.sleep(0.2)
            sessions = _session_pids(process.pid)
        deadline = time.monotonic() + EXIT_GRACE_S + 10
        while (await fetch(url))[0] != 200:  # the room has one seat
            assert time.monotonic() < deadline, "the session never gave its seat back"
            await asyncio.sleep(0.2)
        while _running(sessions):
            assert time.monotonic() < deadline, "the session process is still running"
            await asyncio.sleep(0.2)
        return sessions

    # No warm sessions: the race is in a session's own start-up, which a warm one has done.
    options = ("--max-players", "1", "--warm-sessions", "0")
    with running_server(tmp_path, *options) as (process, port):
        assert asyncio.run(visit_and_leave(port, process)), "the visit started a quiz process"


def test_a_port_in_use_is_one_line(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"can't listen on 127.0.0.1:{port}" in err


def test_an_unknown_model_fails_before_serving(capsys):
    assert main(["serve", "nope", "--port", str(free_port())]) == 2
    assert "No model named 'nope'" in capsys.readouterr().err


def test_each_visit_runs_the_quiz_with_the_rooms_settings(tmp_path):
    folder = tmp_path / "my models" / "notebook-perfect"
    command = quiz_command(
        folder,
        db_path=tmp_path / "room db.sqlite3",
        questions=5,
        seconds=12.5,
        difficulty="ramp",
        seed=7,
        python="/usr/bin/python3",
    )
    argv = shlex.split(command)
    assert argv[:5] == ["exec", "/usr/bin/python3", "-m", "seq2add_tui", "quiz"]
    assert argv[5] == str(folder.resolve()) and "--web-session" in argv
    # The session knows its server by pid, even if it finishes starting after the server died.
    assert argv[argv.index("--server-pid") + 1] == str(os.getpid())
    assert argv[argv.index("--db") + 1] == str((tmp_path / "room db.sqlite3").resolve())
    assert argv[argv.index("--seconds") + 1] == "12.5"
    assert argv[argv.index("--difficulty") + 1] == "ramp"
    assert argv[argv.index("--seed") + 1] == "7"
    assert "--seed" not in shlex.split(
        quiz_command(folder, db_path=tmp_path / "x", questions=5, seconds=9, difficulty="full")
    )


def test_browse_url_names_a_reachable_address():
    assert browse_url("127.0.0.1", 8000) == "http://127.0.0.1:8000/"
    assert browse_url("::1", 8000) == "http://[::1]:8000/"
    assert not browse_url("0.0.0.0", 8000).startswith("http://0.0.0.0")


def _session_pids(server_pid: int) -> set[int]:
    """Quiz sessions started by the server (its child processes)."""
    found = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
        except OSError:
            continue
        if int(fields.get("PPid", "0").strip()) == server_pid:
            found.add(int(status.parent.name))
    return found


def _running(pids: set[int]) -> set[int]:
    """Those of ``pids`` still running: a finished child stays a zombie until reaped."""
    running = set()
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        if "State:\tZ" not in status:
            running.add(pid)
    return running


def test_sessions_end_when_the_server_is_killed(server):
    process, port = server
    url = f"http://127.0.0.1:{port}/"

    async def open_session_then_kill_the_server() -> set[int]:
        await wait_for_page(url, process)
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(f"ws://127.0.0.1:{port}/ws?width=80&height=24") as websocket,
        ):
            await read_until(websocket, "Beat the model")
            sessions = _session_pids(process.pid)
            os.kill(process.pid, signal.SIGKILL)  # no chance to stop its sessions
            return sessions

    sessions = asyncio.run(open_session_then_kill_the_server())
    process.wait(timeout=10)
    assert sessions, "the visit started a quiz process"
    # Warm sessions may still be starting on a busy machine: each must end once it is up. The
    # deadline only stops a hang; a finished session may stay a zombie until init reaps it.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and _running(sessions):
        time.sleep(0.2)
    assert not _running(sessions)


async def play_one_round(websocket, name: str) -> None:
    """Type a name without clicking anywhere, answer the one question, see the final screen."""
    await read_until(websocket, "Beat the model")
    await websocket.send_json(["stdin", name])
    await asyncio.sleep(0.3)
    await websocket.send_json(["stdin", "\r"])
    await read_until(websocket, "has answered")
    await websocket.send_json(["stdin", "7\r"])
    await read_until(websocket, "the true answer")
    await websocket.send_json(["stdin", "\r"])


def test_a_room_end_to_end_limits_addresses_refuses_taken_names_and_shows_its_board(tmp_path):
    """Locked settings on the lobby, one tab per address, the board live without a seat, a
    replay not saved, and a second Ada asked for another name (from another address)."""

    async def visit(port: int, process: subprocess.Popen) -> None:
        url = f"http://127.0.0.1:{port}/"
        websocket_url = f"ws://127.0.0.1:{port}/ws?width=80&height=24"
        await wait_for_page(url, process)
        _, first_board = await fetch(url + "board.json")
        assert json.loads(first_board)["room"] == "workshop"
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(websocket_url) as player,
        ):
            if True:  # one seat per address
                # One seat per address here: a second tab from it is refused, and told why.
                async with session.ws_connect(websocket_url) as second:
                    message = await second.receive(timeout=10)
                    assert b"open here; close one" in message.data
                    await second.receive(timeout=10)
                    assert second.close_code == 4002
                # The board takes no seat, even in a full room, and shows who is playing.
                status, _ = await fetch(url + "board")
                assert status == 200
                board = json.loads((await fetch(url + "board.json"))[1])
                assert board["players"] == 1 and board["top"] == []
                await play_one_round(player, "Ada")
                deadline = time.monotonic() + 20
                while not board["top"]:
                    assert time.monotonic() < deadline, "the round never reached the board"
                    await asyncio.sleep(0.3)
                    board = json.loads((await fetch(url + "board.json"))[1])
                assert board["top"][0]["player"] == "Ada" and board["rounds"] == 1
                assert board["top"][0]["room"] == "workshop"
                # A replay is practice: shown as such, never saved to the room.
                await player.send_json(["stdin", "r"])
                await read_until(player, "PRACTICE")
                await player.send_json(["stdin", "7\r"])
                await read_until(player, "the true answer")
                await player.send_json(["stdin", "\r"])
                await read_until(player, "Practice round")
                # Another address (127.0.0.2 is loopback too) may not be a second Ada.
                other = aiohttp.TCPConnector(local_addr=("127.0.0.2", 0))
                async with (
                    aiohttp.ClientSession(connector=other) as elsewhere,
                    elsewhere.ws_connect(websocket_url) as second_ada,
                ):
                    # The lobby shows the room's round, the same for everyone, read-only.
                    await read_until(second_ada, "the same for everyone")
                    await second_ada.send_json(["stdin", "ada"])
                    await asyncio.sleep(0.3)
                    await second_ada.send_json(["stdin", "\r"])
                    await read_until(second_ada, "is playing in this room already")

    options = ("--room", "workshop", "--questions", "1", "--per-address", "1", "--seed", "3")
    with running_server(tmp_path, *options) as (process, port):
        asyncio.run(visit(port, process))
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=15)
    finishes = [line for line in output.splitlines() if " finish " in line]
    assert len(finishes) == 1 and "Ada" in finishes[0] and "1 rounds" in finishes[0]
    rows = Leaderboard(tmp_path / "room.sqlite3").top(room="workshop")
    assert [(s.player, s.room, s.questions) for s in rows] == [("Ada", "workshop", 1)]


def test_an_idle_session_ends_with_a_message_and_frees_its_seat(tmp_path):
    async def visit(port: int, process: subprocess.Popen) -> None:
        url = f"http://127.0.0.1:{port}/"
        await wait_for_page(url, process)
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(f"ws://127.0.0.1:{port}/ws?width=80&height=24") as websocket,
        ):
            await read_until(websocket, "Beat the model")
            assert (await fetch(url))[0] == 503  # the one seat is taken
            seen = b""
            while websocket.close_code is None:
                message = await websocket.receive(timeout=30)
                if message.type == aiohttp.WSMsgType.BINARY:
                    seen += message.data
            assert websocket.close_code == 4001 and b"idle for 0.15 minutes" in seen
        deadline = time.monotonic() + 15
        while (await fetch(url))[0] != 200:
            assert time.monotonic() < deadline, "the idle session's seat was never freed"
            await asyncio.sleep(0.2)

    options = ("--idle-minutes", "0.15", "--max-players", "1")
    with running_server(tmp_path, *options) as (process, port):
        asyncio.run(visit(port, process))


def test_ctrl_c_closes_a_room_with_players_within_3_s_and_tells_them(tmp_path):
    async def connect_players(port: int, process: subprocess.Popen, players: list) -> None:
        await wait_for_page(f"http://127.0.0.1:{port}/", process)
        session = aiohttp.ClientSession()
        players.append(session)
        for _ in range(2):
            websocket = await session.ws_connect(f"ws://127.0.0.1:{port}/ws?width=80&height=24")
            await read_until(websocket, "Beat the model")
            players.append(websocket)

    async def closing_words(websocket) -> bytes:
        seen = b""
        while websocket.close_code is None:
            message = await websocket.receive(timeout=10)
            if message.type == aiohttp.WSMsgType.BINARY:
                seen += message.data
        return seen

    async def run(port: int, process: subprocess.Popen) -> None:
        players: list = []
        await connect_players(port, process, players)
        sessions = _session_pids(process.pid)
        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        words = await asyncio.gather(*(closing_words(ws) for ws in players[1:]))
        while process.poll() is None:
            await asyncio.sleep(0.05)
        elapsed_s = time.monotonic() - started
        await players[0].close()
        assert all(b"The room has closed" in said for said in words)
        assert all(ws.close_code == 1001 for ws in players[1:])
        assert elapsed_s < 3.0, f"the room took {elapsed_s:.1f} s to close"
        assert not _running(sessions), "a session outlived its server"

    with running_server(tmp_path, "--warm-sessions", "2") as (process, port):
        asyncio.run(run(port, process))
        assert process.returncode == 0


def console_welcome(capsys, tmp_path) -> str:
    room = Room(name="r1", opponent="m", round="10 questions", db_path=tmp_path / "r.sqlite3")
    RoomConsole(room, status=lambda: "").welcome("http://192.0.2.1:8000/", "127.0.0.1")
    return capsys.readouterr().out


def test_the_console_prints_the_join_qr_code_on_a_utf8_terminal(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(qr, "GLYPHS", glyphs.UNICODE)
    output = console_welcome(capsys, tmp_path)
    assert "Join at http://192.0.2.1:8000/" in output and "▄▄▄▄▄" in output
    assert NO_QR_NOTE not in output


def test_on_a_terminal_that_is_not_utf8_the_console_says_why_it_has_no_qr_code(
    capsys, tmp_path, monkeypatch
):
    # Its half blocks would show as mojibake (or ASCII stand-ins): unscannable, worse than none.
    monkeypatch.setattr(qr, "GLYPHS", glyphs.ASCII)
    output = console_welcome(capsys, tmp_path)
    assert "Join at http://192.0.2.1:8000/" in output and NO_QR_NOTE in output
    assert not set(output) & set(qr.UPPER + qr.LOWER + qr.BOTH)
