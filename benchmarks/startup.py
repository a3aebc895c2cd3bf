"""Time from launching the app to its first painted screen, against a bare ``import tensorflow``.

Each repetition is a fresh process (imports are what is measured): a headless run of the real app
with the shipped models folder. The clock starts in this process just before the child is
spawned, so interpreter start-up counts too. Three stamps are taken:

- first paint: Textual reports the first screen ready (``events.Ready``, posted after the first
  compositor refresh);
- playable: the shipped model is the quiz's opponent and that screen has been drawn;
- the floor: a bare ``textual.app.App`` painting its (empty) first screen the same way, so what
  is Textual's own start-up and what is ours can be told apart.

The TensorFlow baseline is a child that only imports TensorFlow, timed the same way, in the same
run.

Python byte-compiles each module once and reuses the ``.pyc`` (pip writes them at install). This
machine sets ``PYTHONDONTWRITEBYTECODE``, under which every launch compiled our ~65 modules from
source again (about a tenth of a second); the children therefore keep their byte code in
``benchmarks/out/pycache`` (``PYTHONPYCACHEPREFIX``), filled by the warm-up run.
``--no-bytecode-cache`` measures the old way.

    .venv/bin/python benchmarks/startup.py [--repeats 5] [--no-bytecode-cache]

The last line printed is JSON with first_paint_s, tensorflow_import_s and ratio (medians),
playable_s and bare_textual_first_paint_s (medians), plus every repetition and whether
TensorFlow was in memory when the first screen was ready.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYCACHE = ROOT / "benchmarks" / "out" / "pycache"

APP_CHILD = """
import sys, time
sys.path.insert(0, {root!r})
from seq2add_tui.app import Seq2AddApp

class TimedApp(Seq2AddApp):
    painted = None

    def on_ready(self) -> None:
        self.painted = (time.time(), "tensorflow" in sys.modules)

    def watch_current_model(self, current) -> None:
        super().watch_current_model(current)
        if current is not None:
            self.call_after_refresh(lambda: self.exit((*self.painted, time.time())))

painted, tensorflow_loaded, playable = TimedApp().run(headless=True, size=(80, 24))
print(painted, playable, tensorflow_loaded)
"""

BARE_TEXTUAL_CHILD = """
import time
from textual.app import App

class Bare(App):
    def on_ready(self) -> None:
        self.call_later(self.exit, time.time())

stamp = Bare().run(headless=True, size=(80, 24))
print(stamp, False)
"""

TENSORFLOW_CHILD = """
import os, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow
print(time.time(), True)
"""


def child_env(bytecode_cache: bool) -> dict[str, str]:
    """The children's environment: with a byte-code cache, or compiling from source each time."""
    env = dict(os.environ)
    if bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    return env


def child_seconds(code: str, env: dict[str, str]) -> tuple[list[float], bool]:
    """Seconds from spawning ``code`` to each wall-clock stamp it prints, and its last flag."""
    started = time.time()
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    *stamps, flag = result.stdout.split()
    return [float(stamp) - started for stamp in stamps], flag == "True"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="compile every module from source in every child (PYTHONDONTWRITEBYTECODE)",
    )
    args = parser.parse_args()
    env = child_env(bytecode_cache=not args.no_bytecode_cache)
    app_child = APP_CHILD.format(root=str(ROOT))

    # Warm the OS file cache (and the byte-code cache) for every side.
    for code in (app_child, BARE_TEXTUAL_CHILD, TENSORFLOW_CHILD):
        child_seconds(code, env)
    paints, playables, floors, imports, tensorflow_at_paint = [], [], [], [], []
    for repeat in range(1, args.repeats + 1):
        (paint_s, playable_s), loaded = child_seconds(app_child, env)
        (floor_s,), _ = child_seconds(BARE_TEXTUAL_CHILD, env)
        (import_s,), _ = child_seconds(TENSORFLOW_CHILD, env)
        paints.append(paint_s)
        playables.append(playable_s)
        floors.append(floor_s)
        imports.append(import_s)
        tensorflow_at_paint.append(loaded)
        print(
            f"run {repeat}: first paint {paint_s:.3f} s · playable {playable_s:.3f} s · "
            f"bare Textual {floor_s:.3f} s · import tensorflow {import_s:.3f} s"
            f"{' · TensorFlow was loaded!' if loaded else ''}",
            flush=True,
        )
    first_paint_s = statistics.median(paints)
    tensorflow_import_s = statistics.median(imports)
    print(
        f"median first paint {first_paint_s:.3f} s (best {min(paints):.3f} s), "
        f"playable {statistics.median(playables):.3f} s, "
        f"bare Textual {statistics.median(floors):.3f} s, "
        f"median import tensorflow {tensorflow_import_s:.3f} s: "
        f"first paint is {first_paint_s / tensorflow_import_s:.0%} of it"
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
                "playable_s": round(statistics.median(playables), 3),
                "bare_textual_first_paint_s": round(statistics.median(floors), 3),
                "bytecode_cache": not args.no_bytecode_cache,
                "load_average_1min": round(os.getloadavg()[0], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
