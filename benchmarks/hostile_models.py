"""Refusing hostile models (issue 15): the worst peak memory and time over the whole corpus.

Generates `tests/hostile_corpus.py`'s cases in a temporary library and runs, as separate
processes, ``seq2add models`` on the whole library and ``predict``, ``evaluate`` and ``quiz``
start-up on every case (and ``import`` on every case whose damage is to the files ``import``
reads). Each must exit 2 with one line (``models``: 0, listing them as unreadable). The baseline
is ``predict`` and ``evaluate`` on the good model, in the same run.

    nice -n 10 python benchmarks/hostile_models.py

Prints one JSON line last: corpus_size, refusals, worst_refusal_rss_mb, worst_refusal_s (of one
model's refusal), worst_rss_case, worst_time_case, models_listing_s (the whole corpus),
baseline_predict_rss_mb, baseline_predict_s, failures.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.hostile_corpus import CASES, build_corpus, run_cli


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "library"
        folders = build_corpus(root)
        base = ["--models-dir", str(root)]
        runs: list[tuple[str, str, int, str, float, float]] = []

        def run(case: str, command: list[str], expect: int) -> None:
            status, stderr, peak_mb, seconds = run_cli([*base, *command])
            ok = status == expect and stderr.count("\n") == (0 if expect == 0 else 1)
            ok = ok and "Traceback" not in stderr
            runs.append((case, command[0], status, "" if ok else stderr[-300:], peak_mb, seconds))

        baseline_predict = run_cli([*base, "predict", "good", "1+2+3"])
        baseline_evaluate = run_cli([*base, "evaluate", "good", "--samples", "100"])
        run("(whole corpus)", ["models"], 0)
        for case in CASES:
            name = folders[case.name].name
            run(case.name, ["predict", name, "1+2+3"], 2)
            run(case.name, ["evaluate", name, "--samples", "100"], 2)
            run(case.name, ["quiz", name], 2)
            if case.importable:
                arch = str(folders[case.name] / "architecture.json")
                weights = str(folders[case.name] / "model.weights.h5")
                command = ["import", arch, weights, "--terms", "3", "--largest", "10"]
                run(case.name, [*command, "--out", "imported"], 2)
    failures = [(case, command, status, why) for case, command, status, why, _, _ in runs if why]
    worst_rss = max(runs, key=lambda r: r[4])
    per_case = [r for r in runs if r[1] != "models"]  # one model refused each
    worst_time = max(per_case, key=lambda r: r[5])
    listing = next(r for r in runs if r[1] == "models")
    for case, command, status, why in failures:
        print(f"FAILED {case} {command}: exit {status}: {why}")
    print(
        f"{len(CASES)} cases, {len(runs)} refusals: worst peak {worst_rss[4]:.0f} MB "
        f"({worst_rss[0]} {worst_rss[1]}), worst time {worst_time[5]:.2f} s "
        f"({worst_time[0]} {worst_time[1]}); listing all {len(CASES) + 2} models "
        f"{listing[5]:.2f} s; baseline predict on a good model "
        f"{baseline_predict[2]:.0f} MB {baseline_predict[3]:.2f} s, evaluate "
        f"{baseline_evaluate[2]:.0f} MB {baseline_evaluate[3]:.2f} s"
    )
    print(
        json.dumps(
            {
                "corpus_size": len(CASES),
                "refusals": len(runs),
                "worst_refusal_rss_mb": round(worst_rss[4], 1),
                "worst_refusal_s": round(worst_time[5], 2),
                "worst_rss_case": f"{worst_rss[0]} {worst_rss[1]}",
                "worst_time_case": f"{worst_time[0]} {worst_time[1]}",
                "models_listing_s": round(listing[5], 2),
                "baseline_predict_rss_mb": round(baseline_predict[2], 1),
                "baseline_predict_s": round(baseline_predict[3], 2),
                "baseline_evaluate_rss_mb": round(baseline_evaluate[2], 1),
                "baseline_evaluate_s": round(baseline_evaluate[3], 2),
                "failures": len(failures),
            }
        )
    )


if __name__ == "__main__":
    main()
