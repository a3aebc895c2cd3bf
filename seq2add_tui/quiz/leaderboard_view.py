"""The leaderboard as a table: top scores for one model (or all), read off the UI thread.

Used by the quiz panel and available to the main app as a view of its own: mount
``LeaderboardView()`` and call ``load(db_path, model)``. `TopScoresReader` is the one worker that
reads top scores, for this table and the lobby's top three alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Static

from core.leaderboard import Leaderboard, LeaderboardError, Score, Standing
from seq2add_tui.score_rows import score_cells
from seq2add_tui.wording import counted


@dataclass
class TopScores(Message):
    """Top scores on ``model`` (None: every model), or ``error`` saying why they were not read."""

    model: str | None
    standings: list[Standing]
    """The best first, each with its place among rounds of the same format."""
    error: str | None
    damaged: int = 0
    """Rows the file holds that seq2add never writes (skipped, but counted)."""

    @property
    def skipped(self) -> str:
        """The damaged rows skipped, in the one sentence every view of the scores uses ("" for
        none)."""
        if not self.damaged or self.error is not None:
            return ""
        return f"Skipped {counted(self.damaged, 'damaged row')} of the leaderboard file."


class TopScoresReader:
    """Mixed into a widget: reads top scores in a thread and posts `TopScores` to that widget.

    SQLite may wait on another writer for a while, so never on the UI thread; a newer request
    cancels the older one.
    """

    @work(thread=True, exclusive=True, group="top-scores", exit_on_error=False)
    def read_top(
        self, db_path: Path | str | None, model: str | None, limit: int, room: str | None = None
    ) -> None:
        """Read the best ``limit`` scores on ``model`` (in ``room``, if given); the answer
        arrives as `TopScores`."""
        try:
            with Leaderboard(db_path) as board:
                standings, _ = board.standings(model, limit, room=room)
                damaged = board.damaged_rows()
            error = None
        except LeaderboardError as problem:
            standings, error, damaged = [], str(problem), 0
        self.post_message(TopScores(model, standings, error, damaged))  # type: ignore[attr-defined]


class LeaderboardView(TopScoresReader, Vertical):
    """Top scores, each player's best, for one model or for every model."""

    DEFAULT_CSS = """
    LeaderboardView {
        height: 1fr;
        padding: 0 1;
    }
    LeaderboardView #board-title { text-style: bold; color: $accent; height: 1; }
    LeaderboardView #board-status { color: $text-muted; height: auto; }
    LeaderboardView #board-status.-error { color: $text-error; }
    LeaderboardView DataTable { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None, limit: int = 10) -> None:
        super().__init__(id=id)
        self.limit = limit
        """Rows shown."""
        self.model: str | None = None
        """The model whose scores are shown; None for every model."""
        self.highlight_id: int | None = None
        """A score to mark (the round just played)."""
        self.scores: list[Score] = []
        """What the table shows."""
        self.room: str | None = None
        """Only rounds of this ``seq2add serve`` room (set by a room's session)."""

    def compose(self) -> ComposeResult:
        yield Static("Leaderboard", id="board-title")
        table: DataTable[Text] = DataTable(id="board-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("", id="board-status")

    def on_mount(self) -> None:
        self._set_columns(every_model=self.model is None)

    def _set_columns(self, every_model: bool) -> None:
        """The table's columns; across every model each row also names its opponent."""
        table = self.query_one(DataTable)
        table.clear(columns=True)
        columns = [("#", "rank"), ("Player", "player"), ("Score", "score")]
        if every_model:
            # Shorter headers ("Its pts", "W/L"): with the Opponent column, When fits 80 columns.
            columns += [("Opponent", "model"), ("Its pts", "model_score"), ("W/L", "result")]
        else:
            columns += [("Its score", "model_score"), ("Result", "result")]
        columns += [
            ("Right", "right"),
            ("Level", "level"),
            ("When", "when"),
        ]
        for label, key in columns:
            table.add_column(label, key=key)

    def load(self, db_path: Path | str | None, model: str | None, highlight_id: int | None = None):
        """Read the scores in a thread and show them when they arrive."""
        self.model = model
        self.highlight_id = highlight_id
        target = f"on {model}" if model else "on every model"
        if self.room is not None:
            target += f" in room {self.room}"
        self.query_one("#board-title", Static).update(
            Content.from_markup("Top scores $target [dim](each player's best)[/]", target=target)
        )
        self.read_top(db_path, model, self.limit, self.room)

    @on(TopScores)
    def _loaded(self, message: TopScores) -> None:
        message.stop()
        if message.model != self.model:
            return  # an older request
        self.scores = [standing.score for standing in message.standings]
        every_model = message.model is None
        self._set_columns(every_model)
        table = self.query_one(DataTable)
        highlight_row = None
        for row, standing in enumerate(message.standings):
            # Places count within a round format: a 40-question round isn't above 10-question ones.
            place, score = standing.place, standing.score
            # Rich Text, not markup: a player named "[b]" must show as typed.
            mark = "bold" if score.id == self.highlight_id else ""
            if mark:
                highlight_row = row
            table.add_row(
                *score_cells(place, score, opponent=every_model, level="short", mark=mark),
                key=str(score.id),
            )
        if highlight_row is not None:
            table.move_cursor(row=highlight_row)
        status = self.query_one("#board-status", Static)
        status.set_class(message.error is not None, "-error")
        if message.error is not None:
            status.update(Content(message.error))
        elif not message.standings:
            status.update("No scores yet: play a round to be the first.")
        else:
            status.update("")
        if message.skipped:
            status.update(message.skipped)
