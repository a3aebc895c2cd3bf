"""`predict --explain` and `evaluate --map`: what the probe and the accuracy map show, as text or
JSON (kept apart from predict and evaluate, whose plain output is their own)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from seq2add_tui.cli.common import print_json

if TYPE_CHECKING:
    from core.accuracy_map import AccuracyMap
    from core.infer import Answer, Predictor


def explain(
    predictor: Predictor,
    answers: list[Answer],
    *,
    as_json: bool,
    warning: Callable[[Answer], str | None] | None = None,
    texts: list[str] | None = None,
) -> int:
    """Probe each answered expression and print what it shows.

    With ``as_json`` each entry has ``predict --json``'s keys (its ``warning`` too) plus the
    probe's; an expression in ``texts`` that could not be asked keeps its place as an ``error``
    entry, as in ``predict --json``.
    """
    from core.data import ExpressionError, parse_expression
    from core.probe import probe_many
    from seq2add_tui.console import console
    from seq2add_tui.inspection import probe_renderable

    results = probe_many(predictor, [answer.expression for answer in answers])
    if as_json:
        explained = {}
        for answer, result in zip(answers, results, strict=True):
            entry = {
                "expression": answer.expression,
                "answer": answer.text,
                "confidence": round(math.prod(answer.confidence), 6),
                "expected": str(answer.expected),
                **result.to_dict(),
            }
            note = warning(answer) if warning else None
            if note:
                entry["warning"] = note
            explained[answer.expression] = entry
        entries = []
        for text in texts if texts is not None else [a.expression for a in answers]:
            try:
                entries.append(explained[parse_expression(predictor.spec, text).text])
            except ExpressionError as error:
                entries.append({"expression": text, "error": str(error)})
        print_json(entries)
        return 0
    for index, result in enumerate(results):
        if index:
            console.print()
        console.print(probe_renderable(result))
    return 0


def map_for(predictor: Predictor, samples: int, seed: int) -> AccuracyMap:
    """The accuracy map of ``samples`` questions (``evaluate --samples`` sizes both)."""
    from core.accuracy_map import accuracy_map

    result = accuracy_map(predictor, samples, seed)
    assert result is not None  # only a cancelled map is None
    return result


def print_map(result: AccuracyMap) -> None:
    """The map's grid, its summary and its worst cells."""
    from seq2add_tui.console import console
    from seq2add_tui.inspection import accuracy_grid, map_summary, worst_cells_text

    console.print()
    console.print(f"[bold]Accuracy map[/] · {map_summary(result)}")
    console.print(accuracy_grid(result))
    console.print("[bold]Worst cells[/]")
    console.print(worst_cells_text(result))
