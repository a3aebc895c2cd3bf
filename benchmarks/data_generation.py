"""Generate one-hot samples of the notebook's problem with the notebook's pipeline and with core.

Both run in the same process, so the ratio holds on a noisy machine. Each side keeps its best
time over ``--repeats`` runs; core's peak memory is measured in a separate traced run.

    .venv/bin/python benchmarks/data_generation.py [--samples 1000000] [--repeats 3]

The last line printed is JSON with seed_gen_s, core_gen_s, gen_speedup, core_peak_mb, array_mb.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import notebook_pipeline

from core.data import generate
from core.spec import ProblemSpec


def best_time(function, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
        del result
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    spec = ProblemSpec()
    n = args.samples

    seed_s = best_time(lambda: notebook_pipeline.generate_data(n), max(1, args.repeats - 1))
    print(f"notebook pipeline: {seed_s:.2f} s for {n:,} one-hot samples", flush=True)
    core_s = best_time(lambda: generate(spec, n, seed=0, one_hot=True), args.repeats)
    print(f"core.data.generate: {core_s:.3f} s", flush=True)

    gc.collect()
    tracemalloc.start()
    batch = generate(spec, n, seed=0, one_hot=True)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    one_hot_mb = (batch.x.nbytes + batch.y.nbytes) / 1e6
    figures = {
        "samples": n,
        "seed_gen_s": round(seed_s, 3),
        "core_gen_s": round(core_s, 4),
        "gen_speedup": round(seed_s / core_s, 1),
        "core_peak_mb": round(peak / 1e6, 1),
        "array_mb": round(batch.nbytes / 1e6, 1),
        "one_hot_mb": round(one_hot_mb, 1),
        "peak_over_arrays": round(peak / batch.nbytes, 3),
    }
    print(
        f"speed-up {figures['gen_speedup']}x; peak {figures['core_peak_mb']} MB for "
        f"{figures['array_mb']} MB of arrays"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
