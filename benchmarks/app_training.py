"""The `notebook` preset trained in the app (headless, Training panel on screen) against
`seq2add train --preset notebook`, in the same run.

Each side is a fresh process, in pairs that take turns going first (app then CLI, then CLI then
app…), so load from other work on the machine, and whatever the first of a pair leaves warm,
falls on both alike. The fit time is core's own (``TrainingRun.fit_seconds``: time
inside Keras' fit), read from the app's finished run and from the CLI's saved ``spec.json``; the
total is from the click on Train (or the command's start) to the scored model.

    .venv/bin/python benchmarks/app_training.py [--repeats 8] [--cpus 0]

On this 2-core machine the same fit in a fresh process takes 9–12 s one minute and 16–24 s the
next (on both sides, with TensorFlow's default threads or one intra-op thread), and one pair's
ratio can land anywhere from 0.5 to 2: one pair proves nothing, so the default is eight pairs
and the figures are medians. Each pair's ratio is printed as it finishes and listed in the JSON,
with the load average and the CPU time the hypervisor stole (``/proc/stat``) over the whole run,
so a disturbed run shows itself. ``--cpus 0`` runs both sides on one CPU, where a fit varies
far less and the app's UI can only take its time from the training.

The last line printed is JSON with app_fit_s, cli_fit_s and app_over_cli (the medians of the
app's and the CLI's fits, and their ratio; target ≤ 1.10), median_pair_ratio, and every
repetition.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

APP_CHILD = """
import json, sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from textual import on
from core.quiet import divert_native_stderr
from seq2add_tui.app import Seq2AddApp
from seq2add_tui.messages import TrainingDone

class TimedApp(Seq2AddApp):
    def on_ready(self) -> None:  # (Textual runs the app's own on_ready as well)
        self.set_timer(0.5, self.go)

    def go(self) -> None:
        form = self.config_form
        # The form is mounted after the first paint; a Select whose own parts are not composed
        # yet can't take a preset's value (Textual raises NoMatches for its label).
        if form is None or not form.query("#ops") or not all(
            select.query("#label") for select in form.query("Select")
        ):
            self.set_timer(0.2, self.go)
            return
        self.use_preset("notebook")
        self.started = time.perf_counter()
        self.action_start_training()

    @on(TrainingDone)
    def done(self, message: TrainingDone) -> None:
        run = message.run
        figures = dict(
            fit_s=run.fit_seconds,
            total_s=time.perf_counter() - self.started,
            exact=message.evaluation.exact_match if message.evaluation else None,
            samples=run.samples_seen,
        )
        self.call_later(self.exit, figures)

divert_native_stderr()  # as run_app does: TensorFlow's environment is the CLI's
folder = Path({folder!r})
app = TimedApp(models_dir=folder / "models", db_path=folder / "scores.db")
print(json.dumps(app.run(headless=True, size=(80, 24))))
"""


def pinned(cpus: set[int] | None):
    """What a child runs before it starts: stay on ``cpus`` (None: wherever the kernel likes)."""
    if cpus is None:
        return None
    return lambda: os.sched_setaffinity(0, cpus)


def run_child(
    command: list[str], cpus: set[int] | None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` from the repository, on ``cpus`` if given; raises if it fails."""
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=env,
        timeout=1800,
        preexec_fn=pinned(cpus),
    )


def app_side(folder: Path, cpus: set[int] | None = None) -> dict:
    """The app in a child process; its figures."""
    code = APP_CHILD.format(root=str(ROOT), folder=str(folder))
    result = run_child([sys.executable, "-c", code], cpus)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    if not isinstance(figures, dict):  # the app ended without a finished run
        raise RuntimeError(f"the app run gave no figures:\n{result.stderr[-3000:]}")
    return figures


def cli_side(folder: Path, repeat: int, cpus: set[int] | None = None) -> dict:
    """``seq2add train --preset notebook`` in a child process; its figures from spec.json."""
    name = f"cli-{repeat}"
    command = [sys.executable, "-m", "seq2add_tui", "train", "--preset", "notebook"]
    command += ["--out", name, "--models-dir", str(folder / "models")]
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    run_child(command, cpus, environment)
    total_s = time.perf_counter() - started
    spec = json.loads((folder / "models" / name / "spec.json").read_text())
    return {
        "fit_s": spec["training"]["fit_seconds"],
        "total_s": total_s,
        "exact": spec["metrics"]["exact_match"],
        "samples": spec["training"]["samples_seen"],
    }


def load_average() -> float:
    """The 1-minute load average."""
    return os.getloadavg()[0]


def stolen_seconds() -> float:
    """CPU time the hypervisor has taken from this machine since boot (``steal`` in /proc/stat)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=8, help="pairs of runs (default 8)")
    parser.add_argument(
        "--cpus",
        help="run both sides on these CPUs only, e.g. 0 (sched_setaffinity): on one CPU the "
        "fits vary far less than on two, and every cycle the app's UI spends is taken from "
        "training",
    )
    args = parser.parse_args()
    cpus = {int(cpu) for cpu in args.cpus.split(",")} if args.cpus else None
    apps, clis = [], []
    loads = [load_average()]
    stolen = stolen_seconds()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        for repeat in range(1, args.repeats + 1):
            if repeat % 2:
                apps.append(app_side(folder, cpus))
                clis.append(cli_side(folder, repeat, cpus))
            else:
                clis.append(cli_side(folder, repeat, cpus))
                apps.append(app_side(folder, cpus))
            loads.append(load_average())
            print(
                f"pair {repeat}: app fit {apps[-1]['fit_s']:.1f} s "
                f"(total {apps[-1]['total_s']:.1f} s, exact {apps[-1]['exact']:.2%}) · "
                f"cli fit {clis[-1]['fit_s']:.1f} s "
                f"(total {clis[-1]['total_s']:.1f} s, exact {clis[-1]['exact']:.2%}) · "
                f"app/cli {apps[-1]['fit_s'] / clis[-1]['fit_s']:.3f} · load {loads[-1]:.2f}",
                flush=True,
            )
    app_fit_s = statistics.median(r["fit_s"] for r in apps)
    cli_fit_s = statistics.median(r["fit_s"] for r in clis)
    ratios = [a["fit_s"] / c["fit_s"] for a, c in zip(apps, clis, strict=True)]
    print(
        json.dumps(
            {
                "app_fit_s": round(app_fit_s, 2),
                "cli_fit_s": round(cli_fit_s, 2),
                "app_over_cli": round(app_fit_s / cli_fit_s, 3),
                "app_total_s": round(statistics.median(r["total_s"] for r in apps), 2),
                "cli_total_s": round(statistics.median(r["total_s"] for r in clis), 2),
                "median_pair_ratio": round(statistics.median(ratios), 3),
                "pair_ratios": [round(r, 3) for r in ratios],
                "app_fit_runs_s": [round(r["fit_s"], 2) for r in apps],
                "cli_fit_runs_s": [round(r["fit_s"], 2) for r in clis],
                "repeats": args.repeats,
                "cpus": sorted(cpus) if cpus else "all",
                "load_average": [round(min(loads), 2), round(max(loads), 2)],
                "stolen_s": round(stolen_seconds() - stolen, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
