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


TRAINING_MODULES = {"model", "train", "store"}
"""The core modules that may import TensorFlow/Keras, inside the functions that build, train,
save or compare in Keras (the store's numpy loading path never does)."""


def _imports_anywhere(path) -> set[str]:
    """Top-level package names imported anywhere in a file, function bodies included."""
    import ast

    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_no_core_module_imports_textual_and_only_training_ones_import_tensorflow():
    from pathlib import Path

    import core

    modules = sorted(Path(core.__file__).parent.glob("*.py"))
    assert len(modules) > 10  # every module of core, found on disk, not a hand-made list
    for path in modules:
        imported = _imports_anywhere(path)
        assert "textual" not in imported, path.name
        if path.stem not in TRAINING_MODULES:
            assert not imported & {"tensorflow", "keras"}, path.name


def _module_imports(path, name: str, known: set[str]) -> set[str]:
    """Project modules a file imports anywhere (type-only and in-function imports included)."""
    import ast

    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package, up level - 1
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            # `from package import module` imports that module (the package's __init__ runs
            # first, but that is Python's doing, not a dependency the file declares);
            # `from module import name` imports the module.
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        else:
            continue
        found |= {target for target in targets if target in known}
    return found - {name}


def test_there_is_no_import_cycle_in_core_or_the_ui():
    # Even a type-only cycle (messages.py importing the app for one class) ties two layers
    # together: a record both need belongs below both.
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    files = {}
    for package in ("core", "seq2add_tui"):
        for path in (root / package).rglob("*.py"):
            parts = path.relative_to(root).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            files[name] = path
    assert {"core.train", "seq2add_tui.app", "seq2add_tui.messages"} <= set(files)
    graph = {name: _module_imports(path, name, set(files)) for name, path in files.items()}

    cycles = []
    state: dict[str, str] = {}  # "open" while on the current path, "done" after

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == [], " ; ".join(" → ".join(cycle) for cycle in cycles)
