"""`seq2add import`: bring in a model saved by the tutorial notebook."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.percent import percent
from seq2add_tui.cli.common import check_out, models_dir, models_dir_option, positive_int


def add_parser(commands: argparse._SubParsersAction) -> None:
    tutorial = commands.add_parser("import", help="import a model saved by the tutorial notebook")
    tutorial.add_argument("architecture", type=Path, metavar="ARCHITECTURE_JSON")
    tutorial.add_argument("weights", type=Path, metavar="WEIGHTS")
    tutorial.add_argument("--terms", type=positive_int, required=True, metavar="N")
    tutorial.add_argument("--largest", type=positive_int, required=True, metavar="N")
    tutorial.add_argument("--out", required=True, metavar="NAME")
    tutorial.add_argument("--overwrite", action="store_true")
    models_dir_option(tutorial)


def run(args: argparse.Namespace) -> int:
    from core.quiet import divert_native_stderr
    from core.store import read_info
    from core.tutorial import import_tutorial_model, read_tutorial_files

    root = models_dir(args)
    check_out(args, root)
    files = read_tutorial_files(args.architecture, args.weights, args.terms, args.largest)
    divert_native_stderr(always=True)  # piped or not, TensorFlow's chatter goes to the log
    folder = import_tutorial_model(files, args.out, root=root, overwrite=args.overwrite)
    info = read_info(folder)
    exact = info.exact_match
    score = f"; exact-match {percent(exact)} on 2,000 fresh samples" if exact is not None else ""
    sys.stdout.write(f"Imported {folder} ({files.spec.describe()}{score})\n")
    return 0
