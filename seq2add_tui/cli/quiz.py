"""`seq2add quiz`: play "beat the model" in the terminal (also what `serve` runs per browser)."""

from __future__ import annotations

import argparse

from seq2add_tui.cli.common import (
    check_difficulty,
    db_option,
    db_path,
    models_dir,
    models_dir_option,
    player,
    positive_int,
    round_options,
)


def add_parser(commands: argparse._SubParsersAction) -> None:
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
    round_options(quiz)
    quiz.add_argument(
        "--seed", type=positive_int, metavar="S", help="the same seed asks the same sums"
    )
    # What `seq2add serve` runs per browser: see QuizApp's web_session.
    quiz.add_argument("--web-session", action="store_true", help=argparse.SUPPRESS)
    # What `seq2add ssh` runs per connection: see QuizApp's ssh_session.
    quiz.add_argument("--ssh-session", action="store_true", help=argparse.SUPPRESS)
    # The server that started this session (see QuizApp's server_pid).
    quiz.add_argument("--server-pid", type=int, default=None, help=argparse.SUPPRESS)
    # A `serve --room` session: rounds tagged with the room, and (--locked) the organiser's
    # round settings shown read-only.
    quiz.add_argument("--room", default=None, help=argparse.SUPPRESS)
    quiz.add_argument("--locked", action="store_true", help=argparse.SUPPRESS)
    db_option(quiz)
    models_dir_option(quiz)


def run(args: argparse.Namespace) -> int:
    from core.store import load_predictor
    from seq2add_tui.quiz_app import QuizApp

    name = player(args)
    predictor = load_predictor(args.model, models_dir(args))
    check_difficulty(predictor, args.difficulty)
    app = QuizApp(
        predictor,
        player=name,
        web_session=args.web_session,
        ssh_session=args.ssh_session,
        server_pid=args.server_pid,
        db_path=db_path(args),
        questions=args.questions,
        seconds=args.seconds,
        difficulty=args.difficulty,
        seed=args.seed,
        room=args.room,
        locked=args.locked,
    )
    app.run()
    return app.return_code or 0
