"""The model library on disk: ``saved_models/<name>/`` with architecture, weights and spec.

Each model is a folder of three files: ``architecture.json`` (Keras' ``model.to_json()``, as the
notebook saves it), ``model.weights.h5`` (HDF5 weights) and ``spec.json`` (the problem, training
settings, metrics and versions). Saving writes a hidden folder and renames it into place, so a
crash or Ctrl-C never leaves half a model; loading checks that the three files agree.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import sys
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from core.infer import ModelFileError, Predictor, network_from_files
from core.model import ModelConfig
from core.spec import ProblemSpec, SpecError

if TYPE_CHECKING:
    import keras

ARCHITECTURE_FILE = "architecture.json"
WEIGHTS_FILE = "model.weights.h5"
SPEC_FILE = "spec.json"
FORMAT_VERSION = 1

MODELS_ENV = "SEQ2ADD_MODELS"
"""Environment variable naming another models folder."""

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class ModelError(ValueError):
    """A model can't be found, saved, loaded or deleted; the message is one sentence to show."""


def default_models_dir() -> Path:
    """``$SEQ2ADD_MODELS``, or the ``saved_models/`` folder shipped with the project."""
    configured = os.environ.get(MODELS_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path(__file__).resolve().parents[1] / "saved_models"


def check_name(name: str) -> str:
    """Return ``name`` if it is a safe folder name, else raise ModelError saying why."""
    if not name or not name.strip():
        raise ModelError("Give the model a name.")
    if "/" in name or "\\" in name or ".." in name:
        raise ModelError(f"{name!r} can't be a model name: no slashes or '..'.")
    if not _NAME.fullmatch(name):
        raise ModelError(
            f"{name!r} can't be a model name: use up to 64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit."
        )
    return name


@dataclass(frozen=True)
class ModelInfo:
    """What ``spec.json`` says about a saved model, or why it can't be read."""

    name: str
    """Folder name."""
    path: Path
    """The model's folder."""
    spec: ProblemSpec | None = None
    """The problem it learned (None if unreadable)."""
    model: ModelConfig | None = None
    """Its architecture settings (None if unreadable or imported from elsewhere)."""
    metrics: dict[str, Any] = field(default_factory=dict)
    """Evaluation summary recorded at save time."""
    training: dict[str, Any] = field(default_factory=dict)
    """Training settings recorded at save time."""
    created: str = ""
    """ISO time it was saved."""
    parameters: int | None = None
    """Trainable parameter count."""
    error: str | None = None
    """Why the model can't be used, if it can't."""

    @property
    def usable(self) -> bool:
        """Whether spec.json could be read."""
        return self.error is None

    @property
    def exact_match(self) -> float | None:
        """Recorded exact-match accuracy, if any."""
        value = self.metrics.get("exact_match")
        return float(value) if value is not None else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary for ``seq2add models --json``."""
        return {
            "name": self.name,
            "path": str(self.path),
            "usable": self.usable,
            "error": self.error,
            "problem": self.spec.describe() if self.spec else None,
            "spec": self.spec.to_dict() if self.spec else None,
            "model": self.model.to_dict() if self.model else None,
            "parameters": self.parameters,
            "metrics": self.metrics,
            "training": self.training,
            "created": self.created,
        }


def read_info(path: Path) -> ModelInfo:
    """Read a model folder's ``spec.json``; problems become ``error``, never exceptions."""
    name = path.name
    spec_path = path / SPEC_FILE
    missing = [f for f in (ARCHITECTURE_FILE, WEIGHTS_FILE, SPEC_FILE) if not (path / f).is_file()]
    if missing:
        return ModelInfo(name, path, error=f"{', '.join(missing)} missing")
    try:
        data = json.loads(spec_path.read_text())
        spec = ProblemSpec.from_dict(data["problem"])
        model = ModelConfig.from_dict(data["model"]) if data.get("model") else None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return ModelInfo(name, path, error=f"spec.json unreadable ({error.__class__.__name__})")
    except (KeyError, TypeError, AttributeError):
        return ModelInfo(name, path, error="spec.json lacks a problem description")
    except SpecError as error:
        return ModelInfo(name, path, error=f"spec.json describes an invalid problem: {error}")
    return ModelInfo(
        name,
        path,
        spec=spec,
        model=model,
        metrics=dict(data.get("metrics") or {}),
        training=dict(data.get("training") or {}),
        created=str(data.get("created", "")),
        parameters=data.get("parameters"),
    )


def list_models(root: Path | None = None) -> list[ModelInfo]:
    """Every model folder under ``root``, readable or not, sorted by name."""
    root = root or default_models_dir()
    if not root.is_dir():
        return []
    folders = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    return [read_info(p) for p in sorted(folders, key=lambda p: p.name.lower())]


def resolve(model: str | Path, root: Path | None = None) -> Path:
    """The folder of ``model``: a name in the library, or a path to a model folder."""
    root = root or default_models_dir()
    text = str(model)
    candidate = Path(text).expanduser()
    looks_like_path = os.sep in text or text.startswith(".") or candidate.is_absolute()
    if looks_like_path:
        if (candidate / SPEC_FILE).exists() or (candidate / ARCHITECTURE_FILE).exists():
            return candidate
        if not candidate.exists():
            raise ModelError(f"{text} does not exist.")
        raise ModelError(f"{text} is not a model folder (it has no {SPEC_FILE}).")
    folder = root / check_name(text)
    if folder.is_dir():
        return folder
    names = [info.name for info in list_models(root)]
    known = f"; available: {', '.join(names)}" if names else f"; {root} has no models yet"
    raise ModelError(f"No model named {text!r} in {root}{known}.")


def _checked_info(folder: Path) -> ModelInfo:
    info = read_info(folder)
    if not info.usable or info.spec is None:
        raise ModelError(f"Model {folder.name!r} can't be loaded: {info.error}.")
    return info


def _check_shapes(name: str, spec: ProblemSpec, inputs: tuple, outputs: tuple) -> None:
    expected_in = (spec.input_length, spec.alphabet_size)
    expected_out = (spec.output_length, spec.alphabet_size)
    if tuple(inputs) != expected_in or tuple(outputs) != expected_out:
        raise ModelError(
            f"Model {name!r} doesn't match its spec.json: the architecture maps "
            f"{inputs[0]}×{inputs[1]} to {outputs[0]}×{outputs[1]}, but the problem needs "
            f"{expected_in[0]}×{expected_in[1]} to {expected_out[0]}×{expected_out[1]}."
        )


def load_predictor(model: str | Path, root: Path | None = None) -> Predictor:
    """Load a saved model as a numpy `Predictor` (no TensorFlow), checking its files agree."""
    folder = resolve(model, root)
    info = _checked_info(folder)
    try:
        network = network_from_files(folder / ARCHITECTURE_FILE, folder / WEIGHTS_FILE)
        output_shape = network.output_shape
    except ModelFileError as error:
        raise ModelError(f"Model {folder.name!r} can't be loaded: {error}") from error
    _check_shapes(folder.name, info.spec, network.input_shape, output_shape)
    return Predictor(info.spec, network, name=folder.name)


def load_keras_model(model: str | Path, root: Path | None = None) -> tuple[keras.Model, ModelInfo]:
    """Load a saved model into Keras (safe mode, no pickles) to compare it or, compiled, train it.

    It comes back uncompiled: the weights file holds no optimizer state to restore.
    """
    folder = resolve(model, root)
    info = _checked_info(folder)
    load_predictor(folder)  # validates the files the same way first
    try:
        network = _uncompiled((folder / ARCHITECTURE_FILE).read_text())
        network.load_weights(folder / WEIGHTS_FILE)
    except Exception as error:  # Keras raises many kinds; all mean the same to a user
        raise ModelError(f"Keras can't load model {folder.name!r}: {error}") from error
    return network, info


def library_versions() -> dict[str, str]:
    """Versions of what made the model, for spec.json."""
    import h5py

    versions = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "h5py": h5py.__version__,
    }
    for module in ("keras", "tensorflow"):
        loaded = sys.modules.get(module)
        if loaded is not None:
            versions[module] = getattr(loaded, "__version__", "?")
    try:
        from importlib.metadata import version

        versions["seq2add"] = version("seq2add")
    except Exception:  # not installed as a package (e.g. run from a checkout)
        versions["seq2add"] = "unknown"
    return versions


def save_model(
    network: keras.Model,
    spec: ProblemSpec,
    name: str,
    *,
    root: Path | None = None,
    model_config: ModelConfig | None = None,
    training: dict[str, Any] | None = None,
    metrics: dict[str, Any] | None = None,
    overwrite: bool = False,
) -> Path:
    """Save ``network`` as ``root/name`` atomically and return its folder.

    Refuses to replace an existing model unless ``overwrite``. The files are checked by loading
    them back with the numpy predictor before the folder is renamed into place.
    """
    root = root or default_models_dir()
    check_name(name)
    target = root / name
    if target.exists() and not overwrite:
        raise ModelError(
            f"A model named {name!r} already exists; pick another name or overwrite it."
        )
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f".{name}.saving-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        architecture = network.to_json()
        (staging / ARCHITECTURE_FILE).write_text(architecture)
        _bare_copy(network, architecture).save_weights(staging / WEIGHTS_FILE)
        document = {
            "format": FORMAT_VERSION,
            "name": name,
            "problem": spec.to_dict(),
            "model": model_config.to_dict() if model_config else None,
            "parameters": int(network.count_params()),
            "training": training or {},
            "metrics": metrics or {},
            "versions": library_versions(),
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        (staging / SPEC_FILE).write_text(json.dumps(document, indent=2) + "\n")
        load_predictor(staging)
        _replace(staging, target, overwrite)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _bare_copy(network: keras.Model, architecture: str) -> keras.Model:
    """The same layers and weights without an optimizer, whose state would triple the file."""
    copy = _uncompiled(architecture)
    copy.set_weights(network.get_weights())
    return copy


def _uncompiled(architecture: str) -> keras.Model:
    """The model an architecture JSON describes, safely, without rebuilding its optimizer."""
    import keras

    config = json.loads(architecture)
    config.pop("compile_config", None)  # with it, Keras would rebuild, save and load the optimizer
    return keras.saving.deserialize_keras_object(config, safe_mode=True)


def _replace(staging: Path, target: Path, overwrite: bool) -> None:
    """Move ``staging`` to ``target``, swapping out an old model only when allowed."""
    if not target.exists():
        try:
            os.rename(staging, target)
            return
        except OSError as error:
            if not target.exists():
                raise ModelError(f"Could not save {target.name!r}: {error.strerror}.") from error
    if not overwrite:
        raise ModelError(f"A model named {target.name!r} already exists; pick another name.")
    retired = target.with_name(f".{target.name}.replaced-{uuid.uuid4().hex[:8]}")
    try:
        os.rename(target, retired)
    except OSError as error:
        raise ModelError(f"Could not replace {target.name!r}: {error.strerror}.") from error
    try:
        os.rename(staging, target)
    except OSError as error:
        os.rename(retired, target)  # put the old model back where it was
        raise ModelError(f"Could not replace {target.name!r}: {error.strerror}.") from error
    shutil.rmtree(retired, ignore_errors=True)


def delete_model(name: str, root: Path | None = None) -> None:
    """Remove a model folder from the library."""
    root = root or default_models_dir()
    folder = root / check_name(name)
    if not folder.is_dir():
        raise ModelError(f"No model named {name!r} in {root}.")
    retired = root / f".{name}.deleting-{uuid.uuid4().hex[:8]}"
    try:
        os.rename(folder, retired)
    except OSError as error:
        raise ModelError(f"Could not delete {name!r}: {error.strerror}.") from error
    shutil.rmtree(retired, ignore_errors=True)
