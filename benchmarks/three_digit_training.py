"""The Keras example's addition recipe against our three-digit preset, in the same run.

(1) Baseline: benchmarks/keras_example.py's data, model and loop (20 epochs of batch 32 over
45,000 pairs, validating each epoch as the example does). (2) Ours: ``core.train.train`` with
the ``three-digit`` preset. Both are scored on the same 10,000 fresh questions of 2 terms of
0–999, each encoded its own way, drawn twice: uniformly by value, and length-balanced (each
operand's digit count equally likely), where one-digit operands are a third of the questions
instead of 1%.

    .venv/bin/python benchmarks/three_digit_training.py [--epochs 20]

The last line printed is JSON with baseline_fit_s, baseline_exact, baseline_exact_by_length,
ours_fit_s, ours_exact, ours_exact_by_length and time_ratio (ours_fit_s / baseline_fit_s).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras_example

from core.data import generate
from core.evaluate import score
from core.presets import PRESETS
from core.train import train

TEST_SEED = 777


def baseline(epochs: int, pairs: list[tuple[int, int]], balanced: list[tuple[int, int]]) -> dict:
    import keras

    keras.utils.set_random_seed(1)
    (x_train, y_train), (x_val, y_val) = keras_example.make_data()
    model = keras_example.build_model()
    fit_s, history = 0.0, []
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        model.fit(
            x_train, y_train, batch_size=32, epochs=1, validation_data=(x_val, y_val), verbose=0
        )
        fit_s += time.perf_counter() - start
        val_exact = float(
            (model.predict(x_val, verbose=0, batch_size=1024).argmax(-1) == y_val.argmax(-1))
            .all(axis=1)
            .mean()
        )
        history.append(val_exact)
        print(
            f"  baseline epoch {epoch}: {fit_s:.0f} s, its own validation exact {val_exact:.2%}",
            flush=True,
        )
    return {
        "fit_s": fit_s,
        "exact": keras_example.exact_match(model, pairs),
        "exact_by_length": keras_example.exact_match(model, balanced),
        "own_validation_exact": history[-1],
        "best_own_validation_exact": max(history),
        "samples": len(x_train) * epochs,
    }


def ours(test_batch, balanced_batch) -> dict:
    preset = PRESETS["three-digit"]
    start = time.perf_counter()
    run = train(preset.spec, preset.model, preset.training)
    total_s = time.perf_counter() - start
    probabilities = run.predictor().probabilities
    scores = score(test_batch, probabilities(test_batch.inputs), examples=0)
    balanced = score(balanced_batch, probabilities(balanced_batch.inputs), examples=0)
    return {
        "fit_s": run.fit_seconds,
        "total_s": total_s,
        "exact": scores.exact_match,
        "exact_by_length": balanced.exact_match,
        "samples": run.samples_seen,
        "status": run.status,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args()
    spec = PRESETS["three-digit"].spec
    test_batch = generate(spec, 10_000, TEST_SEED)
    balanced_batch = generate(spec, 10_000, TEST_SEED, sampling="length")
    pairs = [(int(a), int(b)) for a, b in test_batch.operands[:, :2].tolist()]
    balanced = [(int(a), int(b)) for a, b in balanced_batch.operands[:, :2].tolist()]

    base = baseline(args.epochs, pairs, balanced)
    print("baseline:", json.dumps(base), flush=True)
    mine = ours(test_batch, balanced_batch)
    print("ours:", json.dumps(mine), flush=True)
    figures = {
        "baseline_fit_s": round(base["fit_s"], 1),
        "baseline_exact": round(base["exact"], 4),
        "baseline_exact_by_length": round(base["exact_by_length"], 4),
        "baseline_own_validation_exact": round(base["own_validation_exact"], 4),
        "ours_fit_s": round(mine["fit_s"], 1),
        "ours_total_s": round(mine["total_s"], 1),
        "ours_exact": round(mine["exact"], 4),
        "ours_exact_by_length": round(mine["exact_by_length"], 4),
        "ours_samples": mine["samples"],
        "time_ratio": round(mine["fit_s"] / base["fit_s"], 3),
    }
    print(
        f"Keras example: {base['fit_s']:.0f} s, {base['exact']:.2%} exact on 10,000 fresh "
        f"questions ({base['exact_by_length']:.2%} length-balanced); ours: {mine['fit_s']:.0f} s, "
        f"{mine['exact']:.2%} ({mine['exact_by_length']:.2%}); "
        f"time ratio {figures['time_ratio']}"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
