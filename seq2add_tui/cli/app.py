"""`seq2add` with no command: open the app."""

from __future__ import annotations

import argparse

from seq2add_tui.cli.common import db_path, models_dir, player


def run(args: argparse.Namespace) -> int:
    from seq2add_tui.app import run_app

    return run_app(models_dir=models_dir(args), db_path=db_path(args), player=player(args))
