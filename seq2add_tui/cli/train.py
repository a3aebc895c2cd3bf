"""`seq2add train`: train a model with live progress, evaluate it, and save it."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from core.run_status import RunStatus
from core.spec import SpecError
from seq2add_tui.cli.common import (
    INTERRUPTED,
    OFF,
    UsageError,
    check_out,
    models_dir,
    models_dir_option,
    positive_int,
    rate,
    rate_or_off,
    whole_number,
)


def add_parser(commands: argparse._SubParsersAction) -> None:
    from core.evaluate import MAX_SAMPLES
    from core.model import ARCHITECTURES
    from core.presets import PRESETS
    from core.train import CURRICULA, SCHEDULES

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
    problem.add_argument("--smallest", type=positive_int, metavar="N", help="smallest operand")
    problem.add_argument("--largest", type=positive_int, metavar="N", help="largest operand")
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
    model.add_argument("--encoder-units", type=positive_int, metavar="N")
    model.add_argument("--decoder-units", type=positive_int, metavar="N")
    model.add_argument("--encoder-layers", type=positive_int, metavar="N")
    model.add_argument("--decoder-layers", type=positive_int, metavar="N")
    training = train.add_argument_group("training")
    training.add_argument("--samples", type=positive_int, metavar="N", help="samples per epoch")
    training.add_argument("--epochs", type=positive_int, metavar="N")
    training.add_argument("--batch-size", type=positive_int, metavar="N")
    training.add_argument("--lr", type=rate, metavar="X", help="learning rate")
    training.add_argument("--seed", type=positive_int, metavar="S")
    training.add_argument(
        "--fresh-data",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="draw new samples every epoch",
    )
    training.add_argument("--schedule", choices=list(SCHEDULES))
    training.add_argument("--curriculum", choices=list(CURRICULA))
    training.add_argument(
        "--sampling",
        metavar="value|length|mixed:P",
        help="how operands are drawn: uniform by value, by digit count first, or a mix",
    )
    training.add_argument(
        "--patience",
        type=positive_int,
        metavar="N",
        help="stop after N epochs without a better validation exact-match",
    )
    training.add_argument(
        "--stop-at",
        type=rate_or_off,
        metavar="FRACTION",
        help="stop once validation exact-match reaches this (e.g. 1.0); off: never",
    )
    training.add_argument(
        "--clip-norm",
        type=rate_or_off,
        metavar="X",
        help="cap each gradient's norm (steadier at high learning rates); off: no cap",
    )
    training.add_argument(
        "--validation-samples",
        type=positive_int,
        metavar="N",
        help="held-out samples scored after each epoch (all questions if the problem has fewer)",
    )
    training.add_argument(
        "--checkpoints",
        type=positive_int,
        metavar="N",
        help="extra validation checks through the run; with --stop-at, training can stop at one",
    )
    training.add_argument(
        "--eval-samples",
        type=whole_number(1, MAX_SAMPLES),
        default=10_000,
        metavar="N",
        help="fresh samples for the final evaluation (default 10,000)",
    )
    train.add_argument(
        "--tensorboard",
        type=Path,
        metavar="DIR",
        help="also write TensorBoard event files there (view with: tensorboard --logdir DIR)",
    )
    train.add_argument("--overwrite", action="store_true", help="replace a model of the same name")
    models_dir_option(train)


def _flag_error(error: SpecError) -> UsageError:
    """core's message names its field (``learning_rate must be …``); a CLI user typed a flag."""
    from core.presets import setting_for_field

    flag = "--" + setting_for_field(error.field).replace("_", "-")
    message = str(error)
    if message.startswith(f"{error.field} "):
        return UsageError(flag + message[len(error.field) :])
    return UsageError(f"{flag}: {message}")


def run(args: argparse.Namespace) -> int:
    from core.evaluate import evaluate
    from core.presets import SETTING_NAMES, build_settings
    from core.quiet import divert_native_stderr
    from core.store import save_model
    from seq2add_tui.console import TrainingProgress, console, print_evaluation

    root = models_dir(args)
    check_out(args, root)
    overrides = {name: getattr(args, name) for name in SETTING_NAMES}
    switched_off = [name for name, value in overrides.items() if value == OFF]
    for name in switched_off:
        overrides[name] = None
    try:
        spec, model_config, training = build_settings(args.preset, overrides, unset=switched_off)
    except SpecError as error:
        raise _flag_error(error) from None
    divert_native_stderr(always=True)  # piped or not, TensorFlow's chatter goes to the log
    from core.train import saving_phase, scoring_phase, train

    cancel = threading.Event()
    previous = signal.getsignal(signal.SIGINT)

    def stop(signum: int, frame: Any) -> None:
        cancel.set()
        signal.signal(signal.SIGINT, previous)  # a second Ctrl-C interrupts at once

    signal.signal(signal.SIGINT, stop)
    try:
        with TrainingProgress(spec, model_config, training) as progress:
            run = train(
                spec,
                model_config,
                training,
                listener=progress,
                cancel=cancel,
                tensorboard_dir=args.tensorboard,
            )
    finally:
        signal.signal(signal.SIGINT, previous)
    if run.status == RunStatus.CANCELLED:
        sys.stderr.write("Interrupted: training stopped and nothing was saved.\n")
        return INTERRUPTED
    if run.status == RunStatus.DIVERGED:
        sys.stderr.write(f"{run.message} Nothing was saved.\n")
        return 1
    console.print(f"{scoring_phase(args.eval_samples).message}…")
    scores = evaluate(run.predictor().probabilities, spec, args.eval_samples)
    print_evaluation(scores, title=f"{args.out}: {spec.describe()}")
    console.print(f"{saving_phase(args.out).message}…")
    folder = save_model(
        run.model,
        spec,
        args.out,
        root=root,
        model_config=model_config,
        training={**run.summary(), "preset": args.preset},
        metrics=scores.summary(),
        overwrite=args.overwrite,
        history=run.points,
    )
    sys.stdout.write(f"Saved {folder}\n")
    return 0
