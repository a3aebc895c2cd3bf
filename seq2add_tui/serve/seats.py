"""A room's seats: who is playing, and why the next visitor may not.

A room has a size (what the machine can serve quickly), one address may hold only a few seats
(so one person can't take them all), and a closing room seats nobody. Each refusal comes with a
websocket close code the page reads: it retries the ones that pass by themselves.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from aiohttp import web
from textual_serve.app_service import AppService

from seq2add_tui.remote_play import ROOM_CLOSED, ROOM_FULL
from seq2add_tui.wording import counted

PER_ADDRESS = "Your address already has {sessions} open here; close one to play in this."
IDLE = "You were idle for {minutes} minutes, so your seat went to someone else. Play again?"

CLOSE_FULL = 1013
"""Websocket close code "try again later": the room is full."""
CLOSE_PER_ADDRESS = 4002
CLOSE_IDLE = 4001
CLOSE_ROOM_CLOSED = 1001
RETRY_CODES = (CLOSE_FULL, CLOSE_PER_ADDRESS)
"""Refusals the page retries by itself."""


@dataclass(eq=False)
class Seat:
    """One visitor's session."""

    number: int
    address: str
    websocket: web.WebSocketResponse
    last_input: float = field(default_factory=time.monotonic)
    service: AppService | None = None


class Seats:
    """The seats taken now (and visitors being seated), within the room's limits."""

    def __init__(self, max_players: int, per_address: int) -> None:
        self.max_players = max_players
        self.per_address = per_address
        self.taken: set[Seat] = set()
        self.closing = False
        """The room is closing: nobody new is seated."""
        self._joined = 0

    @property
    def players(self) -> int:
        return len(self.taken)

    @property
    def free(self) -> int:
        return max(0, self.max_players - self.players)

    @property
    def full(self) -> bool:
        return self.players >= self.max_players

    def from_address(self, address: str) -> int:
        return sum(seat.address == address for seat in self.taken)

    def refusal(self, address: str) -> tuple[int, str] | None:
        """The close code and notice for a visitor from ``address`` who can't be seated."""
        if self.closing:
            return CLOSE_ROOM_CLOSED, ROOM_CLOSED
        if self.full:
            return CLOSE_FULL, ROOM_FULL.format(players=self.max_players)
        sessions = self.from_address(address)
        if sessions >= self.per_address:
            tabs = counted(sessions, "quiz tab")
            return CLOSE_PER_ADDRESS, PER_ADDRESS.format(sessions=tabs)
        return None

    def take(self, address: str, websocket: web.WebSocketResponse) -> Seat:
        """Seat a visitor at once (no await), so a rush can't overfill the room."""
        self._joined += 1
        seat = Seat(self._joined, address, websocket)
        self.taken.add(seat)
        return seat

    def leave(self, seat: Seat) -> None:
        self.taken.discard(seat)
