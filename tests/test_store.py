"""The model library: atomic saves, safe names, and loads that refuse what doesn't fit."""

import json
import shutil

import numpy as np
import pytest

import core.store
from core.data import generate
from core.store import (
    ModelError,
    delete_model,
    is_shipped,
    list_library,
    list_models,
    load_keras_model,
    load_predictor,
    read_info,
    resolve,
    save_model,
)


@pytest.fixture
def shelf(tmp_path, library):
    """A private copy of the session library, free to damage."""
    root = tmp_path / "models"
    shutil.copytree(library, root)
    return root


def test_save_then_load_gives_identical_predictions(shelf, tiny_run):
    batch = generate(tiny_run.spec, 200, 9, one_hot=True)
    expected = np.asarray(tiny_run.model(batch.x, training=False))
    predictor = load_predictor("tiny", shelf)
    np.testing.assert_allclose(predictor.probabilities(batch.inputs), expected, atol=1e-5)
    model, info = load_keras_model("tiny", shelf)
    np.testing.assert_allclose(np.asarray(model(batch.x, training=False)), expected, atol=1e-6)
    assert info.spec == tiny_run.spec and info.model == tiny_run.model_config
    document = json.loads((shelf / "tiny" / "spec.json").read_text())
    assert set(document) >= {"problem", "model", "training", "metrics", "versions", "created"}
    assert document["problem"]["alphabet"] == "0123456789+ "
    assert {"keras", "tensorflow", "numpy", "h5py"} <= set(document["versions"])
    assert document["training"]["samples"] == 2_000


def test_existing_names_are_kept_unless_overwriting(shelf, tiny_run):
    with pytest.raises(ModelError, match="already exists"):
        save_model(tiny_run.model, tiny_run.spec, "tiny", root=shelf)
    before = (shelf / "tiny" / "spec.json").read_text()
    save_model(
        tiny_run.model,
        tiny_run.spec,
        "tiny",
        root=shelf,
        metrics={"exact_match": 0.25},
        overwrite=True,
    )
    assert (
        read_info(shelf / "tiny").exact_match
        == 0.25
        != json.loads(before)["metrics"]["exact_match"]
    )
    assert [p.name for p in shelf.iterdir()] == ["tiny"]  # nothing left aside


@pytest.mark.parametrize("name", ["../escape", "a/b", "", "..", ".hidden", "has space", "x" * 65])
def test_unsafe_names_are_refused(shelf, tiny_run, name):
    with pytest.raises(ModelError):
        save_model(tiny_run.model, tiny_run.spec, name, root=shelf)
    assert [p.name for p in shelf.iterdir()] == ["tiny"]


def test_a_failed_save_leaves_nothing_behind(shelf, tiny_run, monkeypatch):
    def broken(path):
        raise ModelError("simulated crash while checking the files")

    monkeypatch.setattr(core.store, "load_predictor", broken)
    with pytest.raises(ModelError, match="simulated"):
        save_model(tiny_run.model, tiny_run.spec, "fresh", root=shelf)
    assert [p.name for p in shelf.iterdir()] == ["tiny"]


@pytest.mark.parametrize(
    ("damage", "fragment"),
    [
        (lambda d: (d / "model.weights.h5").unlink(), "model.weights.h5 missing"),
        (
            lambda d: (d / "architecture.json").write_text("{not json"),
            "architecture.json is not readable JSON",
        ),
        (lambda d: (d / "spec.json").write_text("[]"), "spec.json must be a JSON object"),
        (lambda d: (d / "spec.json").write_text("{}"), "lacks a problem"),
        (
            lambda d: (d / "model.weights.h5").write_bytes(
                (d / "model.weights.h5").read_bytes()[:300]
            ),
            "not a readable HDF5",
        ),
        (lambda d: (d / "model.weights.h5").write_bytes(b"\0" * 5000), "not a readable HDF5"),
    ],
)
def test_damaged_models_are_refused_in_one_sentence(shelf, damage, fragment):
    damage(shelf / "tiny")
    with pytest.raises(ModelError) as caught:
        load_predictor("tiny", shelf)
    assert fragment in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_spec_that_disagrees_with_the_architecture_is_refused(shelf):
    path = shelf / "tiny" / "spec.json"
    document = json.loads(path.read_text())
    document["problem"]["max_terms"] = 4  # 11 input characters, the model reads 8
    path.write_text(json.dumps(document))
    with pytest.raises(ModelError, match="maps 8×12 to 2×12, but the problem needs 11×12 to 2×12"):
        load_predictor("tiny", shelf)


def test_weights_that_disagree_with_the_architecture_are_refused(shelf):
    path = shelf / "tiny" / "architecture.json"
    path.write_text(path.read_text().replace('"units": 16', '"units": 17', 1))
    with pytest.raises(ModelError, match="weights of shapes"):
        load_predictor("tiny", shelf)


def test_listing_marks_unreadable_models_without_failing(shelf):
    (shelf / "broken").mkdir()
    (shelf / "broken" / "spec.json").write_text("{}")
    infos = {info.name: info for info in list_models(shelf)}
    assert infos["tiny"].usable and infos["tiny"].spec.describe() == "3 terms of 1–10, +"
    assert not infos["broken"].usable and "missing" in infos["broken"].error


def test_resolve_by_name_or_path_and_delete(shelf):
    assert resolve("tiny", shelf) == shelf / "tiny"
    assert resolve(str(shelf / "tiny"), shelf) == shelf / "tiny"
    with pytest.raises(ModelError, match=r"No model named 'nope'.*available: .*tiny"):
        resolve("nope", shelf)
    delete_model("tiny", shelf)
    assert list(shelf.iterdir()) == []
    with pytest.raises(ModelError, match="No model named"):
        delete_model("tiny", shelf)


def test_a_refused_rename_is_one_sentence_and_keeps_the_old_model(shelf, tiny_run, monkeypatch):
    real_rename = core.store.os.rename
    before = (shelf / "tiny" / "spec.json").read_text()

    def refuse_the_swap(source, destination):
        # Moving the old model aside works, and back again; moving the new one in is refused.
        if str(destination) == str(shelf / "tiny") and ".replaced-" not in str(source):
            raise PermissionError(13, "Permission denied")
        return real_rename(source, destination)

    monkeypatch.setattr(core.store.os, "rename", refuse_the_swap)
    with pytest.raises(ModelError, match=r"Could not replace 'tiny': Permission denied\."):
        save_model(tiny_run.model, tiny_run.spec, "tiny", root=shelf, overwrite=True)
    assert (shelf / "tiny" / "spec.json").read_text() == before  # the old model is back
    assert [p.name for p in shelf.iterdir()] == ["tiny"]  # nothing left half-done

    def refuse_everything(source, destination):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(core.store.os, "rename", refuse_everything)
    with pytest.raises(ModelError, match=r"Could not delete 'tiny': Permission denied\."):
        delete_model("tiny", shelf)
    assert (shelf / "tiny").is_dir()


# -- shipped models beside the user's own ----------------------------------------------------------


@pytest.fixture
def shipped(tmp_path, library, monkeypatch):
    """A shipped folder holding ``tiny`` and ``extra``, and an empty user library."""
    folder = tmp_path / "shipped"
    for name in ("tiny", "extra"):
        shutil.copytree(library / "tiny", folder / name)
    (folder / "__pycache__").mkdir()  # what an installed package holds beside the models
    monkeypatch.setenv(core.store.SHIPPED_ENV, str(folder))
    user = tmp_path / "user"
    user.mkdir()
    return folder, user


def test_the_library_lists_shipped_models_marked_beside_the_users(shipped):
    folder, user = shipped
    assert list_models(user) == []
    infos = list_library(user)
    assert [(i.name, i.shipped) for i in infos] == [("extra", True), ("tiny", True)]
    assert resolve("tiny", user) == folder / "tiny"
    shutil.copytree(folder / "tiny", user / "tiny")  # the user's own of the same name hides it
    assert [(i.name, i.shipped) for i in list_library(user)] == [("extra", True), ("tiny", False)]
    assert resolve("tiny", user) == user / "tiny"


def test_shipped_models_cannot_be_deleted_or_overwritten(shipped, tiny_run):
    folder, user = shipped
    with pytest.raises(ModelError, match="shipped with seq2add and can't be deleted"):
        delete_model("extra", user)
    with pytest.raises(ModelError, match="shipped with seq2add and can't be overwritten"):
        save_model(tiny_run.model, tiny_run.spec, "extra", root=user, overwrite=True)
    assert (folder / "extra" / "spec.json").is_file() and not (user / "extra").exists()


def test_a_library_that_is_the_shipped_folder_owns_its_models(shipped):
    folder, _ = shipped
    assert not any(info.shipped for info in list_library(folder))
    assert not is_shipped("extra", folder)
