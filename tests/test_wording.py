"""Counts on screen read as English."""

from seq2add_tui.wording import counted


def test_counted_uses_the_singular_only_for_one():
    assert counted(1, "character") == "1 character"
    assert counted(0, "model") == "0 models"
    assert counted(10_000, "fresh problem") == "10,000 fresh problems"
