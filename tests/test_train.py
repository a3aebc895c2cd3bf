"""Training: events, cancellation, divergence, fresh data and curricula."""

import dataclasses
import threading

import numpy as np
import pytest

import core.train
from core.model import ModelConfig
from core.spec import ProblemSpec, SpecError
from core.train import (
    BatchEnded,
    Checkpoint,
    EpochEnded,
    PhaseStarted,
    TrainingConfig,
    TrainingFailed,
    TrainingFinished,
    TrainingStarted,
    difficulty_caps,
    epoch_batch,
    train,
)

SMALL = ModelConfig(encoder_units=12, decoder_units=12)


def test_events_report_batches_epochs_and_the_finish():
    events = []
    config = TrainingConfig(
        samples=640, epochs=2, batch_size=64, validation_samples=100, checkpoints=4
    )
    run = train(ProblemSpec(), SMALL, config, listener=events.append)
    events = [e for e in events if not isinstance(e, PhaseStarted)]  # their own test below
    kinds = [type(e) for e in events]
    assert kinds[0] is TrainingStarted and kinds[-1] is TrainingFinished
    batches = [e for e in events if isinstance(e, BatchEnded)]
    assert [(b.epoch, b.batch) for b in batches] == [(e, b) for e in (1, 2) for b in range(1, 11)]
    assert batches[-1].samples_seen == 1280 == batches[-1].total_samples
    assert all(np.isfinite(b.loss) and 0 <= b.accuracy <= 1 for b in batches)
    epochs = [e for e in events if isinstance(e, EpochEnded)]
    assert [e.epoch for e in epochs] == [1, 2] and run.history == epochs
    assert all(0 <= e.val_exact_match <= 1 and 0 <= e.val_char_accuracy <= 1 for e in epochs)
    # An epoch's line comes after its last batch.
    assert kinds.index(EpochEnded) > max(
        i for i, k in enumerate(kinds) if k is BatchEnded and events[i].epoch == 1
    )
    assert sum(isinstance(e, Checkpoint) for e in events) == 4
    assert run.status == "completed" and run.samples_seen == 1280 and run.fit_seconds > 0


def test_cancel_stops_within_one_batch_and_keeps_a_usable_model():
    cancel = threading.Event()
    batches = []

    def listener(event):
        if isinstance(event, BatchEnded):
            batches.append(event)
            if event.batch == 3:
                cancel.set()

    config = TrainingConfig(samples=6400, epochs=3, batch_size=32, validation_samples=100)
    run = train(ProblemSpec(), SMALL, config, listener=listener, cancel=cancel)
    assert [b.batch for b in batches] == [1, 2, 3]
    assert run.status == "cancelled" and "96 samples" in run.message
    assert len(run.history) == 1 and run.history[0].samples_seen == 96
    answer = run.predictor().answer("1+2+3")
    assert all(np.isfinite(answer.confidence))


def test_a_loss_that_turns_nan_stops_training_with_a_clear_message(monkeypatch):
    real = core.train.epoch_batch

    def poisoned(spec, config, epoch):
        batch = real(spec, config, epoch)
        if epoch == 1:
            batch.x[:] = np.nan
        return batch

    monkeypatch.setattr(core.train, "epoch_batch", poisoned)
    events = []
    config = TrainingConfig(
        samples=256, epochs=3, batch_size=64, fresh_data=True, validation_samples=50
    )
    run = train(ProblemSpec(), SMALL, config, listener=events.append)
    assert run.status == "diverged"
    assert (
        "finite number at epoch 2, batch 1" in run.message and "lower learning rate" in run.message
    )
    assert isinstance(events[-1], TrainingFailed) and events[-1].message == run.message
    assert len(run.history) == 1  # the first epoch's weights are kept
    assert all(np.isfinite(w).all() for w in run.model.get_weights())


def test_fresh_data_differs_by_epoch_and_repeats_by_seed():
    spec = ProblemSpec()
    config = TrainingConfig(samples=500, epochs=3, fresh_data=True, seed=5)
    first, second = epoch_batch(spec, config, 0), epoch_batch(spec, config, 1)
    assert not np.array_equal(first.inputs, second.inputs)
    np.testing.assert_array_equal(first.inputs, epoch_batch(spec, config, 0).inputs)


def test_stratified_data_asks_every_question_equally_often_in_a_seeded_order():
    spec = ProblemSpec()  # 1,000 distinct questions
    config = TrainingConfig(samples=3_000, epochs=2, fresh_data=True, stratified=True, seed=5)
    first = epoch_batch(spec, config, 0)
    _, counts = np.unique(first.inputs, axis=0, return_counts=True)
    assert len(counts) == 1_000 and set(counts.tolist()) == {3}
    assert (first.x.argmax(-1) == first.inputs).all()
    assert (first.answers == first.operands.sum(1)).all()
    np.testing.assert_array_equal(first.inputs, epoch_batch(spec, config, 0).inputs)
    assert not np.array_equal(first.inputs, epoch_batch(spec, config, 1).inputs)
    bigger = ProblemSpec("+", 2, 2, 0, 999)  # a million questions: drawn at random as before
    plain = dataclasses.replace(config, stratified=False, samples=500)
    np.testing.assert_array_equal(
        epoch_batch(bigger, dataclasses.replace(plain, stratified=True), 0).inputs,
        epoch_batch(bigger, plain, 0).inputs,
    )


def test_focus_puts_the_last_mistakes_first_in_each_batch_in_turn():
    from core.train import validation_batch, with_mistakes

    validation = validation_batch(ProblemSpec(), TrainingConfig(validation_samples=1_000))
    data = epoch_batch(ProblemSpec(), TrainingConfig(samples=64, fresh_data=True), 0)
    mistakes = np.array([7, 400, 999])
    x, y, turn = with_mistakes(data.x, data.y, mistakes, validation, 4, 2)
    assert turn == 6 and x.shape == data.x.shape and y.shape == data.y.shape
    assert (x[:4].argmax(-1) == validation.inputs[[999, 7, 400, 999]]).all()
    assert (y[:4].argmax(-1) == validation.targets[[999, 7, 400, 999]]).all()
    np.testing.assert_array_equal(x[4:], data.x[4:])
    same = with_mistakes(data.x, data.y, mistakes[:0], validation, 4, 2)
    assert same[0] is data.x and same[2] == 2


def test_focused_training_reports_like_fit_asks_the_mistakes_and_repeats_by_seed(monkeypatch):
    asked = []
    real = core.train.with_mistakes

    def spy(x, y, mistakes, validation, share, turn):
        asked.append(len(mistakes))
        return real(x, y, mistakes, validation, share, turn)

    monkeypatch.setattr(core.train, "with_mistakes", spy)
    spec = ProblemSpec("+", 2, 2, 1, 4)  # 16 questions
    config = TrainingConfig(
        samples=640, epochs=2, batch_size=64, fresh_data=True, stratified=True, focus=0.25,
        validation_samples=16, checkpoints=10, learning_rate=0.01, seed=3,
    )  # fmt: skip
    events = []
    run = train(spec, SMALL, config, listener=events.append)
    batches = [e for e in events if isinstance(e, BatchEnded)]
    assert [(b.epoch, b.batch) for b in batches] == [(e, b) for e in (1, 2) for b in range(1, 11)]
    assert batches[-1].samples_seen == 1280 == run.samples_seen
    assert all(np.isfinite(b.loss) and 0 <= b.accuracy <= 1 for b in batches)
    checks = [e for e in events if isinstance(e, Checkpoint)]
    assert len(checks) == 10 and run.status == "completed"
    # before the first check nothing is known; after a check with mistakes, they are asked
    assert asked[0] == 0 and any(asked)
    wrong_after = [round((1 - c.val_exact_match) * 16) for c in checks]
    assert asked[2:20:2] == wrong_after[:9]
    again = train(spec, SMALL, config)
    for mine, theirs in zip(run.model.get_weights(), again.model.get_weights(), strict=True):
        np.testing.assert_array_equal(mine, theirs)
    # a problem too big to check every question: focus can't apply, fit trains as usual
    asked.clear()
    bigger = dataclasses.replace(config, epochs=1, stratified=False, validation_samples=50)
    assert train(ProblemSpec("+", 2, 2, 0, 99), SMALL, bigger).samples_seen == 640
    assert asked == []


def test_curricula_start_easy_and_reach_the_full_problem():
    spec = ProblemSpec("+", 2, 4, 0, 999_999)
    naive = TrainingConfig(samples=4000, epochs=4, curriculum="naive")
    early, late = epoch_batch(spec, naive, 0), epoch_batch(spec, naive, 3)
    assert early.operands[:500].max() <= 99 and early.n_terms[:500].max() <= 3
    assert late.operands[-500:].max() > 99_999 and late.n_terms[-500:].max() == 4
    mixed = epoch_batch(spec, TrainingConfig(samples=4000, epochs=4, curriculum="mix"), 0)
    assert (mixed.operands.max(axis=1) <= 9).any() and mixed.operands.max() > 99_999
    largest, terms = difficulty_caps(spec, np.array([0.01, 0.5, 1.0]))
    assert largest.tolist() == [9, 999, 999_999] and terms.tolist() == [3, 3, 4]


def test_patience_keeps_the_best_epoch(monkeypatch):
    # Validation exact-match per epoch, scripted: best at epoch 2, then two epochs without a gain.
    scripted = iter([0.5, 0.8, 0.6, 0.7])
    weights_at_epoch_end = []
    real_probabilities, real_score = core.train.validation_probabilities, core.train.score

    def probabilities(model, *args):
        weights_at_epoch_end.append([w.copy() for w in model.get_weights()])
        return real_probabilities(model, *args)

    def score(*args, **kwargs):
        return dataclasses.replace(real_score(*args, **kwargs), exact_match=next(scripted))

    monkeypatch.setattr(core.train, "validation_probabilities", probabilities)
    monkeypatch.setattr(core.train, "score", score)
    config = TrainingConfig(
        samples=256, epochs=6, batch_size=32, learning_rate=0.01, patience=2, validation_samples=50
    )
    run = train(ProblemSpec(), SMALL, config)
    assert run.status == "no_improvement" and len(run.history) == 4
    assert "kept the best, 80.00%" in run.message
    kept = run.model.get_weights()
    best, last = weights_at_epoch_end[1], weights_at_epoch_end[3]
    assert all(np.array_equal(k, b) for k, b in zip(kept, best, strict=True))
    assert not all(np.array_equal(k, w) for k, w in zip(kept, last, strict=True))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"samples": 0}, "samples"),
        ({"learning_rate": 0}, "learning_rate"),
        ({"schedule": "x"}, "schedule"),
        ({"curriculum": "hard"}, "curriculum"),
        ({"batch_size": 2.5}, "batch_size"),
    ],
)
def test_invalid_training_settings_are_refused(kwargs, field):
    with pytest.raises(SpecError) as caught:
        TrainingConfig(**kwargs)
    assert caught.value.field == field


def test_small_problems_validate_on_every_question_once():
    from core.train import validation_batch

    batch = validation_batch(ProblemSpec(), TrainingConfig(validation_samples=1_000))
    assert len(batch) == 1_000 and len(set(batch.expressions)) == 1_000
    assert batch.x.shape == (1_000, 8, 12)
    sampled = validation_batch(ProblemSpec(), TrainingConfig(validation_samples=999))
    assert len(sampled) == 999 and len(set(sampled.expressions)) < 999


def test_training_stops_at_a_checkpoint_once_validation_is_perfect():
    spec = ProblemSpec("+", 1, 1, 0, 3)  # "2" -> "2": four questions, learnt in moments
    config = TrainingConfig(
        samples=64_000,
        batch_size=64,
        learning_rate=0.05,
        checkpoints=100,
        stop_at_exact=1.0,
        clip_norm=1.0,
        validation_samples=50,
    )
    events = []
    run = train(spec, SMALL, config, listener=events.append)
    assert run.status == "target_reached" and run.samples_seen < 64_000
    checks = [e for e in events if isinstance(e, Checkpoint)]
    assert checks[-1].val_exact_match == 1.0 and all(c.val_exact_match < 1.0 for c in checks[:-1])
    assert run.history[-1].val_exact_match == 1.0


def test_length_sampling_validates_each_group_and_refuses_bad_names():
    from core.train import validation_groups

    with pytest.raises(SpecError) as caught:
        TrainingConfig(sampling="sometimes")
    assert caught.value.field == "sampling"
    spec = ProblemSpec("+", 2, 2, 0, 999)
    groups = dict(validation_groups(spec, TrainingConfig(validation_samples=400)))
    assert list(groups) == ["uniform"]
    config = TrainingConfig(validation_samples=400, sampling="mixed:0.5")
    groups = dict(validation_groups(spec, config))
    assert list(groups) == ["uniform", "length", "small"]
    assert len(groups["uniform"]) == len(groups["length"]) == 200 and len(groups["small"]) == 441
    short = [e for e in groups["length"].expressions if max(map(len, e.split("+"))) == 1]
    assert len(short) > 5  # about a ninth (22) have two one-digit operands; by value, 0.01%


def test_phases_are_named_as_they_happen_and_every_check_is_a_history_point():
    events = []
    config = TrainingConfig(
        samples=640, epochs=2, batch_size=64, validation_samples=100, checkpoints=4
    )
    run = train(ProblemSpec(), SMALL, config, listener=events.append)
    phases = [e.message for e in events if isinstance(e, PhaseStarted)]
    assert phases[0].startswith("Preparing: building the model and 640 training samples")
    assert phases[1] == "Training epoch 1/2"
    assert "Validating at checkpoint 1/4 on 100 samples" in phases
    assert "Validating at checkpoint 4/4 on 100 samples" in phases
    assert phases.index("Validating epoch 1 on 100 samples") < phases.index("Training epoch 2/2")
    # The training phase comes back after each checkpoint, so a status line never sticks.
    after = phases[phases.index("Validating at checkpoint 1/4 on 100 samples") + 1]
    assert after == "Training epoch 1/2"
    # History: 4 checkpoints and 2 epoch ends, in order of samples seen.
    assert [p.kind for p in run.points].count("checkpoint") == 4
    assert [p.kind for p in run.points].count("epoch") == 2
    samples = [p.samples for p in run.points]
    assert samples == sorted(samples) and samples[-1] == 1280
    elapsed = [p.elapsed_s for p in run.points]
    assert elapsed == sorted(elapsed) and elapsed[-1] <= run.total_seconds
    for point in run.points:
        assert 0 <= point.val_exact_match <= 1 and point.val_loss > 0
        assert point.learning_rate == pytest.approx(config.learning_rate)
    checkpoints = [e for e in events if isinstance(e, Checkpoint)]
    assert [c.index for c in checkpoints] == [1, 2, 3, 4] and {c.count for c in checkpoints} == {4}
    assert checkpoints[0].point == run.points[0]
    # Fit and total are both recorded; the whole run takes longer than its time in fit.
    finished = events[-1]
    assert 0 < finished.fit_seconds < finished.total_seconds == run.total_seconds
    assert run.summary()["total_seconds"] >= run.summary()["fit_seconds"] > 0
    batches = [e for e in events if isinstance(e, BatchEnded)]
    assert all(b.fit_s > 0 for b in batches) and batches[-1].fit_s <= run.fit_seconds


def test_a_schedule_shows_in_the_learning_rate_history():
    config = TrainingConfig(
        samples=640, batch_size=64, validation_samples=50, checkpoints=5, schedule="cosine"
    )
    run = train(ProblemSpec(), SMALL, config)
    rates = [p.learning_rate for p in run.points]
    assert rates == sorted(rates, reverse=True) and rates[0] > rates[-1]


def test_tensorboard_event_files_can_be_read_back(tmp_path):
    import tensorflow as tf

    config = TrainingConfig(samples=320, batch_size=64, validation_samples=50, checkpoints=2)
    run = train(ProblemSpec(), SMALL, config, tensorboard_dir=tmp_path / "tb")
    found: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for side in ("train", "validation"):
        files = list((tmp_path / "tb" / side).glob("events.out.tfevents.*"))
        assert len(files) == 1
        for record in tf.compat.v1.train.summary_iterator(str(files[0])):
            for value in record.summary.value:
                number = float(tf.make_ndarray(value.tensor))
                found.setdefault((side, value.tag), []).append((record.step, number))
    steps = [p.samples for p in run.points]
    assert [s for s, _ in found[("validation", "exact_match")]] == steps
    assert [v for _, v in found[("validation", "exact_match")]] == pytest.approx(
        [p.val_exact_match for p in run.points]
    )
    assert [v for _, v in found[("train", "loss")]] == pytest.approx([p.loss for p in run.points])
    assert ("train", "learning_rate") in found and ("validation", "loss") in found
