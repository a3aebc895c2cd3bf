"""``seq2add board``: a room's standings for a projector, updating as rounds are saved.

Read-only: it polls the room's leaderboard file (a cheap query) and redraws only when something
changed, so it can run all session long beside ``seq2add serve`` or on another machine sharing
the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Digits, Static

from core.leaderboard import Leaderboard, LeaderboardError
from core.wallboard import WallBoard, read_wall_board
from seq2add_tui.ascii_terminal import AsciiTerminal
from seq2add_tui.qr import terminal_qr

POLL_S = 1.0
"""How often the file is read: a saved round shows within this (well inside 2 s)."""


@dataclass
class BoardRead(Message):
    """A fresh reading of the room (or why it couldn't be read)."""

    board: WallBoard | None
    error: str | None


class Place(Horizontal):
    """One line of the standings: place, name, and the score in large digits."""

    DEFAULT_CSS = """
    Place { height: 3; }
    Place .place { width: 5; content-align: right middle; height: 3; text-style: bold; }
    Place .name { width: 1fr; content-align: left middle; height: 3; padding: 0 2; }
    Place Digits { width: auto; min-width: 12; text-align: right; }
    Place.-new .name, Place.-new Digits { color: $text-warning; }
    """

    def __init__(self, place: int, name: str, score: int, *, new: bool) -> None:
        super().__init__(classes="-new" if new else "")
        self._place, self._name, self._score = place, name, score

    def compose(self) -> ComposeResult:
        yield Static(f"#{self._place}", classes="place")
        yield Static(Content(self._name), classes="name")  # as typed, never markup
        yield Digits(f"{self._score:,}")


class BoardApp(AsciiTerminal, App[None]):
    """The wall board."""

    TITLE = "seq2add board"
    ENABLE_COMMAND_PALETTE = False
    CSS = """
    Screen { layout: horizontal; }
    #standings { width: 1fr; padding: 0 1; }
    #room { text-style: bold; color: $accent; height: 1; }
    #format, #status { color: $text-muted; height: 1; }
    #places { height: 1fr; }
    #empty { color: $text-muted; padding: 1 0; }
    #join { width: auto; padding: 0 1; align-horizontal: center; }
    #join-url { text-style: bold; width: auto; }
    #qr { width: auto; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,ctrl+q", "quit", "Quit", id="board.quit", tooltip="Close the board"),
    ]

    def __init__(self, db_path: Path | None = None, room: str | None = None) -> None:
        super().__init__()
        self.db_path = db_path
        """The leaderboard file the room writes to."""
        self.room = room
        """The room shown; None for the most recently served one."""
        self.board: WallBoard | None = None
        """What is on screen."""
        self._url = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="standings"):
            yield Static("Waiting for the room…", id="room")
            yield Static("", id="format")
            yield Static("", id="status")
            yield VerticalScroll(id="places")
        with Vertical(id="join"):
            yield Static("", id="join-url")
            yield Static("", id="qr")

    def on_mount(self) -> None:
        self._read()
        self.set_interval(POLL_S, self._read)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _read(self) -> None:
        try:
            with Leaderboard(self.db_path) as leaderboard:
                board = read_wall_board(leaderboard, self.room)
        except LeaderboardError as error:
            self.post_message(BoardRead(None, str(error)))
            return
        self.post_message(BoardRead(board, None))

    @on(BoardRead)
    async def _show(self, message: BoardRead) -> None:
        if message.error is not None:
            self.query_one("#status", Static).update(Content(message.error))
            return
        board = message.board
        assert board is not None
        if board == self.board:
            return  # nothing new: no repaint
        newest_before = self.board.newest_id if self.board is not None else None
        self.board = board
        self.query_one("#room", Static).update(Content(board.room or "Every round in the file"))
        self.query_one("#format", Static).update(Content(board.format))
        state = "" if board.open else " · the room is closed"
        self.query_one("#status", Static).update(
            Content(f"{board.players} playing · {board.rounds} rounds played{state}")
        )
        if board.url != self._url:
            self._url = board.url
            self.query_one("#join-url", Static).update(Content(f"Join at {board.url}"))
            self.query_one("#qr", Static).update(Content("\n".join(terminal_qr(board.url))))
        places = self.query_one("#places", VerticalScroll)
        with self.batch_update():
            await places.remove_children()
            if not board.top:
                await places.mount(Static("No rounds yet: be the first!", id="empty"))
            await places.mount_all(
                Place(
                    s.place,
                    s.score.player,
                    s.score.player_score,
                    new=newest_before is not None and (s.score.id or 0) > newest_before,
                )
                for s in board.top
            )
