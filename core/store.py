"""The model library on disk: ``saved_models/<name>/`` with architecture, weights and spec.

Each model is a folder of three files: ``architecture.json`` (Keras' ``model.to_json()``, as the
notebook saves it), ``model.weights.h5`` (HDF5 weights) and ``spec.json`` (the problem, training
settings, metrics and versions). Saving writes a hidden folder and renames it into place, so a
crash or Ctrl-C never leaves half a model; loading checks that the three files agree.
"""

from __future__ import annotations

import errno
import io
import json
import os
import platform
import re
import shutil
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from core.errors import UserError
from core.history import HISTORY_FILE, HistoryPoint, history_csv
from core.infer import NumpyNetwork, Predictor
from core.model import ModelConfig
from core.model_files import (
    ModelFileError,
    check_fits,
    read_architecture,
    read_saved_spec,
    read_weights,
    shown,
)
from core.recorded import RecordedScores, RecordedTraining
from core.spec import ProblemSpec

if TYPE_CHECKING:
    import keras

ARCHITECTURE_FILE = "architecture.json"
WEIGHTS_FILE = "model.weights.h5"
SPEC_FILE = "spec.json"
FORMAT_VERSION = 1

MODELS_ENV = "SEQ2ADD_MODELS"
"""Environment variable naming another folder for the user's own models."""
SHIPPED_ENV = "SEQ2ADD_SHIPPED_MODELS"
"""Environment variable naming another folder of shipped (read-only) models; empty: none."""
SHIPPED_PACKAGE = "seq2add_models"
"""The package ``saved_models/`` is installed as (see setup.py): the shipped models."""

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class ModelError(UserError, ValueError):
    """A model can't be found, saved, loaded or deleted; the message is one sentence to show."""


def default_models_dir() -> Path:
    """Where the user's own models go: ``$SEQ2ADD_MODELS``, or ``models`` in the per-user data
    folder (beside the leaderboard), so an installed copy never writes into site-packages."""
    configured = os.environ.get(MODELS_ENV)
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("seq2add", appauthor=False)) / "models"


def shipped_models_dir() -> Path | None:
    """The read-only models that come with seq2add, or None if there are none.

    In a clone that is its ``saved_models/``; in an installed copy, the same folder installed as
    the package data `SHIPPED_PACKAGE` and found through `importlib.resources`.
    ``$SEQ2ADD_SHIPPED_MODELS`` names another folder (empty: none, e.g. for tests).
    """
    configured = os.environ.get(SHIPPED_ENV)
    if configured is not None:
        return Path(configured).expanduser() if configured else None
    clone = Path(__file__).resolve().parents[1] / "saved_models"
    if clone.is_dir():
        return clone
    try:
        folder = resources.files(SHIPPED_PACKAGE)
    except ModuleNotFoundError:
        return None
    # A wheel installs as plain files, so this is a real folder (a zipped install would not be).
    return folder if isinstance(folder, Path) and folder.is_dir() else None


def _shipped_for(root: Path) -> Path | None:
    """The shipped models listed beside ``root``: none when ``root`` is that very folder (e.g.
    ``--models-dir saved_models`` to retrain them), whose models are then the user's own."""
    shipped = shipped_models_dir()
    if shipped is None or not shipped.is_dir():
        return None
    try:
        same = shipped.resolve() == root.resolve()
    except OSError:
        same = False
    return None if same else shipped


def _shipped_folder(name: str, root: Path) -> Path | None:
    """The shipped model ``name``, if there is one and ``root`` doesn't have its own."""
    shipped = _shipped_for(root)
    if shipped is None or (root / name).is_dir():
        return None
    folder = shipped / name
    return folder if folder.is_dir() else None


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
    shipped: bool = False
    """Whether it came with seq2add (read-only: it can't be deleted or overwritten)."""

    @property
    def usable(self) -> bool:
        """Whether spec.json could be read."""
        return self.error is None

    @cached_property
    def scores(self) -> RecordedScores:
        """``metrics`` as a typed record (read once: lists ask for several scores per model)."""
        return RecordedScores.read(self.metrics)

    @cached_property
    def recorded_training(self) -> RecordedTraining:
        """``training`` as a typed record."""
        return RecordedTraining.read(self.training)

    @property
    def exact_match(self) -> float | None:
        """Recorded exact-match accuracy, if any."""
        return self.scores.exact_match

    @property
    def exact_match_by_length(self) -> float | None:
        """Recorded exact-match on length-balanced questions, if measured."""
        return self.scores.exact_match_by_length

    @property
    def headline_exact(self) -> float | None:
        """The lower of the two recorded exact-matches, so a list never flatters a model."""
        known = [v for v in (self.exact_match, self.exact_match_by_length) if v is not None]
        return min(known) if known else None

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
            "exact_match": self.exact_match,
            "exact_match_by_length": self.exact_match_by_length,
            "headline_exact": self.headline_exact,
            "metrics": self.metrics,
            "training": self.training,
            "created": self.created,
            "shipped": self.shipped,
        }


def _missing(folder: Path) -> list[str]:
    """Which of a model's three files are not there (a FIFO or a device is there, and refused
    later as not a regular file)."""
    return [f for f in (ARCHITECTURE_FILE, WEIGHTS_FILE, SPEC_FILE) if not (folder / f).exists()]


def _clause(message: str) -> str:
    """A sentence as a clause to follow ``can't be loaded:`` (no final full stop)."""
    return message.rstrip().rstrip(".")


def _signature(path: Path) -> tuple:
    """What changes when any of a model's files does: the key of `_INFOS`."""
    stamps = []
    for name in (ARCHITECTURE_FILE, WEIGHTS_FILE, SPEC_FILE):
        try:
            info = (path / name).stat()
            stamps.append((info.st_ino, info.st_size, info.st_mtime_ns))
        except OSError:
            stamps.append(None)
    return (str(path.resolve()), *stamps)


_INFOS: dict[tuple, ModelInfo] = {}
"""Checked folders by `_signature`: listing reads every weight once per change, not per call."""


def read_info(path: Path) -> ModelInfo:
    """Read and check a model folder's three files; problems become ``error``, never exceptions.

    Everything a load would check is checked here (spec.json, the architecture, every weights
    array and that they agree), so a model listed as usable can be loaded.
    """
    name = path.name
    missing = _missing(path)
    if missing:
        return ModelInfo(name, path, error=f"{', '.join(missing)} missing")
    key = _signature(path)
    cached = _INFOS.get(key)
    if cached is not None:
        return cached
    try:
        saved = read_saved_spec(path / SPEC_FILE)
        _, architecture = read_architecture(path / ARCHITECTURE_FILE)
        check_fits(saved.problem, architecture)
        read_weights(path / WEIGHTS_FILE, architecture)
    except ModelFileError as error:
        info = ModelInfo(name, path, error=_clause(str(error)))
    else:
        info = ModelInfo(
            name,
            path,
            spec=saved.problem,
            model=saved.model,
            metrics=saved.metrics,
            training=saved.training,
            created=saved.created,
            parameters=saved.parameters,
        )
    if len(_INFOS) > 256:
        _INFOS.clear()
    _INFOS[key] = info
    return info


def list_models(root: Path | None = None) -> list[ModelInfo]:
    """Every model folder under ``root``, readable or not, sorted by name.

    A folder whose name can't be a model name is listed too, with the reason, so it doesn't
    silently fail to load or delete.
    """
    root = root or default_models_dir()
    if not root.is_dir():
        return []
    recover_library(root)
    folders = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    infos = []
    for folder in sorted(folders, key=lambda p: p.name.lower()):
        try:
            check_name(folder.name)
        except ModelError as error:
            infos.append(ModelInfo(folder.name, folder, error=_clause(str(error))))
            continue
        infos.append(read_info(folder))
    return infos


def list_library(root: Path | None = None) -> list[ModelInfo]:
    """The user's models in ``root`` and the shipped ones (marked `ModelInfo.shipped`), sorted by
    name; a user's model of the same name as a shipped one hides it."""
    root = root or default_models_dir()
    mine = list_models(root)
    shipped = _shipped_for(root)
    if shipped is not None:
        names = {info.name for info in mine}
        for folder in shipped.iterdir():
            # package data also holds __init__.py and __pycache__: only model names count
            if folder.is_dir() and _NAME.fullmatch(folder.name) and folder.name not in names:
                mine.append(replace(read_info(folder), shipped=True))
    return sorted(mine, key=lambda info: info.name.lower())


def is_shipped(name: str, root: Path | None = None) -> bool:
    """Whether ``name`` is a shipped model beside the library ``root`` (so it is read-only)."""
    return _shipped_folder(name, root or default_models_dir()) is not None


def _refuse_shipped(name: str, root: Path, doing: str) -> None:
    if is_shipped(name, root):
        raise ModelError(
            f"{name!r} is a model shipped with seq2add and can't be {doing}; choose another name."
        )


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
    if not folder.is_dir():
        recover_library(root)  # a crashed overwrite may have set it aside
    if folder.is_dir():
        return folder
    shipped = _shipped_folder(text, root)
    if shipped is not None:
        return shipped
    names = [info.name for info in list_library(root)]
    known = f"; available: {', '.join(names)}" if names else f"; {root} has no models yet"
    raise ModelError(f"No model named {text!r} in {root}{known}.")


def load_predictor(model: str | Path, root: Path | None = None) -> Predictor:
    """Load a saved model as a numpy `Predictor` (no TensorFlow), checking its files agree.

    Every size is checked before anything is allocated (see `core.model_files`).
    """
    folder = resolve(model, root)
    missing = [
        f for f in (ARCHITECTURE_FILE, WEIGHTS_FILE, SPEC_FILE) if not (folder / f).is_file()
    ]
    try:
        if missing:
            raise ModelFileError(f"{', '.join(missing)} missing")
        saved = read_saved_spec(folder / SPEC_FILE)
        _, architecture = read_architecture(folder / ARCHITECTURE_FILE)
        check_fits(saved.problem, architecture)
        network = NumpyNetwork(architecture, read_weights(folder / WEIGHTS_FILE, architecture))
    except ModelFileError as error:
        raise ModelError(
            f"Model {shown(folder.name)} can't be loaded: {_clause(str(error))}."
        ) from None
    return Predictor(saved.problem, network, name=folder.name)


def load_keras_model(model: str | Path, root: Path | None = None) -> tuple[keras.Model, ModelInfo]:
    """Load a saved model into Keras (safe mode, no pickles) to compare it or, compiled, train it.

    It comes back uncompiled: the weights file holds no optimizer state to restore.
    """
    folder = resolve(model, root)
    load_predictor(folder)  # every check first: Keras must never see an unchecked file
    info = read_info(folder)
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
    history: Sequence[HistoryPoint] = (),
) -> Path:
    """Save ``network`` as ``root/name`` crash-safely and return its folder; ``history`` (the
    run's validation checks) goes into ``history.csv`` beside the weights.

    Refuses to replace an existing model unless ``overwrite``. Every file is made in memory
    first, so a full disk is one `ModelError` (and ``network`` is untouched, ready to be saved
    again elsewhere), never an HDF5 library failing halfway through a write.
    """
    check_name(name)
    architecture = network.to_json()
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
    files = {
        ARCHITECTURE_FILE: architecture.encode(),
        WEIGHTS_FILE: _weights_bytes(_bare_copy(network, architecture)),
        SPEC_FILE: (json.dumps(document, indent=2) + "\n").encode(),
    }
    if history:
        files[HISTORY_FILE] = history_csv(history).encode()
    return write_model_files(files, name, root=root, overwrite=overwrite)


def write_model_files(
    files: dict[str, bytes], name: str, *, root: Path | None = None, overwrite: bool = False
) -> Path:
    """Put a model's files in the library as ``root/name``, so a crash at any point leaves
    either the old model or the new one, never half of one.

    The files go to a hidden staging folder, are fsync'd with the folder, checked by loading
    them back with the numpy predictor, and renamed into place (then the library folder is
    fsync'd). Overwriting first renames the old model aside, under a name that says which
    process did it: if that process dies before the new model lands, the next listing of the
    library puts the old one back (see `recover_library`).
    """
    root = root or default_models_dir()
    check_name(name)
    _refuse_shipped(name, root, "overwritten")
    target = root / name
    if target.exists() and not overwrite:
        raise ModelError(
            f"A model named {name!r} already exists; pick another name or overwrite it."
        )
    try:
        root.mkdir(parents=True, exist_ok=True)
        staging = root / f".{name}.saving-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        staging.mkdir()
    except OSError as error:
        raise ModelError(_write_failure(root, name, error)) from error
    try:
        try:
            for filename, data in files.items():
                _write_durably(staging / filename, data)
            _fsync_folder(staging)
        except OSError as error:
            raise ModelError(_write_failure(root, name, error)) from error
        load_predictor(staging)
        _replace(staging, target, overwrite)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _write_durably(path: Path, data: bytes) -> None:
    """Write ``data`` and wait until the disk has it (a rename is only as safe as its files)."""
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_folder(folder: Path) -> None:
    """Make a folder's entries (new files, renames) durable; a no-op where folders can't be
    opened (Windows)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some filesystems refuse fsync on folders; the rename is still atomic
    finally:
        os.close(descriptor)


def _write_failure(root: Path, name: str, error: OSError) -> str:
    """One sentence for a failed write, naming the real cause."""
    if error.errno == errno.ENOSPC:
        cause = f"the disk holding {root} is full"
    elif error.errno == errno.EDQUOT:
        cause = f"your disk quota for {root} is used up"
    elif error.errno == errno.EROFS:
        cause = f"{root} is on a read-only disk"
    elif error.errno in (errno.EACCES, errno.EPERM):
        cause = f"you may not write to {root}"
    else:
        cause = f"writing to {root} failed ({error.strerror or error})"
    return (
        f"Could not save {name!r}: {cause}; the trained model is still in memory, "
        "so free some space or save it elsewhere."
    )


def _weights_bytes(network: keras.Model) -> bytes:
    """The ``*.weights.h5`` file Keras' ``save_weights`` would write, made in memory."""
    from keras.src.saving import saving_lib

    buffer = io.BytesIO()
    store = saving_lib.H5IOStore(buffer, mode="w")
    try:
        saving_lib._save_state(
            network,
            weights_store=store,
            assets_store=None,
            inner_path="",
            visited_saveables=set(),
        )
    finally:
        store.close()
    return buffer.getvalue()


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
            _fsync_folder(target.parent)
            return
        except OSError as error:
            if not target.exists():
                raise ModelError(f"Could not save {target.name!r}: {error.strerror}.") from error
    if not overwrite:
        raise ModelError(f"A model named {target.name!r} already exists; pick another name.")
    retired = target.with_name(f".{target.name}.replaced-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        os.rename(target, retired)
    except OSError as error:
        raise ModelError(f"Could not replace {target.name!r}: {error.strerror}.") from error
    try:
        os.rename(staging, target)
    except OSError as error:
        os.rename(retired, target)  # put the old model back where it was
        raise ModelError(f"Could not replace {target.name!r}: {error.strerror}.") from error
    _fsync_folder(target.parent)
    shutil.rmtree(retired, ignore_errors=True)


STAGING_MAX_AGE_S = 3600.0
"""A staging folder older than this is a crashed save's leftover (a save takes seconds)."""

_LEFTOVER = re.compile(r"\.(?P<name>.+)\.(?P<kind>saving|replaced|deleting)-(?P<pid>\d+)-[0-9a-f]+")
_OLD_LEFTOVER = re.compile(r"\.(?P<name>.+)\.(?P<kind>saving|replaced|deleting)-[0-9a-f]{8}")


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def recover_library(root: Path) -> None:
    """Finish what crashed saves left: put back an old model whose replacement never landed,
    and remove staging folders older than an hour and old models that were replaced."""
    try:
        entries = list(root.iterdir())
    except OSError:
        return
    now = time.time()
    for entry in entries:
        match = _LEFTOVER.fullmatch(entry.name) or _OLD_LEFTOVER.fullmatch(entry.name)
        if match is None or not entry.is_dir():
            continue
        pid = int(match.groupdict().get("pid") or 0)
        try:
            age_s = now - entry.stat().st_mtime
        except OSError:
            continue
        owner_gone = not (pid and _process_alive(pid))
        target = root / match["name"]
        try:
            # A folder's mtime doesn't change when it is renamed: only the owner's pid tells
            # whether a replaced or deleted model is still being worked on.
            if match["kind"] == "replaced" and owner_gone:
                if target.exists():
                    shutil.rmtree(entry, ignore_errors=True)  # the new model landed
                else:
                    os.rename(entry, target)  # the new one never landed: the old one is back
                    _fsync_folder(root)
            elif (match["kind"] == "saving" and age_s > STAGING_MAX_AGE_S) or (
                match["kind"] == "deleting" and owner_gone
            ):
                shutil.rmtree(entry, ignore_errors=True)
        except OSError:
            continue  # another process got there first, or the folder is read-only


def delete_model(name: str, root: Path | None = None) -> None:
    """Remove a model folder from the library."""
    root = root or default_models_dir()
    folder = root / check_name(name)
    _refuse_shipped(name, root, "deleted")
    if not folder.is_dir():
        raise ModelError(f"No model named {name!r} in {root}.")
    retired = root / f".{name}.deleting-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        os.rename(folder, retired)
    except OSError as error:
        raise ModelError(f"Could not delete {name!r}: {error.strerror}.") from error
    shutil.rmtree(retired, ignore_errors=True)
