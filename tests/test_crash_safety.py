"""Saves survive kill -9 and full disks (issue 15): either the old model or the new one, never
half of one, and a full disk is one sentence with the trained model kept in memory."""

from __future__ import annotations

import errno
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import core.store
from core.store import ModelError, list_models, load_predictor, recover_library, save_model
from tests.hostile_corpus import write_model

KILLS = 20
"""Random points each kill test interrupts."""

_SAVER = """
import os, sys
from pathlib import Path
from core.store import write_model_files
source, root, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
files = {p.name: p.read_bytes() for p in source.iterdir()}
print("ready", flush=True)
number = 0
while True:
    number += 1
    name = "m" if mode == "overwrite" else f"m{os.getpid()}-{number}"
    write_model_files(files, name, root=root, overwrite=True)
"""


def _model_files(tmp_path: Path) -> Path:
    return write_model(tmp_path / "source")


def _kill_at_random_points(source: Path, root: Path, mode: str, seed: int) -> list[float]:
    """Start a process saving in a loop, kill -9 it after a random delay, ``KILLS`` times."""
    rng = random.Random(seed)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    delays = []
    for _ in range(KILLS):
        saver = subprocess.Popen(
            [sys.executable, "-c", _SAVER, str(source), str(root), mode],
            stdout=subprocess.PIPE,
            env=env,
        )
        assert saver.stdout.readline().strip() == b"ready"
        delay = rng.uniform(0.0, 0.6)  # a save takes 0.1–1 s here: kills land all through them
        time.sleep(delay)
        saver.send_signal(signal.SIGKILL)
        saver.wait()
        saver.stdout.close()
        delays.append(delay)
        _check_after_kill(root, mode)
    return delays


def _check_after_kill(root: Path, mode: str) -> None:
    """After a kill: listing recovers, and every model it lists loads."""
    infos = list_models(root)  # runs the recovery
    assert all(info.usable for info in infos), [(i.name, i.error) for i in infos]
    leftovers = [p.name for p in root.iterdir() if p.name.startswith(".")]
    assert all(".saving-" in name for name in leftovers), leftovers  # nothing set aside
    if mode == "overwrite":
        assert [info.name for info in infos] == ["m"]
        load_predictor("m", root)


@pytest.mark.parametrize("mode", ["save", "overwrite"])
def test_kill_9_at_random_points_never_loses_a_model(tmp_path, mode):
    source = _model_files(tmp_path)
    root = tmp_path / "models"
    root.mkdir()
    if mode == "overwrite":
        (root / "m").mkdir()
        for path in source.iterdir():
            (root / "m" / path.name).write_bytes(path.read_bytes())
    _kill_at_random_points(source, root, mode, seed=15)
    # Staging folders of killed saves go once they are an hour old.
    hour_ago = time.time() - 3_700
    for leftover in root.glob(".*.saving-*"):
        os.utime(leftover, (hour_ago, hour_ago))
    list_models(root)
    assert not [p for p in root.iterdir() if p.name.startswith(".")]


def test_an_overwrite_killed_between_its_renames_restores_the_old_model(tmp_path):
    root = tmp_path / "models"
    write_model(root / "m")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], stdout=-1)
    pid = int(dead.stdout)  # a process that has exited
    os.rename(root / "m", root / f".m.replaced-{pid}-0123abcd")
    (root / f".m.saving-{pid}-4567ef01").mkdir()  # the new model, never renamed into place
    assert [info.name for info in list_models(root)] == ["m"]
    load_predictor("m", root)
    # A live process's overwrite in progress is left alone.
    os.rename(root / "m", root / f".m.replaced-{os.getppid()}-0123abcd")
    recover_library(root)
    assert not (root / "m").exists()


def _no_space(*args, **kwargs):
    class Full:
        def __enter__(self):
            return self

        def __exit__(self, *exc_info):
            return False

        def write(self, data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    return Full()


@pytest.mark.parametrize("overwrite", [False, True])
def test_enospc_from_the_write_call_is_one_sentence_and_keeps_the_model(
    tmp_path, tiny_run, monkeypatch, overwrite
):
    root = tmp_path / "models"
    if overwrite:
        save_model(tiny_run.model, tiny_run.spec, "tiny", root=root, metrics={"exact_match": 0.1})
    monkeypatch.setattr(core.store, "open", _no_space, raising=False)
    with pytest.raises(ModelError) as caught:
        save_model(tiny_run.model, tiny_run.spec, "tiny", root=root, overwrite=overwrite)
    message = str(caught.value)
    assert "is full" in message and "still in memory" in message and "\n" not in message
    assert [p.name for p in root.iterdir()] == (["tiny"] if overwrite else [])
    if overwrite:
        assert list_models(root)[0].exact_match == 0.1  # the old model, untouched
    monkeypatch.undo()
    # The model in memory saves fine elsewhere.
    save_model(tiny_run.model, tiny_run.spec, "tiny", root=tmp_path / "elsewhere")
    load_predictor("tiny", tmp_path / "elsewhere")


@pytest.fixture
def small_filesystem(tmp_path):
    """A 300 KB tmpfs, where the system lets this test mount one."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"can't mount a small tmpfs here (needs root): {done.stderr.strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_a_really_full_disk_is_one_sentence(small_filesystem, tiny_run):
    filler = small_filesystem / "filler"
    with open(filler, "wb") as handle:  # leave ~20 KB: less than the model needs
        handle.write(b"\0" * (300 * 1024 - 20 * 1024))
    with pytest.raises(ModelError, match=r"is full.*still in memory"):
        save_model(tiny_run.model, tiny_run.spec, "tiny", root=small_filesystem / "models")
    assert not [p for p in (small_filesystem / "models").iterdir()]
    filler.unlink()
    save_model(tiny_run.model, tiny_run.spec, "tiny", root=small_filesystem / "models")
    assert list_models(small_filesystem / "models")[0].usable
