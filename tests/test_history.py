"""A run's history as CSV: written, read back, and forgiving of a damaged file."""

import math

from core.history import (
    COLUMNS,
    HistoryPoint,
    history_csv,
    parse_history,
    read_history,
    write_history,
)

POINTS = [
    HistoryPoint("checkpoint", 1, 320, 2.1, 0.3, 2.0, 0.31, 0.0, 0.001, 1.5),
    HistoryPoint("epoch", 1, 640, 1.2, 0.6, 1.1, 0.62, 0.25, 0.0005, 3.25),
]


def test_history_round_trips_through_csv(tmp_path):
    path = write_history(tmp_path, POINTS)
    assert path.name == "history.csv"
    assert path.read_text().splitlines()[0] == ",".join(COLUMNS)
    assert read_history(tmp_path) == POINTS


def test_a_damaged_history_keeps_its_good_rows_and_a_missing_one_is_empty(tmp_path):
    text = history_csv(POINTS).replace("checkpoint,1,320", "checkpoint,one,320")
    assert parse_history(text) == POINTS[1:]
    assert read_history(tmp_path / "nowhere") == []
    blank = history_csv([HistoryPoint("epoch", 1, 10, math.nan, 0, 0, 0, 0, 0.1, 1.0)])
    assert math.isnan(parse_history(blank)[0].loss)
