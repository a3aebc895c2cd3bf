"""The notebook exactly as written against our notebook-perfect recipe, in the same run.

(1) The notebook: its data pipeline (benchmarks/notebook_pipeline.py), its Sequential model
built with its own calls, ``fit(X, y, epochs=1, batch_size=32)`` (verbose=0, so the baseline
pays nothing for printing), then 10,000 fresh samples predicted and inverted as it does.
(2) Ours: ``core.train.train`` with the ``notebook-perfect`` preset, evaluated on 10,000 fresh
samples with the numpy predictor, and on all 1,000 distinct questions.

Also compares the notebook model's training throughput with what the arithmetic allows:
about 1.6 MFLOP per sample forward and backward, against a float32 matrix product measured
here.

    .venv/bin/python benchmarks/notebook_training.py [--repeats 1]

The last line printed is JSON with baseline_fit_s, baseline_exact, ours_fit_s, ours_exact,
time_ratio and the throughput figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import notebook_pipeline as nb
import numpy as np

from core.data import all_problems
from core.evaluate import evaluate, score
from core.presets import PRESETS
from core.train import train

N_NUMBERS, LARGEST = 3, 10
FLOP_PER_SAMPLE = 1.6e6  # forward ≈ 0.52 MFLOP (8 encoder steps, 2 decoder steps), backward ≈ 2×


def notebook_run(seed: int) -> dict:
    """The notebook's cells 7–11, timed."""
    import keras
    from keras.layers import LSTM, Dense, RepeatVector, TimeDistributed
    from keras.models import Sequential

    random.seed(seed)
    keras.utils.set_random_seed(seed)
    alphabet = nb.ALPHABET
    n_chars = len(alphabet)
    n_in_seq_length = 8
    n_out_seq_length = 2
    model = Sequential()
    model.add(LSTM(75, input_shape=(n_in_seq_length, n_chars)))
    model.add(RepeatVector(n_out_seq_length))
    model.add(LSTM(50, return_sequences=True))
    model.add(TimeDistributed(Dense(n_chars, activation="softmax")))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    start = time.perf_counter()
    x, y = nb.generate_data(75_000, N_NUMBERS, LARGEST, alphabet)
    data_s = time.perf_counter() - start
    start = time.perf_counter()
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    fit_s = time.perf_counter() - start
    x_test, y_test = nb.generate_data(10_000, N_NUMBERS, LARGEST, alphabet)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    predicted = model.predict(x_test, verbose=0)
    exact = np.mean([nb.invert(p) == nb.invert(t) for p, t in zip(predicted, y_test, strict=True)])
    return {
        "fit_s": fit_s,
        "data_s": data_s,
        "exact": float(exact),
        "char_accuracy": accuracy,
        "loss": loss,
        "samples": 75_000,
    }


def ours_run(seed: int) -> dict:
    preset = PRESETS["notebook-perfect"]
    training = preset.training.__class__(**{**preset.training.to_dict(), "seed": seed})
    start = time.perf_counter()
    run = train(preset.spec, preset.model, training)
    total_s = time.perf_counter() - start
    predictor = run.predictor()
    fresh = evaluate(predictor.probabilities, preset.spec, 10_000)
    every = all_problems(preset.spec)
    complete = score(every, predictor.probabilities(every.inputs), examples=0)
    return {
        "fit_s": run.fit_seconds,
        "total_s": total_s,
        "exact": fresh.exact_match,
        "exact_all_1000": complete.exact_match,
        "char_accuracy": fresh.char_accuracy,
        "loss": fresh.loss,
        "samples": run.samples_seen,
        "status": run.status,
    }


def matmul_gflops(size: int = 2048, repeats: int = 5) -> float:
    """float32 matrix-product speed on every core (the predictor limits numpy to one)."""
    from threadpoolctl import threadpool_limits

    a = np.random.default_rng(0).random((size, size), dtype=np.float32)
    b = np.random.default_rng(1).random((size, size), dtype=np.float32)
    with threadpool_limits(limits=os.cpu_count(), user_api="blas"):
        a @ b
        best = min(_timed(lambda: a @ b) for _ in range(repeats))
    return 2 * size**3 / best / 1e9


def _timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1, help="runs of each side (medians kept)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    baseline, ours = [], []
    for repeat in range(args.repeats):
        baseline.append(notebook_run(args.seed + repeat))
        print("notebook:", json.dumps(baseline[-1]), flush=True)
        ours.append(ours_run(args.seed + repeat))
        print("ours:", json.dumps(ours[-1]), flush=True)

    def median(runs, key):
        return statistics.median(r[key] for r in runs)

    gflops = matmul_gflops()
    baseline_fit = median(baseline, "fit_s")
    ours_fit = median(ours, "fit_s")
    baseline_rate = 75_000 / baseline_fit
    bound = gflops * 1e9 / FLOP_PER_SAMPLE
    figures = {
        "baseline_fit_s": round(baseline_fit, 2),
        "baseline_exact": round(median(baseline, "exact"), 4),
        "baseline_samples_per_s": round(baseline_rate),
        "ours_fit_s": round(ours_fit, 2),
        "ours_total_s": round(median(ours, "total_s"), 2),
        "ours_exact": round(min(r["exact"] for r in ours), 4),
        "ours_exact_all_1000": round(min(r["exact_all_1000"] for r in ours), 4),
        "ours_samples_per_s": round(median(ours, "samples") / ours_fit),
        "time_ratio": round(ours_fit / baseline_fit, 3),
        "matmul_gflops": round(gflops, 1),
        "flop_bound_samples_per_s": round(bound),
        "baseline_flop_utilisation": round(baseline_rate / bound, 3),
        "repeats": args.repeats,
    }
    print(
        f"notebook: {baseline_fit:.1f} s fit, {figures['baseline_exact']:.2%} exact; "
        f"ours: {ours_fit:.1f} s fit, {figures['ours_exact']:.2%} exact "
        f"({figures['ours_exact_all_1000']:.2%} of all 1,000 questions); "
        f"time ratio {figures['time_ratio']}"
    )
    print(
        f"notebook throughput {baseline_rate:,.0f} samples/s against {bound:,.0f} that "
        f"{gflops:.0f} GFLOP/s allow at 1.6 MFLOP per sample "
        f"({figures['baseline_flop_utilisation']:.0%})"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
