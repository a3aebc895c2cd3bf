"""A corpus of hostile model folders, generated (never committed), for tests and a benchmark.

`write_model` makes a tiny valid model in Keras 3's file layout with h5py alone (no TensorFlow);
each `Case` damages a copy of it the way the reliability probe of issue 15 did (bad spec.json
fields, architectures that declare huge sizes, weights that lie about their shapes, links out of
the file, NaNs, names that can't be models). Every case must be refused in one sentence.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from core.model import ModelConfig
from core.model_files import Architecture, snake_case
from core.spec import ProblemSpec

SPEC = ProblemSpec()
"""The notebook's problem: 8×12 inputs, 2×12 answers."""


def _tensor(ref: tuple[str, int]) -> dict[str, Any]:
    history = [ref[0], 0, ref[1]]
    return {"class_name": "__keras_tensor__", "config": {"keras_history": history}}


def _layer(kind: str, name: str, config: dict[str, Any], inputs: list, listed=False) -> dict:
    args = [[_tensor(r) for r in inputs]] if listed else [_tensor(inputs[0])]
    return {
        "module": "keras.layers",
        "class_name": kind,
        "config": {"name": name, **config},
        "name": name,
        "inbound_nodes": [{"args": args, "kwargs": {}}],
    }


def architecture(units: int = 8, attention: bool = False) -> dict[str, Any]:
    """A Keras 3 functional architecture JSON like `core.model.build_model`'s."""
    lstm = {"activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": True}
    symbols = SPEC.alphabet_size
    layers = [
        {
            "class_name": "InputLayer",
            "config": {"batch_shape": [None, SPEC.input_length, symbols], "name": "expression"},
            "name": "expression",
            "inbound_nodes": [],
        },
        _layer(
            "LSTM",
            "encoder_1",
            {**lstm, "units": units, "return_sequences": attention, "return_state": attention},
            [("expression", 0)],
        ),
        _layer(
            "RepeatVector", "repeat", {"n": SPEC.output_length}, [("encoder_1", int(attention))]
        ),
        _layer(
            "LSTM", "decoder_1", {**lstm, "units": units, "return_sequences": True}, [("repeat", 0)]
        ),
    ]
    last = "decoder_1"
    if attention:
        layers += [
            _layer("Dense", "attention_keys", {"units": units}, [("encoder_1", 0)]),
            _layer(
                "Attention",
                "attention",
                {"use_scale": False, "score_mode": "dot"},
                [("decoder_1", 0), ("attention_keys", 0)],
                listed=True,
            ),
            _layer(
                "Concatenate",
                "attend",
                {"axis": -1},
                [("decoder_1", 0), ("attention", 0)],
                listed=True,
            ),
        ]
        last = "attend"
    dense = {"class_name": "Dense", "config": {"units": symbols, "activation": "softmax"}}
    layers.append(_layer("TimeDistributed", "answer", {"layer": dense}, [(last, 0)]))
    return {
        "module": "keras.src.models.functional",
        "class_name": "Functional",
        "config": {
            "name": "seq2add",
            "layers": layers,
            "input_layers": [["expression", 0, 0]],
            "output_layers": [["answer", 0, 0]],
        },
    }


def write_weights(path: Path, document: dict[str, Any], seed: int = 0) -> None:
    """Random weights for ``document`` in Keras 3's ``*.weights.h5`` layout."""
    plan = Architecture.parse(document)
    rng = np.random.default_rng(seed)
    seen: dict[str, int] = {}
    with h5py.File(path, "w") as handle:
        layers = handle.create_group("layers")
        handle.create_group("vars")
        for layer in plan.layers:
            key = snake_case(layer.kind)
            count = seen.get(key)
            seen[key] = 0 if count is None else count + 1
            if count is not None:
                key = f"{key}_{count + 1}"
            group = layers.create_group(key)
            inner = {"LSTM": "cell", "TimeDistributed": "layer"}.get(layer.kind)
            variables = (group.create_group(inner) if inner else group).create_group("vars")
            for index, shape in enumerate(layer.weight_shapes):
                values = (rng.normal(size=shape) * 0.3).astype(np.float32)
                variables.create_dataset(str(index), data=values)


def write_model(folder: Path, attention: bool = False) -> Path:
    """A tiny valid model folder (8-unit LSTMs) that `load_predictor` accepts."""
    folder.mkdir(parents=True)
    document = architecture(attention=attention)
    (folder / "architecture.json").write_text(json.dumps(document))
    write_weights(folder / "model.weights.h5", document)
    config = ModelConfig("attention" if attention else "seq2seq", 8, 8)
    spec_document = {
        "format": 1,
        "name": folder.name,
        "problem": SPEC.to_dict(),
        "model": config.to_dict(),
        "parameters": Architecture.parse(document).parameters,
        "training": {"samples": 1000, "epochs": 1, "batch_size": 64, "learning_rate": 0.01},
        "metrics": {"exact_match": 0.5, "char_accuracy": 0.7, "per_position": [0.6, 0.8]},
        "created": "2026-12-01T00:00:00+00:00",
    }
    (folder / "spec.json").write_text(json.dumps(spec_document))
    return folder


# -- damage ----------------------------------------------------------------------------------------


def _edit_json(name: str, edit: Callable[[Any], Any]) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        path = folder / name
        document = json.loads(path.read_text())
        result = edit(document)
        path.write_text(json.dumps(result if result is not None else document))

    return damage


def _spec(edit: Callable[[dict], Any]) -> Callable[[Path], None]:
    return _edit_json("spec.json", edit)


def _arch(edit: Callable[[dict], Any]) -> Callable[[Path], None]:
    return _edit_json("architecture.json", edit)


def _layer_config(name: str, **changes: Any) -> Callable[[dict], None]:
    def edit(document: dict) -> None:
        for layer in document["config"]["layers"]:
            if layer["name"] == name:
                layer["config"].update(changes)

    return edit


def _write(name: str, data: bytes | str) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        path = folder / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode())

    return damage


def _raw_json(name: str, text: str) -> Callable[[Path], None]:
    return _write(name, text)


def _weights(edit: Callable[[h5py.File], None]) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        with h5py.File(folder / "model.weights.h5", "r+") as handle:
            edit(handle)

    return damage


def _replace_dataset(path: str, **create: Any) -> Callable[[h5py.File], None]:
    def edit(handle: h5py.File) -> None:
        del handle[path]
        handle.create_dataset(path, **create)

    return edit


def _set_value(path: str, value: float) -> Callable[[h5py.File], None]:
    def edit(handle: h5py.File) -> None:
        data = handle[path][()]
        data.flat[0] = value
        handle[path][...] = data

    return edit


def _link(path: str, link_factory: Callable[[Path], Any]) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        weights = folder / "model.weights.h5"
        with h5py.File(weights, "r+") as handle:
            del handle[path]
            handle[path] = link_factory(folder)

    return damage


def _external(folder: Path) -> h5py.ExternalLink:
    other = folder.parent / f".{folder.name}.other.h5"
    with h5py.File(other, "w") as handle:
        handle.create_dataset("big", shape=(12, 32), dtype="f4")
    return h5py.ExternalLink(str(other), "big")


def _external_storage(folder: Path) -> None:
    raw = folder.parent / f".{folder.name}.raw"
    raw.write_bytes(b"\0" * (12 * 32 * 4))
    with h5py.File(folder / "model.weights.h5", "r+") as handle:
        path = "layers/lstm/cell/vars/0"
        del handle[path]
        handle.create_dataset(
            path, shape=(12, 32), dtype="f4", external=[(str(raw), 0, 12 * 32 * 4)]
        )


def _fifo(name: str) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        (folder / name).unlink()
        os.mkfifo(folder / name)

    return damage


def _symlink(name: str, target: str) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        (folder / name).unlink()
        (folder / name).symlink_to(target)

    return damage


def _wide_compressed(folder: Path) -> None:
    """Units the file can't honestly hold: 50 MB of zeros declared, gzip makes it kilobytes."""
    document = architecture(units=1024)
    (folder / "architecture.json").write_text(json.dumps(document))
    plan = Architecture.parse(document)
    seen: dict[str, int] = {}
    path = folder / "model.weights.h5"
    path.unlink()
    with h5py.File(path, "w") as handle:
        for layer in plan.layers:
            key = snake_case(layer.kind)
            count = seen.get(key)
            seen[key] = 0 if count is None else count + 1
            key = key if count is None else f"{key}_{count + 1}"
            inner = {"LSTM": "/cell", "TimeDistributed": "/layer"}.get(layer.kind, "")
            for index, shape in enumerate(layer.weight_shapes):
                handle.create_dataset(
                    f"layers/{key}{inner}/vars/{index}",
                    shape=shape,
                    dtype="f4",
                    compression="gzip",
                    fillvalue=0.0,
                )
    spec = json.loads((folder / "spec.json").read_text())
    spec["model"] = None
    (folder / "spec.json").write_text(json.dumps(spec))


def _rename(new_name: str) -> Callable[[Path], Path]:
    def damage(folder: Path) -> Path:
        target = folder.with_name(new_name)
        folder.rename(target)
        return target

    return damage


@dataclass(frozen=True)
class Case:
    """One hostile model: how it is damaged and which issue item it covers."""

    name: str
    damage: Callable[[Path], Any]
    item: str
    """What of issue 15 it reproduces."""
    attention: bool = False
    """Damage the attention model rather than the plain one."""
    importable: bool = True
    """Whether ``seq2add import`` reads the damaged files (spec.json cases it never reads)."""
    folder_name: bool = False
    """Whether the damage is to the folder's name (then no load by name is possible)."""
    memory_bomb: bool = False
    """Whether an unchecked load would allocate gigabytes (the subprocess test runs these)."""


W = "layers/lstm/cell/vars/0"  # the encoder's kernel, 12×32 in the tiny model

CASES: list[Case] = [
    # spec.json (issue item 2, 9, 10)
    Case("metrics-text", _spec(lambda d: d.update(metrics="abc")), "2", importable=False),
    Case("metrics-list", _spec(lambda d: d.update(metrics=[1, 2])), "2", importable=False),
    Case(
        "exact-text", _spec(lambda d: d["metrics"].update(exact_match="abc")), "2", importable=False
    ),
    Case(
        "spec-deep",
        _raw_json("spec.json", "[" * 100_000),
        "2",
        importable=False,
        memory_bomb=True,
    ),
    Case("spec-deep-objects", _raw_json("spec.json", '{"a":' * 50_000), "2", importable=False),
    Case("parameters-text", _spec(lambda d: d.update(parameters="abc")), "2", importable=False),
    Case(
        "samples-text",
        _spec(lambda d: d["training"].update(samples="many")),
        "2",
        importable=False,
    ),
    Case(
        "pad-side-markup",
        _spec(lambda d: d["problem"].update(pad_side="[/]")),
        "2",
        importable=False,
    ),
    Case(
        "exact-nan",
        _raw_json("spec.json", '{"problem": {}, "metrics": {"exact_match": NaN}}'),
        "9",
        importable=False,
    ),
    Case("no-problem", _spec(lambda d: d.pop("problem")), "2", importable=False),
    Case("terms-text", _spec(lambda d: d["problem"].update(min_terms="3")), "2", importable=False),
    Case(
        "largest-float", _spec(lambda d: d["problem"].update(largest=1e30)), "2", importable=False
    ),
    Case(
        "pad-char-number", _spec(lambda d: d["problem"].update(pad_char=5)), "2", importable=False
    ),
    Case(
        "model-units-huge",
        _spec(lambda d: d["model"].update(encoder_units=10**6)),
        "2",
        importable=False,
    ),
    Case("spec-not-utf8", _write("spec.json", b"\xff\xfe{}"), "2", importable=False),
    Case("spec-huge", _write("spec.json", b" " * 2_000_000 + b"{}"), "2", importable=False),
    Case("spec-fifo", _fifo("spec.json"), "2", importable=False),
    Case("spec-dev-zero", _symlink("spec.json", "/dev/zero"), "2", importable=False),
    Case("created-object", _spec(lambda d: d.update(created={"x": 1})), "2", importable=False),
    # architecture.json (items 3, 4)
    Case("repeat-1e6", _arch(_layer_config("repeat", n=1_000_000)), "3", memory_bomb=True),
    Case("repeat-1e9", _arch(_layer_config("repeat", n=1_000_000_000)), "3", memory_bomb=True),
    Case("repeat-float", _arch(_layer_config("repeat", n=1e6)), "3"),
    Case(
        "input-length-1e7",
        _arch(_layer_config("expression", batch_shape=[None, 10_000_000, 12])),
        "3",
        memory_bomb=True,
    ),
    Case("negative-batch", _arch(_layer_config("expression", batch_shape=[None, -8, 12])), "4"),
    Case("units-text", _arch(_layer_config("encoder_1", units="abc")), "4"),
    Case("units-huge", _arch(_layer_config("encoder_1", units=10**6)), "4"),
    Case("layers-numbers", _arch(lambda d: d["config"].update(layers=[1, 2])), "4"),
    Case("config-text", _arch(lambda d: d.update(config="abc")), "4"),
    Case("arch-deep", _raw_json("architecture.json", "[" * 100_000), "4", memory_bomb=True),
    Case(
        "lambda-layer", _arch(lambda d: d["config"]["layers"][2].update(class_name="Lambda")), "4"
    ),
    Case("activation-unknown", _arch(_layer_config("encoder_1", activation="gelu")), "4"),
    Case("return-sequences-text", _arch(_layer_config("decoder_1", return_sequences="yes")), "4"),
    Case(
        "dangling-input",
        _arch(
            lambda d: d["config"]["layers"][3]["inbound_nodes"][0]["args"][0]["config"].update(
                keras_history=["ghost", 0, 0]
            )
        ),
        "4",
    ),
    Case(
        "many-layers",
        _arch(lambda d: d["config"].update(layers=d["config"]["layers"] * 40)),
        "4",
    ),
    Case(
        "output-missing", _arch(lambda d: d["config"].update(output_layers=[["ghost", 0, 0]])), "4"
    ),
    Case(
        "wraps-lstm",
        _arch(lambda d: d["config"]["layers"][-1]["config"]["layer"].update(class_name="LSTM")),
        "4",
    ),
    Case("repeat-1000-mismatch", _arch(_layer_config("repeat", n=1000)), "3"),
    Case("concatenate-axis-9", _arch(_layer_config("attend", axis=9)), "4", attention=True),
    Case(
        "attention-scale-wrong-shape",
        lambda f: (
            _arch(_layer_config("attention", use_scale=True))(f),
            _weights(
                lambda h: h["layers/attention/vars"].create_dataset("0", data=np.ones(3, "f4"))
            )(f),
        ),
        "4",
        attention=True,
    ),
    Case("arch-not-utf8", _write("architecture.json", b"\xff\xfe"), "4"),
    # weights (items 3, 9)
    Case(
        "dataset-2gb",
        _weights(_replace_dataset(W, shape=(1, 500_000_000), dtype="f4")),
        "3",
        memory_bomb=True,
    ),
    Case(
        "dataset-480gb",
        _weights(_replace_dataset(W, shape=(400_000, 300_000), dtype="f4")),
        "3",
        memory_bomb=True,
    ),
    Case("compressed-zeros-50mb", _wide_compressed, "3", memory_bomb=True),
    Case("weights-nan", _weights(_set_value(W, float("nan"))), "9"),
    Case("weights-inf", _weights(_set_value(W, float("inf"))), "9"),
    Case("weights-int", _weights(_replace_dataset(W, data=np.ones((12, 32), "i8"))), "4"),
    Case("weights-text", _weights(_replace_dataset(W, data=np.array([b"abc"] * 12))), "4"),
    Case(
        "extra-array",
        _weights(lambda h: h["layers/lstm/cell/vars"].create_dataset("3", data=np.ones(2, "f4"))),
        "4",
    ),
    Case("external-link", _link(W, _external), "4"),
    Case("soft-link", _link(W, lambda f: h5py.SoftLink("/layers/lstm/cell/vars/1")), "4"),
    Case("external-storage", _external_storage, "4"),
    Case("no-layers-group", _weights(lambda h: h.__delitem__("layers")), "4"),
    Case(
        "weights-truncated",
        lambda f: _write("model.weights.h5", (f / "model.weights.h5").read_bytes()[:400])(f),
        "4",
    ),
    Case("weights-fifo", _fifo("model.weights.h5"), "4"),
    # folder names and missing files (item 10)
    Case("markup-name", _rename("x[bold]y"), "10", importable=False, folder_name=True),
    Case("space-name", _rename("has space"), "10", importable=False, folder_name=True),
    Case("only-spec", lambda f: (f / "model.weights.h5").unlink(), "10", importable=False),
]


def build_corpus(root: Path) -> dict[str, Path]:
    """Write every case (and the good models ``good`` and ``good-attention``) under ``root``."""
    write_model(root / "good")
    write_model(root / "good-attention", attention=True)
    folders = {}
    for case in CASES:
        folder = write_model(root / case.name, attention=case.attention)
        moved = case.damage(folder)
        folders[case.name] = moved if isinstance(moved, Path) else folder
    return folders


_MEASURED = """
import atexit, os, runpy, sys
def _peak():
    with open("/proc/self/status") as status:
        kb = next(line.split()[1] for line in status if line.startswith("VmHWM"))
    with open(os.environ["SEQ2ADD_PEAK_FILE"], "w") as out:
        out.write(kb)
atexit.register(_peak)
sys.argv = ["seq2add", *sys.argv[1:]]
runpy.run_module("seq2add_tui", run_name="__main__")
"""


def run_cli(args: list[str], timeout_s: float = 120) -> tuple[int, str, float, float]:
    """Run ``seq2add ARGS``; returns (exit status, stderr, peak RSS in MB, seconds).

    The peak is the process's own VmHWM, read at exit: ``ru_maxrss`` of a child would include
    the memory of the (possibly large) test process it was forked from.
    """
    with tempfile.NamedTemporaryFile("r", suffix=".kb") as peak:
        env = {
            **os.environ,
            "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
            "SEQ2ADD_PEAK_FILE": peak.name,
        }
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", _MEASURED, *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=env,
            timeout=timeout_s,
            text=True,
        )
        seconds = time.perf_counter() - started
        text = peak.read().strip()
    return done.returncode, done.stderr, int(text) / 1024 if text else float("nan"), seconds


def remove_corpus(root: Path) -> None:
    """Delete a corpus (FIFOs included)."""
    shutil.rmtree(root, ignore_errors=True)
