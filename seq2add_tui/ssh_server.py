"""``seq2add ssh``: the quiz over plain SSH, one quiz process in its own terminal per connection.

A room whose players have terminals but no browser joins with ``ssh -p 2222 NAME@HOST`` and plays
as NAME. The server asks for no password and offers nothing but the quiz: no shell, no command
(exec), no subsystem (sftp), no port, X11 or agent forwarding. Each connection's quiz runs in a
pseudo-terminal of its own, sized like the player's window, so Textual draws it exactly as it
would locally; all of them share one leaderboard file.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import signal
import struct
import termios
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh

from core.leaderboard import PlayerNameError, check_player_name
from seq2add_tui.remote_play import LOOPBACK_NAMES, ROOM_CLOSED, ROOM_FULL, terminal_size

DEFAULT_PORT = 2222
HOST_KEY_FILENAME = "ssh_host_ed25519_key"

STOP_GRACE_S = 2.0
"""How long a quiz has to end after its connection closes before it is killed."""

PASSED_ENV = ("LANG", "LC_ALL", "LC_CTYPE", "NO_COLOR")
"""The client's environment variables a session takes (OpenSSH sends LANG and LC_* by default):
they choose the glyphs and colours, nothing else."""

NO_TERMINAL = "The quiz needs a terminal: connect with `ssh -t -p {port} NAME@HOST`."
IDLE = "No key pressed for {minutes:g} minutes: the session has ended. Come back any time!"
TERMINAL_RESET = (
    b"\x1b[?1000l\x1b[?1003l\x1b[?1006l\x1b[?1015l\x1b[?2004l\x1b[<u\x1b[?25h\x1b[?1049l\x1b[0m"
)
"""What Textual undoes when it exits: a quiz ended by the server (idle, closing) has no chance
to, so the server leaves mouse reporting, the alternate screen and the hidden cursor itself."""


def default_host_key_path() -> Path:
    """The server's key, kept in the per-user data folder beside the leaderboard."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("seq2add", appauthor=False)) / HOST_KEY_FILENAME


def load_host_key(path: Path) -> tuple[asyncssh.SSHKey, bool]:
    """The host key at ``path``, made on first start (readable by its owner only); True if new.

    Keeping it means players' ``known_hosts`` stay valid across restarts: a changed key is what
    SSH warns about as a possible attack.
    """
    if path.exists():
        return asyncssh.read_private_key(path), False
    path.parent.mkdir(parents=True, exist_ok=True)
    key = asyncssh.generate_private_key("ssh-ed25519", comment="seq2add ssh")
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(key.export_private_key())
    return key, True


def _set_size(descriptor: int, columns: int, rows: int) -> None:
    """Tell a PTY its size; the kernel sends the program in it SIGWINCH."""
    columns, rows = terminal_size(columns, rows)  # as `seq2add serve` clamps a browser's
    fcntl.ioctl(descriptor, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))


def _take_terminal() -> None:
    """In the child, after setsid: make its PTY (stdin) the controlling terminal, so resizes
    reach it as SIGWINCH and a hang-up as SIGHUP."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


@dataclass
class SSHRoom:
    """What every connection shares: the quiz command, the seats and the limits."""

    quiz_argv: Sequence[str]
    """The quiz process, less the player's name (see `seq2add_tui.remote_play.quiz_argv`)."""
    port: int
    max_players: int
    idle_minutes: float
    players: int = 0
    """Sessions whose quiz process is running."""
    sessions: set[QuizSession] = field(default_factory=set)
    """Every open connection's session, to close when the server stops."""

    @property
    def full(self) -> bool:
        return self.players >= self.max_players


class QuizServer(asyncssh.SSHServer):
    """Lets anyone in without a password; every forwarding request is refused (asyncssh's
    defaults, spelled out here so they stay that way); a session is a `QuizSession`."""

    def __init__(self, room: SSHRoom) -> None:
        self.room = room

    def session_requested(self) -> QuizSession:
        return QuizSession(self.room)

    def begin_auth(self, username: str) -> bool:
        return False  # no authentication: the login name is only the player's name

    def server_requested(self, listen_host: str, listen_port: int) -> bool:
        return False

    def connection_requested(self, dest_host: str, dest_port: int, orig_host: str, orig_port: int):
        return False

    def unix_server_requested(self, listen_path: str) -> bool:
        return False

    def unix_connection_requested(self, dest_path: str):
        return False


class QuizSession(asyncssh.SSHServerSession[bytes]):
    """One connection's quiz: a process in a PTY, its screen relayed to the SSH channel."""

    def __init__(self, room: SSHRoom) -> None:
        self.room = room
        self.channel: asyncssh.SSHServerChannel[bytes] | None = None
        self.process: asyncio.subprocess.Process | None = None
        self.terminal: int | None = None
        """The PTY's controlling side, which this server reads and writes."""
        self.last_key_at = time.monotonic()
        self._seated = False
        self._closed = False
        self._ending = False
        """The server is ending this session (idle, closing): it, not the quiz, says goodbye."""
        self._idle_check: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        """Running start and stop work, kept so the event loop cannot drop it half-way."""

    def _spawn(self, work) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def connection_made(self, chan: asyncssh.SSHServerChannel[bytes]) -> None:
        self.channel = chan
        self.room.sessions.add(self)

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int], modes) -> bool:
        return True

    def shell_requested(self) -> bool:
        return True  # the "shell" is the quiz

    def exec_requested(self, command: str) -> bool:
        return False

    def subsystem_requested(self, subsystem: str) -> bool:
        return False

    def session_started(self) -> None:
        self._spawn(self._start())

    def _refuse(self, text: str) -> None:
        assert self.channel is not None
        self.channel.write(f"{text}\r\n".encode())
        self.channel.exit(1)

    async def _start(self) -> None:
        chan = self.channel
        assert chan is not None
        if chan.get_terminal_type() is None:
            self._refuse(NO_TERMINAL.format(port=self.room.port))
            return
        if self.room.full:
            self._refuse(ROOM_FULL.format(players=self.room.max_players))
            return
        self.room.players += 1
        self._seated = True
        terminal, tty = os.openpty()
        self.terminal = terminal
        columns, rows, _, _ = chan.get_terminal_size()
        _set_size(terminal, columns, rows)
        try:
            self.process = await asyncio.create_subprocess_exec(
                *self.room.quiz_argv,
                *_name_option(chan.get_extra_info("username") or ""),
                stdin=tty,
                stdout=tty,
                stderr=tty,
                env=self._environment(chan),
                start_new_session=True,
                preexec_fn=_take_terminal,
            )
        finally:
            os.close(tty)
        if self._closed:  # the player left while the quiz was starting
            await self._end_process()
            return
        loop = asyncio.get_running_loop()
        loop.add_reader(terminal, self._relay_screen)
        status = await self.process.wait()
        self._stop_relay()
        self._free_seat()
        if not self._ending and not chan.is_closing():
            chan.exit(status if status >= 0 else 1)

    def _environment(self, chan: asyncssh.SSHServerChannel[bytes]) -> dict[str, str]:
        environment = {
            key: value
            for key, value in os.environ.items()
            if key not in (*PASSED_ENV, "COLORTERM", "SEQ2ADD_PLAYER")
        }
        client = chan.get_environment()
        environment.update({key: client[key] for key in PASSED_ENV if key in client})
        environment.setdefault("LANG", os.environ.get("LANG", "C.UTF-8"))
        environment["TERM"] = chan.get_terminal_type() or "xterm"
        return environment

    def _relay_screen(self) -> None:
        assert self.terminal is not None and self.channel is not None
        try:
            output = os.read(self.terminal, 65536)
        except OSError:  # EIO: the quiz has ended and closed its side
            output = b""
        if not output:
            self._stop_relay()
            return
        if self._idle_check is None and not self._ending:
            # Idle time counts from the first screen: a start slowed by a busy server is not
            # the player's idling.
            self.last_key_at = time.monotonic()
            self._idle_check = asyncio.get_running_loop().create_task(self._end_when_idle())
        self.channel.write(output)

    def _drain(self) -> None:
        """Relay what the quiz wrote last (its goodbye: the terminal put back as it was), unless
        the server is ending the session and says goodbye itself."""
        assert self.terminal is not None
        if self._ending:
            return
        os.set_blocking(self.terminal, False)
        while True:
            try:
                output = os.read(self.terminal, 65536)
            except OSError:  # nothing more (EAGAIN), or the quiz's side is closed (EIO)
                return
            if not output:
                return
            if self.channel is not None and not self.channel.is_closing():
                self.channel.write(output)

    def _stop_relay(self) -> None:
        if self.terminal is not None:
            asyncio.get_running_loop().remove_reader(self.terminal)
            self._drain()
            os.close(self.terminal)
            self.terminal = None
        if self._idle_check is not None:
            self._idle_check.cancel()
            self._idle_check = None

    def _free_seat(self) -> None:
        if self._seated:
            self._seated = False
            self.room.players -= 1

    async def _end_when_idle(self) -> None:
        limit_s = 60 * self.room.idle_minutes
        while True:
            await asyncio.sleep(max(1.0, limit_s - (time.monotonic() - self.last_key_at)))
            if time.monotonic() - self.last_key_at >= limit_s:
                break
        self._idle_check = None  # this task: ending the quiz must not cancel it
        if self._ending:
            return
        await self.close(IDLE.format(minutes=self.room.idle_minutes))

    def data_received(self, data: bytes, datatype: asyncssh.DataType) -> None:
        self.last_key_at = time.monotonic()
        if self.terminal is not None:
            with contextlib.suppress(OSError):
                os.write(self.terminal, data)

    def terminal_size_changed(self, width: int, height: int, pixwidth: int, pixheight: int) -> None:
        if self.terminal is not None:
            _set_size(self.terminal, width, height)

    def eof_received(self) -> bool:
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        self.room.sessions.discard(self)
        self._spawn(self._end_process())

    async def close(self, notice: str) -> None:
        """End the quiz and the connection, telling the player why."""
        self._ending = True
        if self.terminal is not None:  # what the quiz draws from now on is not shown
            asyncio.get_running_loop().remove_reader(self.terminal)
        await self._end_process()
        if self.channel is not None and not self.channel.is_closing():
            self.channel.write(TERMINAL_RESET + f"\r\n  {notice}\r\n".encode())
            self.channel.exit(0)

    async def _end_process(self) -> None:
        """Hang up on the quiz (as a closed terminal does), and kill it if it lingers."""
        process = self.process
        if process is None or process.returncode is not None:
            self._stop_relay()
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGHUP)
        try:
            await asyncio.wait_for(process.wait(), STOP_GRACE_S)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()
        self._stop_relay()
        self._free_seat()


def _name_option(login: str) -> list[str]:
    """``--name LOGIN`` when the login name can go on the leaderboard; else the lobby asks."""
    try:
        return ["--name", check_player_name(login)]
    except PlayerNameError:
        return []


async def start_server(room: SSHRoom, host: str, host_key: asyncssh.SSHKey) -> asyncssh.SSHAcceptor:
    """Listen on ``host``:``room.port`` (0 picks a free port; see the acceptor's sockets)."""
    return await asyncssh.create_server(
        lambda: QuizServer(room),
        host,
        room.port,
        server_host_keys=[host_key],
        encoding=None,
        line_editor=False,
        allow_pty=True,
        x11_forwarding=False,
        agent_forwarding=False,
        allow_scp=False,
        login_timeout=30,
        keepalive_interval=30,
    )


async def stop_server(acceptor: asyncssh.SSHAcceptor, room: SSHRoom) -> None:
    """Stop listening, then end every session, telling each player the room has closed."""
    acceptor.close()
    await asyncio.gather(*(session.close(ROOM_CLOSED) for session in list(room.sessions)))


def run(room: SSHRoom, host: str, host_key_path: Path, opponent: str) -> None:
    """Serve until Ctrl+C or SIGTERM; OSError if the address can't be used."""

    def echo(line: str) -> None:
        print(line, flush=True)

    key, new = load_host_key(host_key_path)
    what = "made a new host key" if new else "host key"
    echo(f"seq2add ssh: {what} {host_key_path}")
    echo(f"  fingerprint {key.get_fingerprint()} (players can check it on first connect)")

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        acceptor = await start_server(room, host, key)
        room.port = acceptor.get_port() or room.port
        echo(f"Serving the seq2add quiz against {opponent}: ssh -p {room.port} NAME@{host}")
        if host not in LOOPBACK_NAMES:
            echo("Anyone who can reach this address can play (no password; nothing but the quiz).")
        echo(f"Up to {room.max_players} players at once. Press Ctrl+C to stop.")
        await stop.wait()
        echo(f"Stopping: closing {room.players} session(s).")
        await stop_server(acceptor, room)

    asyncio.run(main())
