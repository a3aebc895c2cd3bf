"""One leaderboard row as the app's table and ``seq2add leaderboard`` both show it.

Rich only (no Textual), so the command line can use it without loading the app.
"""

from __future__ import annotations

from rich.text import Text

from core.leaderboard import Score, short_time

OUTCOME_STYLE = {"won": "green", "lost": "red"}
LEVEL_SHORT = {"full": "full", "easy": "easy", "medium": "med", "ramp": "ramp"}


def score_cells(
    place: int,
    score: Score,
    *,
    opponent: bool,
    level: str | None,
    mark: str = "",
) -> list[Text]:
    """The row's cells: rank, player, score, [opponent], its score, result, right, [level], when.

    ``level`` is ``"short"`` or ``"full"`` (how to name the difficulty) or None to leave it out;
    ``mark`` styles the player's own cells (the round just played). Names are shown as typed,
    never as markup.
    """
    cells = [
        Text(str(place), mark, justify="right"),
        Text(score.player, mark),
        Text(f"{score.player_score:,}", mark, justify="right"),
    ]
    if opponent:
        cells.append(Text(score.model))
    cells += [
        Text(f"{score.model_score:,}", justify="right"),
        Text(score.outcome, OUTCOME_STYLE.get(score.outcome, "")),
        Text(f"{score.player_correct}/{score.questions}", justify="right"),
    ]
    if level is not None:
        shown = LEVEL_SHORT.get(score.difficulty, score.difficulty) if level == "short" else None
        cells.append(Text(shown or score.difficulty))
    cells.append(Text(short_time(score.played_at)))
    return cells
