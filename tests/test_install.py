"""An install outside the clone: the wheel carries the shipped models (read through
importlib.resources), and models trained there go to the user data folder, not site-packages.

The wheel is built and installed offline: no build isolation, ``--no-deps --no-index``, and the
fresh environment borrows this one's dependencies (textual, numpy, TensorFlow) through a .pth.
"""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ("four-ops", "long-addition", "notebook-perfect", "three-digit", "variable-terms")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(seq2add command, its site-packages) of the wheel installed in a fresh environment."""
    work = tmp_path_factory.mktemp("install")
    source = work / "source"  # a copy, so building leaves no build/ or egg-info in the clone
    source.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("core", "seq2add_tui", "saved_models"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    wheels = work / "wheels"
    build = ["wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(wheels)]
    subprocess.run([*pip, *build, str(source)], check=True)
    wheel = next(wheels.glob("seq2add-*.whl"))
    environment = work / "venv"
    venv.create(environment, with_pip=False)
    python = environment / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = ["--python", str(python), "install", "--no-deps", "--no-index", str(wheel)]
    subprocess.run([*pip, *install], check=True)
    return environment / "bin" / "seq2add", Path(site)


def _run(installed, home: Path, *args: str) -> subprocess.CompletedProcess:
    """The installed command, run from outside the clone with its own home and data folder."""
    command, _ = installed
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEQ2ADD")}
    env.pop("PYTHONPATH", None)  # tests run with the clone first on the path; an install doesn't
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), COLUMNS="120")
    return subprocess.run(
        [str(command), *args], cwd=home, env=env, capture_output=True, text=True, check=False
    )


def test_the_installed_command_lists_the_shipped_models_and_answers(installed, tmp_path):
    _, site = installed
    listed = _run(installed, tmp_path, "models", "--json")
    assert listed.returncode == 0, listed.stderr
    models = {m["name"]: m for m in json.loads(listed.stdout)}
    assert set(models) == set(SHIPPED)
    for model in models.values():
        assert model["shipped"] and model["usable"], model
        assert Path(model["path"]).is_relative_to(site / "seq2add_models")
    table = _run(installed, tmp_path, "models")  # 120 columns: a "saved" column says shipped
    row = next(line for line in table.stdout.splitlines() if "notebook-perfect" in line)
    assert row.rstrip().endswith("shipped")

    answered = _run(installed, tmp_path, "predict", "notebook-perfect", "1+2+3", "10+10+10")
    assert answered.returncode == 0, answered.stderr
    assert answered.stdout == "1+2+3 = 6\n10+10+10 = 30\n"


def test_training_from_an_installed_copy_saves_into_the_user_folder(installed, tmp_path):
    _, site = installed
    tiny = ["--samples", "64", "--batch-size", "32", "--encoder-units", "8", "--decoder-units", "8"]
    tiny += ["--validation-samples", "32", "--eval-samples", "32"]
    trained = _run(installed, tmp_path, "train", "--out", "mine", *tiny)
    assert trained.returncode == 0, trained.stderr
    user_folder = tmp_path / "data" / "seq2add" / "models"
    assert (user_folder / "mine" / "spec.json").is_file()
    assert not (site / "seq2add_models" / "mine").exists()
    models = {
        m["name"]: m for m in json.loads(_run(installed, tmp_path, "models", "--json").stdout)
    }
    assert not models["mine"]["shipped"] and models["notebook-perfect"]["shipped"]

    refused = _run(installed, tmp_path, "train", "--out", "notebook-perfect", *tiny)
    assert refused.returncode == 2
    assert "shipped with seq2add" in refused.stderr
