"""`seq2add predict`: ask a saved model some questions (no TensorFlow needed)."""

from __future__ import annotations

import argparse
import math
import re
import sys
from typing import TYPE_CHECKING

from seq2add_tui.cli.common import USAGE_ERROR, models_dir, models_dir_option, print_json

if TYPE_CHECKING:
    from core.infer import Answer


def add_parser(commands: argparse._SubParsersAction) -> None:
    predict = commands.add_parser("predict", help="ask a saved model some questions")
    predict.add_argument("model", metavar="MODEL")
    predict.add_argument("expressions", nargs="+", metavar="EXPR")
    # argparse takes only a bare negative number (-3) for a positional, and -3+4 for an unknown
    # option; predict has no option that starts with a digit, so let every "-digit" be an EXPR.
    predict._negative_number_matcher = re.compile(r"-\s*\d")
    predict.add_argument("--json", action="store_true", help="print a JSON list")
    predict.add_argument(
        "--explain",
        action="store_true",
        help="show each answer's top-3 alternatives per character and where attention looked",
    )
    models_dir_option(predict)


def run(args: argparse.Namespace) -> int:
    """Answer every expression that can be asked; a malformed one is named on stderr (and is an
    ``"error"`` entry in --json) without losing the others, and the exit status is then 2."""
    from core.data import ExpressionError, parse_expression
    from core.evaluate import length_warning
    from core.store import load_predictor, read_info, resolve

    root = models_dir(args)
    predictor = load_predictor(args.model, root)
    metrics = read_info(resolve(args.model, root)).metrics
    results = predictor.answer_each(args.expressions)
    failed = [
        (text, result)
        for text, result in zip(args.expressions, results, strict=True)
        if isinstance(result, ExpressionError)
    ]
    answers = [result for result in results if not isinstance(result, ExpressionError)]

    def warning(answer: Answer) -> str | None:
        operands = parse_expression(predictor.spec, answer.expression).operands
        return length_warning(predictor.spec, metrics, list(operands))

    if args.explain:
        from seq2add_tui.cli.explain import explain

        explain(predictor, answers, as_json=args.json, warning=warning, texts=args.expressions)
    elif args.json:
        entries = []
        for text, result in zip(args.expressions, results, strict=True):
            if isinstance(result, ExpressionError):
                entries.append({"expression": text, "error": str(result)})
                continue
            entry = {
                "expression": result.expression,
                "answer": result.text,
                "confidence": round(math.prod(result.confidence), 6),
                "character_confidence": [round(c, 6) for c in result.confidence],
                "expected": str(result.expected),
                "correct": result.correct,
            }
            note = warning(result)
            if note:
                entry["warning"] = note
            entries.append(entry)
        print_json(entries)
    else:
        for answer in answers:
            sys.stdout.write(f"{answer.expression} = {answer.text}\n")
            note = warning(answer)
            if note:
                sys.stderr.write(f"warning: {answer.expression}: {note}\n")
    for text, error in failed:
        quoted = repr(text if len(text) <= 60 else text[:57].rstrip() + "…")  # never 1 MB
        sys.stderr.write(f"seq2add: {quoted}: {error}\n")
    return USAGE_ERROR if failed else 0
