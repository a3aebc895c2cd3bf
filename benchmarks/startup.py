"""Time from launching the app to its first painted screen, against a bare ``import tensorflow``.

Each repetition is a fresh process (imports are what is measured): a headless run of the real app
with the shipped models folder, stopped as soon as Textual reports the first screen ready
(``events.Ready``, posted after the first compositor refresh). The clock starts in this process
just before the child is spawned, so interpreter start-up counts too. The TensorFlow baseline is a
child that only imports TensorFlow, timed the same way, in the same run.

    .venv/bin/python benchmarks/startup.py [--repeats 5]

The last line printed is JSON with first_paint_s, tensorflow_import_s and ratio (medians), plus
every repetition and whether TensorFlow was in memory when the first screen was ready.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

APP_CHILD = """
import sys, time
sys.path.insert(0, {root!r})
from seq2add_tui.app import Seq2AddApp

class TimedApp(Seq2AddApp):
    def on_ready(self) -> None:
        stamp = (time.time(), "tensorflow" in sys.modules)
        self.call_later(self.exit, stamp)  # after the app's own on_ready

stamp, tensorflow_loaded = TimedApp().run(headless=True, size=(80, 24))
print(stamp, tensorflow_loaded)
"""

TENSORFLOW_CHILD = """
import os, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow
print(time.time(), True)
"""


def child_seconds(code: str) -> tuple[float, bool]:
    """Seconds from spawning ``code`` to the wall-clock stamp it prints, and its flag."""
    started = time.time()
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=120,
    )
    stamp, flag = result.stdout.split()[-2:]
    return float(stamp) - started, flag == "True"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    child_seconds(APP_CHILD.format(root=str(ROOT)))  # warm the OS file cache for both sides
    child_seconds(TENSORFLOW_CHILD)
    paints, imports, tensorflow_at_paint = [], [], []
    for repeat in range(1, args.repeats + 1):
        paint_s, loaded = child_seconds(APP_CHILD.format(root=str(ROOT)))
        import_s, _ = child_seconds(TENSORFLOW_CHILD)
        paints.append(paint_s)
        imports.append(import_s)
        tensorflow_at_paint.append(loaded)
        print(
            f"run {repeat}: first paint {paint_s:.3f} s · import tensorflow {import_s:.3f} s"
            f"{' · TensorFlow was loaded!' if loaded else ''}",
            flush=True,
        )
    first_paint_s = statistics.median(paints)
    tensorflow_import_s = statistics.median(imports)
    print(
        f"median first paint {first_paint_s:.3f} s (best {min(paints):.3f} s), "
        f"median import tensorflow {tensorflow_import_s:.3f} s: "
        f"{first_paint_s / tensorflow_import_s:.0%} of it"
    )
    print(
        json.dumps(
            {
                "first_paint_s": round(first_paint_s, 3),
                "first_paint_best_s": round(min(paints), 3),
                "tensorflow_import_s": round(tensorflow_import_s, 3),
                "ratio": round(first_paint_s / tensorflow_import_s, 3),
                "repeats": args.repeats,
                "first_paint_runs_s": [round(p, 3) for p in paints],
                "tensorflow_import_runs_s": [round(i, 3) for i in imports],
                "tensorflow_loaded_at_first_paint": any(tensorflow_at_paint),
            }
        )
    )


if __name__ == "__main__":
    main()
