"""What a room's wall board shows: its top scores, who is playing, and where to join.

Both ``seq2add board`` (a Textual view for a projector) and ``seq2add serve``'s read-only
``/board`` page show the same snapshot, read from the room's leaderboard file.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.leaderboard import Leaderboard, Standing

TOP = 10
"""Places a wall board shows."""


@dataclass(frozen=True)
class WallBoard:
    """One reading of a room's leaderboard."""

    room: str | None
    """The room shown; None for every round in the file (no room was ever served from it)."""
    url: str
    """Where players join ("" when no server has said)."""
    players: int
    """Players connected when the server last said."""
    rounds: int
    """Rounds counted in the room."""
    open: bool
    """Whether the room's server is running."""
    format: str
    """The round the standings are for (the room's most played format)."""
    top: list[Standing]
    newest_id: int
    """The newest round's id: a board redraws only when this changes."""

    def to_dict(self) -> dict:
        return {
            "room": self.room,
            "url": self.url,
            "players": self.players,
            "rounds": self.rounds,
            "open": self.open,
            "format": self.format,
            "top": [{"rank": s.place, **s.score.to_dict()} for s in self.top],
            "newest_id": self.newest_id,
        }


def read_wall_board(board: Leaderboard, room: str | None = None, limit: int = TOP) -> WallBoard:
    """The named room's board, or the most recently served room's. Raises LeaderboardError."""
    status = board.room(room)
    if room is None and status is not None:
        room = status.name
    standings, _ = board.standings(room=room)
    # Only the room's own format is ranked on the wall: other formats are other races.
    first = standings[0].score.round_format if standings else None
    top = [s for s in standings if s.score.round_format == first][:limit]
    return WallBoard(
        room=room,
        url=status.url if status else "",
        players=status.players if status and status.open else 0,
        rounds=board.count(room),
        open=bool(status and status.open),
        format=first.describe() if first else (status.settings if status else ""),
        top=top,
        newest_id=board.last_id(room),
    )
