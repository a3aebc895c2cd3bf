"""The quiz on its own: what ``seq2add quiz`` opens and what each ``seq2add serve`` visitor gets.

It never imports TensorFlow or Keras (the opponent is a numpy `Predictor`), so a session starts in
about a second and stays small enough to run one per browser on a modest machine.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import ClassVar

from textual import messages, on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Header

from core.infer import Predictor
from core.quiz import DEFAULT_DIFFICULTY, DEFAULT_QUESTIONS, DEFAULT_SECONDS
from seq2add_tui import ICON
from seq2add_tui.ascii_terminal import AsciiTerminal
from seq2add_tui.quiz import Clock, QuizPanel
from seq2add_tui.quiz.screen import QuizScreen
from seq2add_tui.screens.too_small import WindowSizeGuard
from seq2add_tui.startup import freeze_startup_objects
from seq2add_tui.widgets.footer import Footer

QUIT_AGAIN_S = 4.0
"""How long a first ctrl+q mid-round waits for the second that confirms it."""

EXIT_GRACE_S = 3.0
"""How long a browser session may take to shut down before it ends itself regardless."""


class QuizApp(WindowSizeGuard, AsciiTerminal, App[None]):
    """A full-screen quiz against one model, with the leaderboard a key away."""

    CSS_PATH = "quiz.tcss"
    TITLE = "seq2add"
    SUB_TITLE = "Beat the model"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="quiz_app.quit", tooltip="Leave the quiz"),
    ]

    def __init__(
        self,
        predictor: Predictor,
        *,
        player: str | None = None,
        web_session: bool = False,
        ssh_session: bool = False,
        server_pid: int | None = None,
        db_path: Path | None = None,
        questions: int = DEFAULT_QUESTIONS,
        seconds: float = DEFAULT_SECONDS,
        difficulty: str = DEFAULT_DIFFICULTY,
        seed: int | None = None,
        room: str | None = None,
        locked: bool = False,
        clock: Clock = time.monotonic,
        cursor_blink: bool = True,
    ) -> None:
        super().__init__()
        self.predictor = predictor
        """The opponent."""
        self.player_name = player
        """The player's name, if given; the panel reads it."""
        self.web_session = web_session
        """One browser's session under ``seq2add serve``.

        It opens on the lobby, so each visitor types their own name (the login name is the
        server's), and saves the CPU a server shared by a room can't spare: no footer (the panel
        shows its keys itself, and the footer rebuilds on every focus change, which costs more
        per answer than the rest of the screen) and a steady cursor.
        """
        self.ssh_session = ssh_session
        """One SSH connection's session under ``seq2add ssh``.

        Like a browser's, it opens on the lobby (``player`` is the SSH login name, filled in)
        and, like it, spares the shared server's CPU (no footer, a steady cursor).
        """
        self._server_pid = server_pid
        """The server that started this remote session (see `_leave_if_server_gone`); None:
        its parent when the app mounts."""
        self.db_path = db_path
        """The leaderboard file; None for ``$SEQ2ADD_DB`` or the per-user default."""
        self.room = room
        """The ``seq2add serve --room`` this session plays in: its rounds are tagged with it,
        count once per player, and its names are unique."""
        self.locked = locked
        """The organiser fixed the round: the lobby shows the settings read-only."""
        self._quit_asked_at = -QUIT_AGAIN_S
        """When ctrl+q was last pressed mid-round (see `action_quit`)."""
        self._exit_deadline: threading.Timer | None = None
        """Ends a web session's process if its shutdown hangs; see `_exit_for_certain`."""
        self._panel_options = dict(
            questions=questions,
            seconds=seconds,
            difficulty=difficulty,
            seed=seed,
            clock=clock,
            # A blinking cursor repaints twice a second in every idle session on the server.
            cursor_blink=cursor_blink and not self.remote,
            suggest_name=not self.remote,
            room=room,
            locked=locked,
        )

    @property
    def remote(self) -> bool:
        """A session a server started for someone elsewhere (a browser or an SSH connection)."""
        return self.web_session or self.ssh_session

    def get_default_screen(self) -> Screen:
        return QuizScreen(id="_default")

    def compose(self) -> ComposeResult:
        yield Header(icon=ICON)
        yield QuizPanel(id="quiz", **self._panel_options)
        if not self.remote:
            yield Footer()

    def on_mount(self) -> None:
        panel = self.query_one(QuizPanel)
        panel.set_opponent(self.predictor)
        if not self.remote and panel.player:
            panel.start_round()
        if self.remote:
            if self._server_pid is None:
                self._server_pid = os.getppid()
            self.set_interval(1.0, self._leave_if_server_gone)
        self.call_after_refresh(freeze_startup_objects)

    async def action_quit(self) -> None:
        """Leave; mid-round, only on a second ctrl+q within a few seconds (the round is lost)."""
        panel = self.query_one(QuizPanel)
        now = time.monotonic()
        if panel.state.in_play and now - self._quit_asked_at > QUIT_AGAIN_S:
            self._quit_asked_at = now
            self.notify(
                "Press ctrl+q again to leave; this round won't be saved.",
                title="Leave the quiz?",
                timeout=QUIT_AGAIN_S,
                markup=False,
            )
            return
        self.exit()

    def _leave_if_server_gone(self) -> None:
        """End a browser session whose server has died.

        Killed without a chance to stop its sessions, ``seq2add serve`` leaves them running, and
        Textual's web driver neither notices the closed pipe nor answers SIGTERM: an orphan
        spun at a third of a core until killed by hand. Once the server is gone, the session's
        parent changes (to init), which is cheap to check. The server's pid comes from the
        server itself (``--server-pid``): read at mount, a session that took long to start
        (a warm one on a busy machine) could find init there already and run on for good.
        """
        if os.getppid() != self._server_pid:
            self.exit()

    @on(messages.ExitApp)
    def _exit_for_certain(self) -> None:
        """Give a browser session's shutdown a deadline, then end the process outright.

        A tab closed while its session is still starting (and resizing) can leave Textual's
        shutdown re-laying out the screen forever at full CPU, holding a seat in the room and
        never telling the server it ended. Scores are committed as each round ends, so there
        is nothing left to save by then.
        """
        if self.remote and self._exit_deadline is None:
            self._exit_deadline = threading.Timer(EXIT_GRACE_S, os._exit, args=(0,))
            self._exit_deadline.daemon = True
            self._exit_deadline.start()

    def on_unmount(self) -> None:
        # Shut down in time (always, outside that start-up race): no need to cut it short.
        if self._exit_deadline is not None:
            self._exit_deadline.cancel()
