"""`seq2add evaluate`: score a saved model on fresh samples."""

from __future__ import annotations

import argparse

from seq2add_tui.cli.common import (
    models_dir,
    models_dir_option,
    positive_int,
    print_json,
    whole_number,
)


def add_parser(commands: argparse._SubParsersAction) -> None:
    from core.evaluate import MAX_SAMPLES

    evaluate = commands.add_parser("evaluate", help="score a saved model on fresh samples")
    evaluate.add_argument("model", metavar="MODEL", help="a name in the library or a model folder")
    evaluate.add_argument(
        "--samples", type=whole_number(1, MAX_SAMPLES), default=10_000, metavar="N"
    )
    evaluate.add_argument("--seed", type=positive_int, default=None, metavar="S")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    evaluate.add_argument(
        "--map",
        action="store_true",
        help="also map exact-match by operands (or terms × largest operand), worst cells listed",
    )
    models_dir_option(evaluate)


def run(args: argparse.Namespace) -> int:
    from core.evaluate import DEFAULT_EVALUATION_SEED, evaluate
    from core.store import load_predictor
    from seq2add_tui.console import print_evaluation

    predictor = load_predictor(args.model, models_dir(args))
    seed = DEFAULT_EVALUATION_SEED if args.seed is None else args.seed
    scores = evaluate(predictor.probabilities, predictor.spec, args.samples, seed)
    accuracy_map = None
    if args.map:
        from seq2add_tui.cli.explain import map_for

        accuracy_map = map_for(predictor, args.samples, seed)
    if args.json:
        print_json(
            {
                "model": predictor.name,
                "problem": predictor.spec.describe(),
                "seed": seed,
                **scores.to_dict(),
                **({"map": accuracy_map.to_dict()} if accuracy_map else {}),
            }
        )
    else:
        print_evaluation(scores, title=f"{predictor.name}: {predictor.spec.describe()}")
        if accuracy_map:
            from seq2add_tui.cli.explain import print_map

            print_map(accuracy_map)
    return 0
