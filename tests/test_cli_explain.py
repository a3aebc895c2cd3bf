"""`seq2add predict --explain` and `seq2add evaluate --map`."""

import json
import subprocess
import sys

from seq2add_tui import console
from seq2add_tui.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_predict_explain_json_gives_attention_rows_and_alternatives(capsys):
    code, out, _ = run(capsys, "predict", "three-digit", "123+989", "5+7", "--explain", "--json")
    first, second = json.loads(out)
    assert code == 0 and first["expression"] == "123+989" and first["truth"] == "1112"
    assert first["answer"] == "1112" and first["correct"] and first["expected"] == "1112"
    assert "".join(first["input_characters"]) == "123+989"  # reading order, though fed reversed
    attention = first["attention"]
    assert len(attention) == len(first["answer_characters"]) == 4
    assert all(len(row) == 7 and abs(sum(row) - 1) < 1e-4 for row in attention)
    assert [len(choices) for choices in first["alternatives"]] == [3, 3, 3, 3]
    assert first["alternatives"][0][0]["symbol"] == first["answer_characters"][0]
    assert "".join(second["input_characters"]).strip() == "5+7"


def test_predict_explain_json_keeps_a_malformed_expression_as_an_error_entry(capsys):
    code, out, err = run(
        capsys, "predict", "three-digit", "5+7", "5+", "1+1", "--explain", "--json"
    )
    first, bad, last = json.loads(out)
    assert code == 2 and err.startswith("seq2add: '5+': ")
    assert set(bad) == {"expression", "error"} and bad["expression"] == "5+"
    assert first["expression"] == "5+7" and last["expression"] == "1+1" and last["attention"]


def test_predict_explain_for_seq2seq_says_there_is_no_attention(capsys, library):
    argv = ["predict", "tiny", "1+2+3", "--explain", "--models-dir", str(library)]
    code, out, _ = run(capsys, *argv)
    assert code == 0 and "has no attention" in out and "1st" in out
    code, out, _ = run(capsys, *argv, "--json")
    [entry] = json.loads(out)
    assert entry["attention"] is None and "no attention" in entry["attention_note"]
    assert len(entry["character_confidence"]) == 2


def test_predict_explain_text_draws_the_heatmap_with_shades(capsys, monkeypatch):
    monkeypatch.setattr(console.console, "_width", 80)
    code, out, _ = run(capsys, "predict", "long-addition", "123456789+987654321", "--explain")
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("123456789+987654321 = 1111111110 ✓")
    assert max(len(line) for line in lines) <= 80
    heat = [line for line in lines if line[:3].strip().isdigit() and "@" in line]
    assert len(heat) == 10  # one row per answer character, each naming where it looked most
    assert all(any(glyph in line for glyph in "░▒▓█") for line in heat)


def test_evaluate_map_prints_the_grid_and_json_includes_it(capsys):
    code, out, _ = run(capsys, "evaluate", "three-digit", "--samples", "900", "--map")
    assert code == 0 and "Accuracy map" in out and "1 digit" in out and "3d" in out
    code, out, _ = run(capsys, "evaluate", "three-digit", "--samples", "900", "--map", "--json")
    data = json.loads(out)["map"]
    assert data["row_labels"] == ["1 digit", "2 digits", "3 digits"]
    assert sum(map(sum, data["total"])) == 900 and data["samples"] == 900
    assert all(cell["correct"] < cell["total"] for cell in data["worst"])
    code, out, _ = run(capsys, "evaluate", "three-digit", "--samples", "300", "--json")
    assert "map" not in json.loads(out)


def test_predict_explain_does_not_import_tensorflow():
    code = (
        "import sys\n"
        "from seq2add_tui.cli import main\n"
        "main(['predict', 'three-digit', '1+2', '--explain', '--json'])\n"
        "assert not {'tensorflow', 'keras', 'textual'} & {m.split('.')[0] for m in sys.modules}\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
