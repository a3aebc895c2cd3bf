"""What the organiser's terminal says: a welcome with the address and QR code, then one line per
join, finish, idle or leave with the room's state, and a last line when the room closes.

One event per line, however narrow the terminal (or a pipe, which Rich takes as 80), so the
console reads as a log; names players typed are escaped, never taken as markup.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from datetime import datetime

from rich.console import Console
from rich.markup import escape

from seq2add_tui.qr import terminal_qr
from seq2add_tui.remote_play import LOOPBACK_NAMES
from seq2add_tui.serve.addresses import is_wildcard, lan_address
from seq2add_tui.serve.room import Room


class RoomConsole:
    """The console lines of one room; ``status`` says how the room stands right now."""

    def __init__(self, room: Room, status: Callable[[], str]) -> None:
        self.room = room
        self.status = status
        self.console = Console(soft_wrap=True, highlight=False)

    def event(self, kind: str, detail: str) -> None:
        """One console line: what happened, then the room's state."""
        self.console.print(
            f"{datetime.now():%H:%M:%S}  {kind:<6} {escape(detail):<40} │ {self.status()}",
            highlight=False,
            soft_wrap=True,
        )

    def note(self, text: str) -> None:
        """One console line about a refused request."""
        self.console.print(f"{datetime.now():%H:%M:%S}  {escape(text)}", highlight=False)

    def welcome(self, url: str, host: str) -> None:
        """The room, where to join (with a QR code), who can reach it, and how to close it."""
        print_ = self.console.print
        print_(
            f"Room [b]{escape(self.room.name)}[/b]: {escape(self.room.round)} against "
            f"[b]{escape(self.room.opponent)}[/b]",
            highlight=False,
        )
        print_(f"Join at [link]{url}[/link]   wall board: {url}board", highlight=False)
        if is_wildcard(host):
            lan = lan_address()
            print_(f"LAN address: {lan or 'none found (is this machine on a network?)'}")
        for line in terminal_qr(url):
            print_(line, highlight=False, markup=False)
        if host not in LOOPBACK_NAMES:
            print_(
                "Anyone who can reach this address can play (and start a process here).",
                style="yellow",
            )
        print_(
            f"Up to {self.room.max_players} players, {self.room.per_address} per address; "
            f"idle tabs leave after {self.room.idle_minutes:g} min. "
            "[cyan]Press Ctrl+C to close the room.",
            highlight=False,
        )

    def closed(self, rounds: int, players_told: int) -> None:
        """The last line: what the room did, and how to export its rounds."""
        self.console.print(
            f"Room {escape(self.room.name)} closed: {rounds} rounds played, "
            f"{players_told} players told. Export: seq2add leaderboard --room "
            f"{shlex.quote(self.room.name)} --format csv",
            highlight=False,
        )
