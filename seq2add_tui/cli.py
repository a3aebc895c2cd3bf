"""The ``seq2add`` command: the app by default, and subcommands for scripts and terminals.

Every mistake a user can make (an unknown model, a bad expression, a bad option value, an
unreadable file) ends with exit status 2 and one line on stderr; tracebacks are for bugs.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from core.data import ExpressionError
from core.leaderboard import LeaderboardError
from core.spec import SpecError
from core.store import ModelError

if TYPE_CHECKING:
    from core.infer import Predictor

USAGE_ERROR = 2
INTERRUPTED = 130
DEFAULT_MAX_PLAYERS = 32
"""Quiz sessions `serve` runs at once: 32 is what benchmarks/serve_concurrency.py measured 2 cores
serving with every answer under 50 ms."""


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


def _whole_number(low: int, high: int | None = None, unit: str = "") -> Callable[[str], int]:
    """An argparse type for whole numbers from ``low`` (to ``high``), for flags where 0, or more
    than some limit, means nothing."""

    def parse(text: str) -> int:
        value = _positive_int(text)
        if high is None and value < low:
            raise argparse.ArgumentTypeError(f"{text!r} must be at least {low:,}")
        if high is not None and not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text!r} is outside {low:,}–{high:,}{unit}")
        return value

    return parse


def _rate(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None


OFF = "off"
"""What `--stop-at` and `--clip-norm` take to switch a preset's target or cap off."""


def _rate_or_off(text: str) -> float | str:
    return OFF if text.strip().lower() == OFF else _rate(text)


def _path_option(
    parser: argparse.ArgumentParser, flag: str, metavar: str, help: str, *, root: bool
) -> None:
    """A path flag accepted both before the subcommand (``root``) and after it."""
    parser.add_argument(
        flag,
        type=Path,
        # On subcommands SUPPRESS keeps a value given before the subcommand.
        default=None if root else argparse.SUPPRESS,
        metavar=metavar,
        help=help,
    )


def _models_dir_option(parser: argparse.ArgumentParser, *, root: bool = False) -> None:
    help = "model library folder (default: $SEQ2ADD_MODELS or the shipped saved_models/)"
    _path_option(parser, "--models-dir", "DIR", help, root=root)


def _db_option(parser: argparse.ArgumentParser, *, root: bool = False) -> None:
    help = "leaderboard file (default: $SEQ2ADD_DB or one in your user data folder)"
    _path_option(parser, "--db", "PATH", help, root=root)


def _seconds(text: str) -> float:
    from core.quiz import MAX_SECONDS, MIN_SECONDS

    value = _rate(text)
    if not MIN_SECONDS <= value <= MAX_SECONDS:
        raise argparse.ArgumentTypeError(
            f"{text!r} is outside {MIN_SECONDS:g}–{MAX_SECONDS:g} seconds"
        )
    return value


def _round_options(parser: argparse.ArgumentParser) -> None:
    from core.quiz import (
        DEFAULT_DIFFICULTY,
        DEFAULT_QUESTIONS,
        DEFAULT_SECONDS,
        DIFFICULTIES,
        MAX_QUESTIONS,
    )

    group = parser.add_argument_group("round")
    group.add_argument(
        "--questions",
        type=_whole_number(1, MAX_QUESTIONS, " questions"),
        default=DEFAULT_QUESTIONS,
        metavar="N",
        help=f"questions per round (default {DEFAULT_QUESTIONS})",
    )
    group.add_argument(
        "--seconds",
        type=_seconds,
        default=DEFAULT_SECONDS,
        metavar="S",
        help=f"time allowed per question (default {DEFAULT_SECONDS:g})",
    )
    group.add_argument(
        "--difficulty",
        choices=list(DIFFICULTIES),
        default=DEFAULT_DIFFICULTY,
        help="; ".join(f"{k}: {v}" for k, v in DIFFICULTIES.items()),
    )


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, for ``main`` and for tests."""
    from core.evaluate import MAX_SAMPLES
    from core.model import ARCHITECTURES
    from core.presets import PRESETS
    from core.train import CURRICULA, SCHEDULES

    parser = _Parser(
        prog="seq2add",
        description="Train sequence-to-sequence LSTMs to do arithmetic, and race them.",
        epilog="With no command, seq2add opens the app.",
    )
    _models_dir_option(parser, root=True)
    _db_option(parser, root=True)
    parser.add_argument("--name", metavar="PLAYER", help="your name on the quiz leaderboard")
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
        type=_rate_or_off,
        metavar="FRACTION",
        help="stop once validation exact-match reaches this (e.g. 1.0); off: never",
    )
    training.add_argument(
        "--clip-norm",
        type=_rate_or_off,
        metavar="X",
        help="cap each gradient's norm (steadier at high learning rates); off: no cap",
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
        type=_whole_number(1, MAX_SAMPLES),
        default=10_000,
        metavar="N",
        help="fresh samples for the final evaluation (default 10,000)",
    )
    train.add_argument("--overwrite", action="store_true", help="replace a model of the same name")
    _models_dir_option(train)

    evaluate = commands.add_parser("evaluate", help="score a saved model on fresh samples")
    evaluate.add_argument("model", metavar="MODEL", help="a name in the library or a model folder")
    evaluate.add_argument(
        "--samples", type=_whole_number(1, MAX_SAMPLES), default=10_000, metavar="N"
    )
    evaluate.add_argument("--seed", type=_positive_int, default=None, metavar="S")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    _models_dir_option(evaluate)

    predict = commands.add_parser("predict", help="ask a saved model some questions")
    predict.add_argument("model", metavar="MODEL")
    predict.add_argument("expressions", nargs="+", metavar="EXPR")
    # argparse takes only a bare negative number (-3) for a positional, and -3+4 for an unknown
    # option; predict has no option that starts with a digit, so let every "-digit" be an EXPR.
    predict._negative_number_matcher = re.compile(r"-\s*\d")
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

    from core.presets import DEFAULT_OPPONENT

    quiz = commands.add_parser(
        "quiz",
        help="play 'beat the model' in the terminal",
        description=(
            "Answer the same sums as a saved model, against the clock; the score says who won "
            "and goes on the leaderboard."
        ),
    )
    quiz.add_argument(
        "model",
        nargs="?",
        default=DEFAULT_OPPONENT,
        metavar="MODEL",
        help=f"the opponent: a name in the library or a model folder (default {DEFAULT_OPPONENT})",
    )
    quiz.add_argument(
        "--name",
        metavar="PLAYER",
        default=argparse.SUPPRESS,
        help="your name on the leaderboard (default: $SEQ2ADD_PLAYER or your login)",
    )
    _round_options(quiz)
    quiz.add_argument(
        "--seed", type=_positive_int, metavar="S", help="the same seed asks the same sums"
    )
    # What `seq2add serve` runs per browser: see QuizApp's web_session.
    quiz.add_argument("--web-session", action="store_true", help=argparse.SUPPRESS)
    _db_option(quiz)
    _models_dir_option(quiz)

    board = commands.add_parser("leaderboard", help="show the quiz's top scores")
    board.add_argument("--model", metavar="NAME", help="only scores against this model")
    board.add_argument(
        "--limit", type=_whole_number(1), default=10, metavar="N", help="rows (default 10)"
    )
    board.add_argument(
        "--every-round",
        action="store_true",
        help="list every round, not only each player's best",
    )
    board.add_argument("--json", action="store_true", help="print a JSON list")
    _db_option(board)

    serve = commands.add_parser(
        "serve",
        help="serve the quiz to web browsers",
        description=(
            "Serve the quiz over HTTP with textual-serve: every browser tab gets its own quiz "
            "process, and all share one leaderboard. Listens on 127.0.0.1 unless --host is given "
            "(--host 0.0.0.0 opens it to your network)."
        ),
    )
    serve.add_argument(
        "model",
        nargs="?",
        default=DEFAULT_OPPONENT,
        metavar="MODEL",
        help=f"the opponent (default {DEFAULT_OPPONENT})",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    serve.add_argument(
        "--port",
        type=_whole_number(1, 65_535),
        default=8000,
        help="port to listen on (default 8000)",
    )
    serve.add_argument(
        "--max-players",
        type=_whole_number(1),
        default=DEFAULT_MAX_PLAYERS,
        metavar="N",
        help=f"sessions at once; later visitors are told the room is full "
        f"(default {DEFAULT_MAX_PLAYERS}, what 2 cores serve in under 50 ms per answer)",
    )
    _round_options(serve)
    serve.add_argument(
        "--seed",
        type=_positive_int,
        metavar="S",
        help="give every visitor the same first round (a fair race for the leaderboard)",
    )
    _db_option(serve)
    _models_dir_option(serve)
    return parser


# -- commands --------------------------------------------------------------------------------------


def _models_dir(args: argparse.Namespace) -> Path | None:
    return args.models_dir


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=None, ensure_ascii=False) + "\n")


def _check_out(args: argparse.Namespace, root: Path | None) -> None:
    """Refuse a bad or taken --out before any work, naming the flag that allows replacing it."""
    from core.store import check_name, resolve

    check_name(args.out)
    try:
        resolve(args.out, root)
    except ModelError:
        return
    if not args.overwrite:
        raise UsageError(
            f"a model named {args.out!r} already exists; use --overwrite or another name"
        )


def _flag_error(error: SpecError) -> UsageError:
    """core's message names its field (``learning_rate must be …``); a CLI user typed a flag."""
    from core.presets import setting_for_field

    flag = "--" + setting_for_field(error.field).replace("_", "-")
    message = str(error)
    if message.startswith(f"{error.field} "):
        return UsageError(flag + message[len(error.field) :])
    return UsageError(f"{flag}: {message}")


def command_train(args: argparse.Namespace) -> int:
    from core.evaluate import evaluate
    from core.presets import SETTING_NAMES, build_settings
    from core.quiet import divert_native_stderr
    from core.store import save_model
    from seq2add_tui.console import TrainingProgress, print_evaluation

    root = _models_dir(args)
    _check_out(args, root)
    overrides = {name: getattr(args, name) for name in SETTING_NAMES}
    switched_off = [name for name, value in overrides.items() if value == OFF]
    for name in switched_off:
        overrides[name] = None
    try:
        spec, model_config, training = build_settings(args.preset, overrides, unset=switched_off)
    except SpecError as error:
        raise _flag_error(error) from None
    divert_native_stderr(always=True)  # piped or not, TensorFlow's chatter goes to the log
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
    from core.store import read_info
    from core.tutorial import import_tutorial_model, read_tutorial_files

    root = _models_dir(args)
    _check_out(args, root)
    files = read_tutorial_files(args.architecture, args.weights, args.terms, args.largest)
    divert_native_stderr(always=True)  # piped or not, TensorFlow's chatter goes to the log
    folder = import_tutorial_model(files, args.out, root=root, overwrite=args.overwrite)
    info = read_info(folder)
    exact = info.exact_match
    score = f"; exact-match {exact:.2%} on 2,000 fresh samples" if exact is not None else ""
    sys.stdout.write(f"Imported {folder} ({files.spec.describe()}{score})\n")
    return 0


def _db_path(args: argparse.Namespace) -> Path | None:
    db = getattr(args, "db", None)
    return db.expanduser() if db is not None else None


def _player(args: argparse.Namespace) -> str | None:
    from core.leaderboard import PlayerNameError, check_player_name

    name = getattr(args, "name", None)
    if name is None:
        return None
    try:
        return check_player_name(name)
    except PlayerNameError as error:
        raise UsageError(f"--name: {error}") from None


def command_app(args: argparse.Namespace) -> int:
    from seq2add_tui.app import run_app

    return run_app(models_dir=_models_dir(args), db_path=_db_path(args), player=_player(args))


def _check_difficulty(predictor: Predictor, difficulty: str) -> None:
    """Refuse a difficulty the model can't play (see `core.quiz.level_scores`)."""
    from core.quiz import DEFAULT_DIFFICULTY, level_scores, unplayable_reason

    if difficulty != DEFAULT_DIFFICULTY:
        reason = unplayable_reason(predictor, difficulty, level_scores(predictor))
        if reason:
            raise UsageError(reason)


def command_quiz(args: argparse.Namespace) -> int:
    from core.store import load_predictor
    from seq2add_tui.quiz_app import QuizApp

    player = _player(args)
    predictor = load_predictor(args.model, _models_dir(args))
    _check_difficulty(predictor, args.difficulty)
    app = QuizApp(
        predictor,
        player=player,
        web_session=args.web_session,
        db_path=_db_path(args),
        questions=args.questions,
        seconds=args.seconds,
        difficulty=args.difficulty,
        seed=args.seed,
    )
    app.run()
    return app.return_code or 0


def command_leaderboard(args: argparse.Namespace) -> int:
    from core.leaderboard import Leaderboard

    with Leaderboard(_db_path(args)) as board:
        scores = board.top(args.model, args.limit, best_per_player=not args.every_round)
    if args.json:
        _print_json([{"rank": place, **s.to_dict()} for place, s in enumerate(scores, 1)])
    else:
        _print_leaderboard(scores, board.path, args.model, best_per_player=not args.every_round)
    return 0


def _print_leaderboard(
    scores: Sequence[Any], path: Path, model: str | None, *, best_per_player: bool
) -> None:
    from rich import box
    from rich.table import Table

    from seq2add_tui.console import console
    from seq2add_tui.score_rows import score_cells

    which = f"on {model}" if model else "on every model"
    if not scores:
        console.print(f"No scores {which} yet in {path}; play one with `seq2add quiz`.")
        return
    kind = "each player's best" if best_per_player else "every round"
    table = Table(
        title=f"Top scores {which} ({kind}) — {path}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    # Every model at once needs the model's name; at 80 columns the level makes way for it.
    every_model = model is None
    columns = ["#", "player", "score", *(["model"] * every_model), "model's", "result", "right"]
    columns += [*(["level"] * (not every_model)), "played"]
    for name in columns:
        right = name in ("#", "score", "model's", "right")
        table.add_column(name, justify="right" if right else "left", no_wrap=True)
    for place, score in enumerate(scores, 1):
        level = None if every_model else "full"
        table.add_row(*score_cells(place, score, opponent=every_model, level=level))
    console.print(table)


def command_serve(args: argparse.Namespace) -> int:
    from core.leaderboard import default_db_path
    from core.store import load_predictor, resolve

    try:
        from seq2add_tui.serve import browse_url, quiz_command, serve
    except ImportError:
        raise UsageError("serving needs textual-serve: pip install textual-serve") from None
    folder = resolve(args.model, _models_dir(args))
    predictor = load_predictor(folder)  # fail here, not in every visitor's browser
    _check_difficulty(predictor, args.difficulty)
    command = quiz_command(
        folder,
        db_path=_db_path(args) or default_db_path(),
        questions=args.questions,
        seconds=args.seconds,
        difficulty=args.difficulty,
        seed=args.seed,
    )
    sys.stdout.write(f"seq2add serve: open {browse_url(args.host, args.port)}\n")
    sys.stdout.flush()
    try:
        serve(command, args.host, args.port, predictor.name, args.max_players)
    except OSError as error:
        raise UsageError(
            f"can't listen on {args.host}:{args.port} ({error.strerror or error}); "
            "choose another --port or --host"
        ) from None
    return 0


COMMANDS: dict[str | None, Callable[[argparse.Namespace], int]] = {
    None: command_app,
    "train": command_train,
    "evaluate": command_evaluate,
    "predict": command_predict,
    "models": command_models,
    "import": command_import,
    "quiz": command_quiz,
    "leaderboard": command_leaderboard,
    "serve": command_serve,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``seq2add`` console script."""
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except (UsageError, ModelError, ExpressionError, SpecError, LeaderboardError) as error:
        sys.stderr.write(f"seq2add: {error}\n")
        return USAGE_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted.\n")
        return INTERRUPTED
    except BrokenPipeError:
        return 0
