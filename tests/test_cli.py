"""The seq2add command: output formats, exit codes and one-line errors."""

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from core.presets import PRESETS
from core.train import TrainingConfig
from seq2add_tui import console
from seq2add_tui.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_models_lists_the_library(capsys, library):
    code, out, _ = run(capsys, "models", "--models-dir", str(library))
    assert code == 0 and "tiny" in out and "3 terms of 1–10, +" in out
    code, out, _ = run(capsys, "models", "--json", "--models-dir", str(library))
    [entry] = json.loads(out)
    assert entry["name"] == "tiny" and entry["usable"] and entry["spec"]["input_length"] == 8


@pytest.mark.parametrize("width", [80, 120])
def test_models_table_fits_the_terminal_without_cutting_words(capsys, monkeypatch, width):
    monkeypatch.setattr(console.console, "_width", width)
    code, out, _ = run(capsys, "models")  # the shipped library
    lines = out.splitlines()
    assert code == 0 and max(len(line.rstrip()) for line in lines) <= width
    assert "…" not in out
    for name in ("notebook-perfect", "long-addition", "2 terms of 0–999,999,999, +", "100.00%"):
        assert name in out
    assert ("saved" in lines[2]) == (width >= 100)


def test_predict_prints_one_line_per_expression(capsys, library, tiny_run):
    code, out, _ = run(
        capsys, "predict", "tiny", "1+2+3", "10 + 10 + 10", "--models-dir", str(library)
    )
    answers = [a.text for a in tiny_run.predictor().answer_many(["1+2+3", "10+10+10"])]
    assert code == 0 and out.splitlines() == [f"1+2+3 = {answers[0]}", f"10+10+10 = {answers[1]}"]
    code, out, _ = run(capsys, "predict", "tiny", "4+5+6", "--json", "--models-dir", str(library))
    [entry] = json.loads(out)
    assert set(entry) >= {"expression", "answer", "confidence"}
    assert entry["expression"] == "4+5+6" and 0 < entry["confidence"] <= 1


def test_evaluate_json_has_the_documented_keys(capsys, library):
    code, out, _ = run(
        capsys, "evaluate", "tiny", "--samples", "300", "--json", "--models-dir", str(library)
    )
    result = json.loads(out)
    assert code == 0
    assert {"exact_match", "char_accuracy", "loss", "samples", "per_position"} <= set(result)
    assert result["samples"] == 300 and len(result["per_position"]) == 2
    assert 0 <= result["exact_match"] <= result["char_accuracy"] <= 1 or result["exact_match"] <= 1
    code, out, _ = run(capsys, "evaluate", "tiny", "--samples", "200", "--models-dir", str(library))
    assert "exact match" in out and ("✓" in out or "✗" in out) and "(expected" in out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["predict", "nope", "1+2+3"], "No model named 'nope'"),
        (["predict", "tiny", "1++2+3"], "two operators in a row"),
        (["predict", "tiny", "1+2"], "has 2"),
        (
            ["evaluate", "tiny", "--samples", "many"],
            "must be a whole number, not 'many'",
        ),
        (["evaluate", "."], "not a model folder"),
        (["predict", "/nonexistent/x", "1+2+3"], "/nonexistent/x does not exist."),
        pytest.param(
            ["predict", "tiny", "1" * 990 + "+1+1"],
            "a 990-digit number is outside",
            id="far more digits than any operand",
        ),
        pytest.param(
            ["predict", "tiny", "1" * 5000 + "+1+1"],
            "an expression may have at most 1,000",
            id="longer than any expression",
        ),
        (["evaluate", "tiny", "--samples", "1000001"], "'1000001' is outside 1–1,000,000"),
        (["train", "--out", "new", "--eval-samples", "0"], "'0' is outside 1–1,000,000"),
        (["serve", "--port", "99999"], "argument --port: '99999' is outside 1–65,535"),
        (["serve", "--port", "0"], "argument --port: '0' is outside 1–65,535"),
        (["serve", "--max-players", "0"], "argument --max-players: '0' must be at least 1"),
        (["train", "--out", "a/b"], "can't be a model name"),
        (["train", "--out", "tiny"], "already exists"),
        (["train", "--out", "new", "--terms", "0"], "terms must be between 1"),
        (["train", "--out", "new", "--ops", "+%"], "--ops must be chosen from + - * /; '%' is not"),
        (["train", "--out", "new", "--lr", "0"], "--lr must be a number above 0, at most 1."),
        (["train", "--out", "new", "--batch-size", "0"], "--batch-size must be a whole number"),
        (["train", "--out", "new", "--stop-at", "2"], "--stop-at must be a fraction above 0"),
        (["train", "--out", "new", "--clip-norm", "0"], "--clip-norm must be a number above 0"),
        (["train", "--out", "new", "--sampling", "mixed:2"], "--sampling must be value, length or"),
        (["train", "--out", "new", "--encoder-units", "0"], "--encoder-units must be a whole"),
        (["train", "--out", "new", "--smallest", "9", "--largest", "3"], "--smallest (9) must"),
        (
            ["train", "--out", "new", "--terms", "5-2"],
            "--terms 5-2: the first number must not exceed the second.",
        ),
        (["train", "--out", "new", "--preset", "nope"], "invalid choice"),
        (
            ["import", "missing.json", "w.h5", "--terms", "3", "--largest", "10", "--out", "t"],
            "does not exist",
        ),
        (
            ["import", "missing.json", "w.h5", "--terms", "3", "--largest", "10", "--out", "tiny"],
            "a model named 'tiny' already exists; use --overwrite or another name",
        ),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_user_mistakes_exit_2_with_one_line(capsys, library, argv, fragment):
    code, _, err = run(capsys, *argv, "--models-dir", str(library))
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("seq2add: ") and fragment in err
    assert "Traceback" not in err


def test_predict_takes_expressions_that_start_with_a_minus(capsys, library):
    """argparse would read -3+4+5 as an unknown option; the model's own check must answer."""
    argv = ["predict", "tiny", "1+2+3", "-3+4+5", "--json", "--models-dir", str(library)]
    code, out, err = run(capsys, *argv)
    answered, refused = json.loads(out)
    assert code == 2 and answered["expression"] == "1+2+3"
    assert refused == {
        "expression": "-3+4+5",
        "error": "'-' is not an operator this model learned; it knows +.",
    }
    assert err == "seq2add: '-3+4+5': '-' is not an operator this model learned; it knows +.\n"


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["leaderboard", "--limit", "0"], "argument --limit: '0' must be at least 1"),
        (["leaderboard"], "is not a readable leaderboard"),
    ],
)
def test_leaderboard_mistakes_exit_2_with_one_line(capsys, tmp_path, argv, fragment):
    bad = tmp_path / "bad.sqlite3"
    bad.write_text("junk\n")
    code, out, err = run(capsys, "--db", str(bad), *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("seq2add: ") and fragment in err


def _cli(*args, **kwargs):
    return subprocess.Popen(
        [sys.executable, "-m", "seq2add_tui", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "120", "PYTHONUNBUFFERED": "1"},
        **kwargs,
    )


def test_train_shows_progress_evaluates_and_saves(tmp_path):
    process = _cli(
        "train",
        "--out",
        "cli-tiny",
        "--preset",
        "notebook-perfect",
        "--stop-at",
        "off",
        "--clip-norm",
        "OFF",
        "--samples",
        "1500",
        "--epochs",
        "2",
        "--batch-size",
        "50",
        "--encoder-units",
        "12",
        "--decoder-units",
        "12",
        "--eval-samples",
        "300",
        "--checkpoints",
        "4",
        "--tensorboard",
        str(tmp_path / "tb"),
        "--models-dir",
        str(tmp_path),
    )
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    # Each phase named; the time said as fit and total; the bar is not drawn again at the end.
    finished = out.index("Training finished.")
    assert re.search(r"Training finished\. \(fit \d+\.\ds, total \d+\.\ds\)", out)
    assert "━" not in out[finished:] and "loss" not in out[finished:].split("\n")[0]
    assert out.index("Scoring on 300 fresh problems…") > finished
    assert "Saving as cli-tiny…" in out
    # The run's history beside the model, and TensorBoard's event files where asked.
    rows = (tmp_path / "cli-tiny" / "history.csv").read_text().splitlines()
    assert rows[0].startswith("kind,epoch,samples,loss") and len(rows) == 1 + 4 + 2
    assert list((tmp_path / "tb" / "validation").glob("events.out.tfevents.*"))
    # TensorFlow's native chatter goes to the log even when stderr is a pipe.
    assert "oneDNN" not in err and "cpu_feature_guard" not in err
    assert "epoch 2/2" in out and "exact" in out and "Evaluated on 300 fresh samples" in out
    assert (tmp_path / "cli-tiny" / "model.weights.h5").is_file()
    info = json.loads((tmp_path / "cli-tiny" / "spec.json").read_text())
    assert info["training"]["epochs"] == 2 and info["metrics"]["samples"] == 300
    assert info["training"]["total_seconds"] > info["training"]["fit_seconds"] > 0
    # The preset's target and cap were switched off; the rest of the preset stands.
    assert info["training"]["stop_at_exact"] is None and info["training"]["clip_norm"] is None
    preset = PRESETS["notebook-perfect"].training
    assert preset.schedule != TrainingConfig().schedule  # so the next line tells them apart
    assert info["training"]["schedule"] == preset.schedule
    assert info["model"]["architecture"] == "attention"


def test_ctrl_c_stops_training_and_saves_nothing(tmp_path):
    process = _cli(
        "train",
        "--out",
        "stopped",
        "--samples",
        "2000000",
        "--epochs",
        "5",
        "--encoder-units",
        "8",
        "--decoder-units",
        "8",
        "--models-dir",
        str(tmp_path),
    )
    deadline = time.monotonic() + 120
    line = ""
    while "Training" not in line and time.monotonic() < deadline:
        line = process.stdout.readline()
    time.sleep(8)  # past TensorFlow's import and into the batches
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130
    assert "Stopped after" in out  # it stopped mid-run, not before starting
    assert "keeps what it learned" not in out  # Ctrl-C saves nothing: say only that
    assert "nothing was saved" in err
    assert not tmp_path.exists() or list(tmp_path.iterdir()) == []


def test_predict_does_not_import_tensorflow(library):
    code = (
        "import sys\n"
        "from seq2add_tui.cli import main\n"
        f"main(['predict', 'tiny', '1+2+3', '--models-dir', {str(library)!r}])\n"
        "assert not {'tensorflow', 'keras', 'textual'} & {m.split('.')[0] for m in sys.modules}\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("1+2+3 = ")


def test_native_stderr_goes_to_a_log_while_python_keeps_the_terminal(tmp_path):
    log = tmp_path / "native.log"
    code = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from core.quiet import divert_native_stderr\n"
        f"divert_native_stderr(Path({str(log)!r}), always=True)\n"
        "os.write(2, b'I0000 native chatter\\n')\n"
        "sys.stderr.write('python message\\n')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stderr == "python message\n"
    assert log.read_text() == "I0000 native chatter\n"


def test_models_dir_may_come_before_the_command(capsys, library):
    code, out, _ = run(capsys, "--models-dir", str(library), "models", "--json")
    assert code == 0 and [entry["name"] for entry in json.loads(out)] == ["tiny"]


@pytest.mark.parametrize("command", ["quiz", "serve", "ssh"])
def test_a_level_the_model_cannot_play_is_refused_before_starting(capsys, library, command):
    # tiny trained for seconds: far under the 90% a level needs
    argv = [command, "tiny", "--difficulty", "easy", "--models-dir", str(library)]
    code, _, err = run(capsys, *argv)
    assert code == 2 and err.count("\n") == 1
    assert "tiny gets only" in err and "easy questions right" in err


def test_leaderboard_for_an_unknown_model_says_so(capsys, tmp_path, library):
    db = str(tmp_path / "scores.db")
    code, _, err = run(
        capsys, "--models-dir", str(library), "leaderboard", "--model", "nosuch", "--db", db
    )
    assert code == 2 and "unknown model 'nosuch'" in err
    # A model in the library that nobody has played yet is not unknown.
    code, out, _ = run(
        capsys, "--models-dir", str(library), "leaderboard", "--model", "tiny", "--db", db
    )
    assert code == 0 and "unknown" not in out
