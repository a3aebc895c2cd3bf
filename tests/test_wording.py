"""Counts, times and percentages on screen read the same way everywhere."""

import re

from seq2add_tui.wording import counted


def test_counted_uses_the_singular_only_for_one():
    assert counted(1, "character") == "1 character"
    assert counted(0, "model") == "0 models"
    assert counted(10_000, "fresh problem") == "10,000 fresh problems"


def test_run_times_say_fit_and_total_and_never_split_a_number_from_its_unit():
    from seq2add_tui.widgets.model_library import _training_line
    from seq2add_tui.wording import fit_and_total, seconds_text

    assert seconds_text(9.94) == "9.9s" and seconds_text(1135.3) == "18:55"
    assert seconds_text(3725) == "1:02:05"
    assert fit_and_total(20.1, 43.0) == "fit 20.1s, total 43.0s"
    assert fit_and_total(20.1, None) == "fit 20.1s"  # models saved before total was recorded
    from core.recorded import RecordedTraining

    recorded = {"samples": 75_000, "fit_seconds": 1135.3, "total_seconds": 1190.0}
    line = _training_line(RecordedTraining.read(recorded))
    assert "fit 18:55, total 19:50" in line
    assert not re.search(r"\d s\b", line)


def test_one_percentage_formatter_with_a_number_of_decimals_per_context():
    from core.percent import BRIEF, ROUGH, percent

    assert [percent(0.931), percent(0.931, BRIEF), percent(0.931, ROUGH)] == [
        "93.10%",
        "93.1%",
        "93%",
    ]
    # With decimals only a perfect score reads 100 (rounding up would claim every answer right);
    # a rough feel rounds as usual.
    assert [percent(0.99996), percent(0.9996, BRIEF), percent(0.996, ROUGH)] == [
        "99.99%",
        "99.9%",
        "100%",
    ]
    assert [percent(1.0), percent(1.0, ROUGH)] == ["100.00%", "100%"]
    assert percent(0.5, BRIEF, width=6) == " 50.0%" and percent(float("nan")) == "—"
