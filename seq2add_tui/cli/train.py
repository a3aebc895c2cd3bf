"""`seq2add train`: train a model with live progress, evaluate it, and save it."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from core.run_status import RunStatus
from core.settings import FORM_SECTIONS, SETTINGS, Setting, setting_for_field
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
    from core.presets import PRESETS

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
    groups = {section: train.add_argument_group(section.lower()) for section in FORM_SECTIONS}
    for setting in SETTINGS:
        _add_setting_flag(groups[setting.section], setting)
    groups["Training"].add_argument(
        "--eval-samples",
        type=whole_number(1, MAX_SAMPLES),
        default=10_000,
        metavar="N",
        help="fresh samples for the final evaluation (default 10,000)",
    )
    train.add_argument("--overwrite", action="store_true", help="replace a model of the same name")
    models_dir_option(train)


_NUMBER_TYPES = {"int": positive_int, "float": rate}
_METAVARS = {"int": "N", "float": "X"}


def _add_setting_flag(group: argparse._ArgumentGroup, setting: Setting) -> None:
    """The flag of one `core.settings` setting; None (left out) keeps the preset's value."""
    help = setting.help.replace("%", "%%")  # argparse formats help with %
    if setting.optional:
        help += f" ({OFF}: {setting.off_text})"
    options: dict[str, Any] = {"default": None, "help": help}
    if setting.kind == "bool":
        options["action"] = argparse.BooleanOptionalAction
    elif setting.kind == "choice":
        assert setting.choices is not None
        options["choices"] = list(setting.choices)
    else:
        options["metavar"] = setting.metavar or _METAVARS.get(setting.kind)
        kind = _NUMBER_TYPES.get(setting.kind)
        if kind is not None:
            options["type"] = rate_or_off if setting.optional else kind
    group.add_argument(setting.flag, **options)


def _tensorboard_dir(text: str | None) -> Path | None:
    """``--tensorboard DIR`` as a folder (None: not given, or ``off``)."""
    return None if text in (None, OFF) else Path(text).expanduser()


def _flag_error(error: SpecError) -> UsageError:
    """core's message names its field (``learning_rate must be …``); a CLI user typed a flag."""
    setting = setting_for_field(error.field)
    flag = setting.flag if setting is not None else "--" + error.field.replace("_", "-")
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
                tensorboard_dir=_tensorboard_dir(args.tensorboard),
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
