"""``seq2add ssh``: a real SSH server on a free loopback port, played with an asyncssh client."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import signal
import socket
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import asyncssh
import pytest

from core.leaderboard import Leaderboard
from seq2add_tui.remote_play import TERMINAL_COLUMNS, TERMINAL_ROWS, quiz_argv
from seq2add_tui.ssh_server import (
    NO_TERMINAL,
    ROOM_FULL,
    QuizSession,
    SSHRoom,
    load_host_key,
    start_server,
    stop_server,
)

SHIPPED = Path(__file__).resolve().parents[1] / "saved_models" / "notebook-perfect"
LOBBY = "Beat the model"
QUESTION = "has answered"
REVEAL = "the true answer"


class Player:
    """One SSH connection with a terminal, and the screen bytes that came back."""

    def __init__(self, connection: asyncssh.SSHClientConnection, process) -> None:
        self.connection = connection
        self.process = process
        self.screen = ""
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        while chunk := await self.process.stdout.read(65536):
            self.screen += chunk

    async def wait_for(self, text: str, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while text not in self.screen:
            assert time.monotonic() < deadline, f"{text!r} never appeared: {self.screen[-600:]!r}"
            await asyncio.sleep(0.05)

    async def type(self, keys: str) -> None:
        self.process.stdin.write(keys)
        await asyncio.sleep(0.1)

    def close(self) -> None:
        self._reader.cancel()
        self.connection.close()


@contextlib.asynccontextmanager
async def ssh_room(tmp_path: Path, **limits):
    """The SSH server on a free loopback port, its room, and a way to connect as a player."""
    argv = quiz_argv(
        SHIPPED,
        db_path=tmp_path / "board.sqlite3",
        questions=1,
        seconds=600,
        difficulty="full",
        seed=3,
        room="lab-1",
        locked=True,
        session="--ssh-session",
    )
    room = SSHRoom(argv, port=0, **{"max_players": 4, "idle_minutes": 10, **limits})
    key, _ = load_host_key(tmp_path / "host_key")
    acceptor = await start_server(room, "127.0.0.1", key)
    room.port = acceptor.get_port()
    connections: list[asyncssh.SSHClientConnection] = []

    async def connect(name: str = "ada") -> asyncssh.SSHClientConnection:
        connection = await asyncssh.connect(
            "127.0.0.1", room.port, username=name, known_hosts=None, client_keys=None
        )
        connections.append(connection)
        return connection

    async def play(name: str = "ada", size: tuple[int, int] = (80, 24)) -> Player:
        connection = await connect(name)
        process = await connection.create_process(term_type="xterm-256color", term_size=size)
        return Player(connection, process)

    try:
        yield room, connect, play
    finally:
        for connection in connections:
            connection.close()
        await stop_server(acceptor, room)


def session_of(room: SSHRoom) -> QuizSession:
    (session,) = room.sessions
    return session


def pty_size(session: QuizSession) -> tuple[int, int]:
    assert session.terminal is not None
    packed = fcntl.ioctl(session.terminal, termios.TIOCGWINSZ, b"\0" * 8)
    rows, columns, _, _ = struct.unpack("HHHH", packed)
    return columns, rows


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def gone(pid: int, timeout_s: float = 15) -> bool:
    deadline = time.monotonic() + timeout_s
    while running(pid) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    return not running(pid)


def test_a_player_named_by_their_login_plays_the_rooms_round_and_it_is_saved(tmp_path):
    async def scenario() -> None:
        async with ssh_room(tmp_path) as (room, _, play):
            ada = await play("ada")
            await ada.wait_for(LOBBY)
            assert room.players == 1
            await asyncio.sleep(0.5)
            await ada.type("\r")  # the name is filled in from the login: Start has the focus
            await ada.wait_for(QUESTION)
            await ada.type("5\r")
            await ada.wait_for(REVEAL)
            await ada.type("\r")  # one question: on to the final screen, which saves
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                with Leaderboard(tmp_path / "board.sqlite3") as board:
                    scores = board.top(None, 10, room="lab-1")
                if scores:
                    break
                await asyncio.sleep(0.2)
            assert [(s.player, s.room, s.questions) for s in scores] == [("ada", "lab-1", 1)]
            ada.close()

    asyncio.run(scenario())


def test_the_window_size_reaches_the_quiz_clamped(tmp_path):
    async def scenario() -> None:
        async with ssh_room(tmp_path) as (room, _, play):
            ada = await play("ada", size=(100, 30))
            await ada.wait_for(LOBBY)
            session = session_of(room)
            assert pty_size(session) == (100, 30)
            ada.process.change_terminal_size(90, 28)
            await asyncio.sleep(0.3)
            assert pty_size(session) == (90, 28)
            ada.process.change_terminal_size(10_000, 10_000)
            await asyncio.sleep(0.3)
            assert pty_size(session) == (TERMINAL_COLUMNS[1], TERMINAL_ROWS[1])
            ada.process.change_terminal_size(1, 1)
            await asyncio.sleep(0.3)
            assert pty_size(session) == (TERMINAL_COLUMNS[0], TERMINAL_ROWS[0])
            ada.close()

    asyncio.run(scenario())


def test_exec_subsystems_forwarding_and_no_terminal_are_refused(tmp_path):
    async def scenario() -> None:
        async with ssh_room(tmp_path) as (room, connect, _):
            connection = await connect("mallory")
            with pytest.raises(asyncssh.ChannelOpenError):
                await connection.run("cat /etc/passwd")
            with pytest.raises((asyncssh.ChannelOpenError, asyncssh.SFTPError)):
                await connection.start_sftp_client()
            with pytest.raises(asyncssh.ChannelOpenError):
                await connection.open_connection("127.0.0.1", room.port)
            with pytest.raises(asyncssh.ChannelListenError):
                await connection.forward_remote_port("127.0.0.1", 0, "127.0.0.1", room.port)
            with pytest.raises(asyncssh.ChannelOpenError):
                await connection.open_unix_connection("/run/anything.sock")
            shell = await connection.run(term_type=None)  # a shell without a terminal
            assert shell.exit_status == 1
            assert NO_TERMINAL.format(port=room.port) in shell.stdout
            assert room.players == 0

    asyncio.run(scenario())


def test_a_closed_connection_leaves_no_process_and_frees_its_seat(tmp_path):
    async def scenario() -> None:
        async with ssh_room(tmp_path, max_players=1) as (room, _, play):
            ada = await play("ada")
            await ada.wait_for(LOBBY)
            pid = session_of(room).process.pid
            assert running(pid)
            bob = await play("bob")  # the room holds one
            await bob.wait_for(ROOM_FULL.format(players=1))
            assert await bob.process.wait_closed() is None
            assert bob.process.exit_status == 1
            ada.close()
            assert await gone(pid)
            deadline = time.monotonic() + 5
            while room.players and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert room.players == 0
            cara = await play("cara")
            await cara.wait_for(LOBBY)
            cara.close()

    asyncio.run(scenario())


def test_the_host_key_is_made_once_and_kept(tmp_path):
    path = tmp_path / "data" / "ssh_host_ed25519_key"
    first, made = load_host_key(path)
    again, made_again = load_host_key(path)
    assert (made, made_again) == (True, False)
    assert first.get_fingerprint() == again.get_fingerprint()
    assert os.stat(path).st_mode & 0o777 == 0o600


def test_the_command_prints_the_fingerprint_and_stops_on_ctrl_c(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "seq2add_tui", "ssh", "--port", str(port)]
    command += ["--host-key", str(tmp_path / "key"), "--db", str(tmp_path / "board.sqlite3")]
    fingerprints = []
    for _ in range(2):
        server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        lines = [server.stdout.readline() for _ in range(3)]
        fingerprints += [line.split()[1] for line in lines if "fingerprint SHA256:" in line]
        assert f"ssh -p {port} NAME@127.0.0.1" in lines[2]
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=30) == 0
        server.stdout.close()
    assert "made a new host key" in lines[0] or fingerprints[0] == fingerprints[1]
    assert len(fingerprints) == 2 and fingerprints[0] == fingerprints[1]


def test_an_idle_session_ends_with_a_message_and_frees_its_seat(tmp_path):
    async def scenario() -> None:
        async with ssh_room(tmp_path, idle_minutes=0.05) as (room, _, play):
            ada = await play("ada")
            await ada.wait_for(LOBBY)
            pid = session_of(room).process.pid
            await ada.wait_for("No key pressed for 0.05 minutes")
            await asyncio.wait_for(ada.process.wait_closed(), 15)
            assert await gone(pid)
            assert room.players == 0
            assert "\x1b[?1049l" in ada.screen  # the player's terminal is put back as it was

    asyncio.run(scenario())
