"""Layering promises: core stays usable without Textual, and without TensorFlow where it can."""

import subprocess
import sys

LIGHT_MODULES = ["core", "core.spec", "core.data"]


def _imported_after(statement: str) -> set[str]:
    code = f"{statement}\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return {name.split(".")[0] for name in result.stdout.split()}


def test_core_imports_neither_tensorflow_nor_textual():
    loaded = _imported_after("\n".join(f"import {m}" for m in LIGHT_MODULES))
    assert "core" in loaded
    assert not loaded & {"tensorflow", "keras", "textual"}


def test_the_quiz_and_prediction_paths_never_load_tensorflow():
    modules = [
        "core.infer",
        "core.store",
        "core.evaluate",
        "core.presets",
        "core.train",
        "core.quiz",
        "core.leaderboard",
        "core.tutorial",
    ]
    loaded = _imported_after("\n".join(f"import {m}" for m in modules))
    assert not loaded & {"tensorflow", "keras", "textual"}
    quiz = _imported_after("import seq2add_tui.quiz_app, seq2add_tui.cli")
    assert "textual" in quiz and not quiz & {"tensorflow", "keras"}
