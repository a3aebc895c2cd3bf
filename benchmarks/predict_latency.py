"""Latency of answering one question: Keras (call and predict) against the numpy predictor.

Both load the same shipped model in the same process; each figure is the median over many
single-question calls after a warm-up.

    .venv/bin/python benchmarks/predict_latency.py [--model notebook-perfect] [--repeats 300]

The last line printed is JSON with keras_call_ms, keras_predict_ms, numpy_ms (one typed
question answered end to end: parse, encode, forward pass, decode), numpy_forward_ms and
predict_speedup (keras_call_ms / numpy_ms).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from core.data import encode_expressions, generate, parse_expression, to_one_hot
from core.presets import DEFAULT_OPPONENT
from core.store import load_keras_model, load_predictor


def median_ms(function, repeats: int) -> float:
    for _ in range(min(20, repeats)):
        function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=DEFAULT_OPPONENT)
    parser.add_argument("--repeats", type=int, default=300)
    args = parser.parse_args()

    predictor = load_predictor(args.model)
    spec = predictor.spec
    questions = generate(spec, args.repeats, seed=3).expressions
    cycle = iter(questions * 1000)
    one_input = encode_expressions(spec, [parse_expression(spec, questions[0])])
    one_hot = to_one_hot(one_input, spec.alphabet_size)

    numpy_ms = median_ms(lambda: predictor.answer(next(cycle)), args.repeats)
    forward_ms = median_ms(lambda: predictor.network(one_hot), args.repeats)
    model, _ = load_keras_model(args.model)
    keras_call_ms = median_ms(lambda: model(one_hot, training=False), args.repeats)
    keras_predict_ms = median_ms(
        lambda: model.predict(one_hot, verbose=0), max(30, args.repeats // 5)
    )

    figures = {
        "model": args.model,
        "keras_call_ms": round(keras_call_ms, 3),
        "keras_predict_ms": round(keras_predict_ms, 3),
        "numpy_ms": round(numpy_ms, 3),
        "numpy_forward_ms": round(forward_ms, 3),
        "predict_speedup": round(keras_call_ms / numpy_ms, 1),
    }
    print(
        f"one question: numpy {numpy_ms:.3f} ms (forward pass {forward_ms:.3f} ms), "
        f"Keras call {keras_call_ms:.1f} ms, Keras predict {keras_predict_ms:.1f} ms"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
