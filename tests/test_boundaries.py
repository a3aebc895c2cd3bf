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
