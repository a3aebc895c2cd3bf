"""`seq2add predict`: ask a saved model some questions (no TensorFlow needed)."""

from __future__ import annotations

import argparse
import math
import re
import sys

from seq2add_tui.cli.common import models_dir, models_dir_option, print_json


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
    from core.store import load_predictor

    predictor = load_predictor(args.model, models_dir(args))
    answers = predictor.answer_many(args.expressions)
    if args.explain:
        from seq2add_tui.cli.explain import explain

        return explain(predictor, answers, as_json=args.json)
    if args.json:
        print_json(
            [
                {
                    "expression": a.expression,
                    "answer": a.text,
                    "confidence": round(math.prod(a.confidence), 6),
                    "character_confidence": [round(c, 6) for c in a.confidence],
                    "expected": str(a.expected),
                    "correct": a.correct,
                }
                for a in answers
            ]
        )
    else:
        for answer in answers:
            sys.stdout.write(f"{answer.expression} = {answer.text}\n")
    return 0
