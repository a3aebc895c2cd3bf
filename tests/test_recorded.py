"""What spec.json recorded, read as typed records: known values kept, wrong types left out."""

from core.recorded import RecordedScores, RecordedTraining
from core.run_status import RunStatus


def test_a_saved_run_reads_back_typed():
    training = RecordedTraining.read(
        {
            "samples": 6_400,
            "epochs": 3,
            "epochs_run": 2,
            "batch_size": 64,
            "learning_rate": 0.01,
            "schedule": "cosine",
            "fit_seconds": 12.5,
            "preset": "notebook",
            "status": "no_improvement",
        }
    )
    assert (training.samples, training.epochs, training.batch_size) == (6_400, 2, 64)
    assert training.status is RunStatus.NO_IMPROVEMENT and training.status.words == "no improvement"
    assert training.preset == "notebook" and training.imported_from is None
    scores = RecordedScores.read({"exact_match": 0.5, "samples": 300, "loss": 1.25})
    assert (scores.exact_match, scores.samples, scores.loss) == (0.5, 300, 1.25)
    assert scores.char_accuracy is None


def test_hand_edited_values_of_the_wrong_type_are_left_out():
    training = RecordedTraining.read(
        {"samples": "many", "batch_size": True, "status": "exploded", "imported_from": "x"}
    )
    assert training == RecordedTraining()
    scores = RecordedScores.read({"exact_match": "97%", "samples": 2.5, "loss": float("nan")})
    assert scores == RecordedScores()
