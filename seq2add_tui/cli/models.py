"""`seq2add models`: list the model library."""

from __future__ import annotations

import argparse

from seq2add_tui.cli.common import models_dir, models_dir_option, print_json


def add_parser(commands: argparse._SubParsersAction) -> None:
    models = commands.add_parser("models", help="list the saved models")
    models.add_argument("--json", action="store_true", help="print a JSON list")
    models_dir_option(models)


def run(args: argparse.Namespace) -> int:
    from core.store import default_models_dir, list_library
    from seq2add_tui.console import print_models

    root = models_dir(args) or default_models_dir()
    infos = list_library(root)
    if args.json:
        print_json([info.to_dict() for info in infos])
    else:
        print_models(infos, root)
    return 0
