"""The ``seq2add`` command: the app by default, and subcommands for scripts and terminals.

Every mistake a user can make (an unknown model, a bad expression, a bad option value, an
unreadable file) ends with exit status 2 and one line on stderr; tracebacks are for bugs.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from core.data import ExpressionError
from core.spec import SpecError
from core.store import ModelError

USAGE_ERROR = 2
INTERRUPTED = 130


class UsageError(Exception):
    """A user mistake: reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line on stderr instead of a usage block."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


def _positive_int(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must not be negative")
    return value


def _rate(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None


def _models_dir_option(parser: argparse.ArgumentParser, *, root: bool = False) -> None:
    parser.add_argument(
        "--models-dir",
        type=Path,
        # On subcommands SUPPRESS keeps a --models-dir given before the subcommand.
        default=None if root else argparse.SUPPRESS,
        metavar="DIR",
        help="model library folder (default: $SEQ2ADD_MODELS or the shipped saved_models/)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, for ``main`` and for tests."""
    from core.model import ARCHITECTURES
    from core.presets import PRESETS
    from core.train import CURRICULA, SCHEDULES

    parser = _Parser(
        prog="seq2add",
        description="Train sequence-to-sequence LSTMs to do arithmetic, and race them.",
        epilog="With no command, seq2add opens the app.",
    )
    _models_dir_option(parser, root=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    train = commands.add_parser(
        "train",
        help="train a model and save it",
        description=(
            "Train a model with live progress, evaluate it on fresh samples, and save it. "
            "Options given with --preset override the preset. "
            "Ctrl-C stops cleanly and saves nothing."
        ),
    )
    train.add_argument("--out", required=True, metavar="NAME", help="name to save the model as")
    train.add_argument("--preset", choices=list(PRESETS), help="start from a named recipe")
    problem = train.add_argument_group("problem")
    problem.add_argument("--terms", metavar="N|A-B", help="terms per expression: 3, or a range 2-5")
    problem.add_argument("--smallest", type=_positive_int, metavar="N", help="smallest operand")
    problem.add_argument("--largest", type=_positive_int, metavar="N", help="largest operand")
    problem.add_argument("--ops", metavar='"+-*/"', help="operators to use")
    problem.add_argument("--pad-side", choices=["left", "right"])
    problem.add_argument("--reverse-input", action=argparse.BooleanOptionalAction, default=None)
    problem.add_argument("--reverse-output", action=argparse.BooleanOptionalAction, default=None)
    problem.add_argument(
        "--align-operands",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="pad every operand to the same width so digit places line up",
    )
    model = train.add_argument_group("model")
    model.add_argument("--arch", choices=list(ARCHITECTURES), help="architecture")
    model.add_argument("--encoder-units", type=_positive_int, metavar="N")
    model.add_argument("--decoder-units", type=_positive_int, metavar="N")
    model.add_argument("--encoder-layers", type=_positive_int, metavar="N")
    model.add_argument("--decoder-layers", type=_positive_int, metavar="N")
    training = train.add_argument_group("training")
    training.add_argument("--samples", type=_positive_int, metavar="N", help="samples per epoch")
    training.add_argument("--epochs", type=_positive_int, metavar="N")
    training.add_argument("--batch-size", type=_positive_int, metavar="N")
    training.add_argument("--lr", type=_rate, metavar="X", help="learning rate")
    training.add_argument("--seed", type=_positive_int, metavar="S")
    training.add_argument(
        "--fresh-data",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="draw new samples every epoch",
    )
    training.add_argument("--schedule", choices=list(SCHEDULES))
    training.add_argument("--curriculum", choices=list(CURRICULA))
    training.add_argument(
        "--patience",
        type=_positive_int,
        metavar="N",
        help="stop after N epochs without a better validation exact-match",
    )
    training.add_argument(
        "--stop-at",
        type=_rate,
        metavar="FRACTION",
        help="stop once validation exact-match reaches this (e.g. 1.0)",
    )
    training.add_argument(
        "--clip-norm",
        type=_rate,
        metavar="X",
        help="cap each gradient's norm (steadier at high learning rates)",
    )
    training.add_argument(
        "--validation-samples",
        type=_positive_int,
        metavar="N",
        help="held-out samples scored after each epoch (all questions if the problem has fewer)",
    )
    training.add_argument(
        "--checkpoints",
        type=_positive_int,
        metavar="N",
        help="extra validation checks through the run; with --stop-at, training can stop at one",
    )
    training.add_argument(
        "--eval-samples",
        type=_positive_int,
        default=10_000,
        metavar="N",
        help="fresh samples for the final evaluation (default 10,000)",
    )
    train.add_argument("--overwrite", action="store_true", help="replace a model of the same name")
    _models_dir_option(train)

    evaluate = commands.add_parser("evaluate", help="score a saved model on fresh samples")
    evaluate.add_argument("model", metavar="MODEL", help="a name in the library or a model folder")
    evaluate.add_argument("--samples", type=_positive_int, default=10_000, metavar="N")
    evaluate.add_argument("--seed", type=_positive_int, default=None, metavar="S")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    _models_dir_option(evaluate)

    predict = commands.add_parser("predict", help="ask a saved model some questions")
    predict.add_argument("model", metavar="MODEL")
    predict.add_argument("expressions", nargs="+", metavar="EXPR")
    predict.add_argument("--json", action="store_true", help="print a JSON list")
    _models_dir_option(predict)

    models = commands.add_parser("models", help="list the saved models")
    models.add_argument("--json", action="store_true", help="print a JSON list")
    _models_dir_option(models)

    tutorial = commands.add_parser("import", help="import a model saved by the tutorial notebook")
    tutorial.add_argument("architecture", type=Path, metavar="ARCHITECTURE_JSON")
    tutorial.add_argument("weights", type=Path, metavar="WEIGHTS")
    tutorial.add_argument("--terms", type=_positive_int, required=True, metavar="N")
    tutorial.add_argument("--largest", type=_positive_int, required=True, metavar="N")
    tutorial.add_argument("--out", required=True, metavar="NAME")
    tutorial.add_argument("--overwrite", action="store_true")
    _models_dir_option(tutorial)
    return parser


# -- commands --------------------------------------------------------------------------------------


def _models_dir(args: argparse.Namespace) -> Path | None:
    return args.models_dir


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=None, ensure_ascii=False) + "\n")


def command_train(args: argparse.Namespace) -> int:
    from core.evaluate import evaluate
    from core.presets import SETTING_NAMES, build_settings
    from core.quiet import divert_native_stderr
    from core.store import check_name, resolve, save_model
    from seq2add_tui.console import TrainingProgress, print_evaluation

    check_name(args.out)
    root = _models_dir(args)
    try:
        resolve(args.out, root)
        exists = True
    except ModelError:
        exists = False
    if exists and not args.overwrite:
        raise UsageError(
            f"a model named {args.out!r} already exists; use --overwrite or another name"
        )
    overrides = {name: getattr(args, name) for name in SETTING_NAMES}
    spec, model_config, training = build_settings(args.preset, overrides)
    divert_native_stderr()
    from core.train import train

    cancel = threading.Event()
    previous = signal.getsignal(signal.SIGINT)

    def stop(signum: int, frame: Any) -> None:
        cancel.set()
        signal.signal(signal.SIGINT, previous)  # a second Ctrl-C interrupts at once

    signal.signal(signal.SIGINT, stop)
    try:
        with TrainingProgress(spec, model_config, training) as progress:
            run = train(spec, model_config, training, listener=progress, cancel=cancel)
    finally:
        signal.signal(signal.SIGINT, previous)
    if run.status == "cancelled":
        sys.stderr.write("Interrupted: training stopped and nothing was saved.\n")
        return INTERRUPTED
    if run.status == "diverged":
        sys.stderr.write(f"{run.message} Nothing was saved.\n")
        return 1
    scores = evaluate(run.predictor().probabilities, spec, args.eval_samples)
    print_evaluation(scores, title=f"{args.out}: {spec.describe()}")
    folder = save_model(
        run.model,
        spec,
        args.out,
        root=root,
        model_config=model_config,
        training={**run.summary(), "preset": args.preset},
        metrics=scores.summary(),
        overwrite=args.overwrite,
    )
    sys.stdout.write(f"Saved {folder}\n")
    return 0


def command_evaluate(args: argparse.Namespace) -> int:
    from core.evaluate import DEFAULT_EVALUATION_SEED, evaluate
    from core.store import load_predictor
    from seq2add_tui.console import print_evaluation

    if args.samples < 1:
        raise UsageError("--samples must be at least 1")
    predictor = load_predictor(args.model, _models_dir(args))
    seed = DEFAULT_EVALUATION_SEED if args.seed is None else args.seed
    scores = evaluate(predictor.probabilities, predictor.spec, args.samples, seed)
    if args.json:
        _print_json(
            {
                "model": predictor.name,
                "problem": predictor.spec.describe(),
                "seed": seed,
                **scores.to_dict(),
            }
        )
    else:
        print_evaluation(scores, title=f"{predictor.name}: {predictor.spec.describe()}")
    return 0


def command_predict(args: argparse.Namespace) -> int:
    from core.store import load_predictor

    predictor = load_predictor(args.model, _models_dir(args))
    answers = predictor.answer_many(args.expressions)
    if args.json:
        _print_json(
            [
                {
                    "expression": a.expression,
                    "answer": a.text,
                    "confidence": round(_product(a.confidence), 6),
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


def _product(values: Sequence[float]) -> float:
    result = 1.0
    for value in values:
        result *= value
    return result


def command_models(args: argparse.Namespace) -> int:
    from core.store import default_models_dir, list_models
    from seq2add_tui.console import print_models

    root = _models_dir(args) or default_models_dir()
    infos = list_models(root)
    if args.json:
        _print_json([info.to_dict() for info in infos])
    else:
        print_models(infos, root)
    return 0


def command_import(args: argparse.Namespace) -> int:
    from core.quiet import divert_native_stderr
    from core.store import check_name, read_info
    from core.tutorial import import_tutorial_model, read_tutorial_files

    check_name(args.out)
    files = read_tutorial_files(args.architecture, args.weights, args.terms, args.largest)
    divert_native_stderr()
    folder = import_tutorial_model(
        files, args.out, root=_models_dir(args), overwrite=args.overwrite
    )
    info = read_info(folder)
    exact = info.exact_match
    score = f"; exact-match {exact:.2%} on 2,000 fresh samples" if exact is not None else ""
    sys.stdout.write(f"Imported {folder} ({files.spec.describe()}{score})\n")
    return 0


def command_app(args: argparse.Namespace) -> int:
    try:
        from seq2add_tui.app import run_app
    except ImportError:
        sys.stdout.write(build_parser().format_help())
        return 0
    return run_app(models_dir=_models_dir(args))


COMMANDS: dict[str | None, Callable[[argparse.Namespace], int]] = {
    None: command_app,
    "train": command_train,
    "evaluate": command_evaluate,
    "predict": command_predict,
    "models": command_models,
    "import": command_import,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``seq2add`` console script."""
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except (UsageError, ModelError, ExpressionError, SpecError) as error:
        sys.stderr.write(f"seq2add: {error}\n")
        return USAGE_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted.\n")
        return INTERRUPTED
    except BrokenPipeError:
        return 0
