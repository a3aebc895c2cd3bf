"""`seq2add leaderboard`: the quiz's top scores, as a table, JSON or CSV.

Scores are ranked within their round format (model, questions, seconds, level), so each format
gets its own places. JSON and CSV list every row unless ``--limit`` says otherwise; the table
shows the top 10 and says how many it left out.
"""

from __future__ import annotations

import argparse
import csv
import sys
from itertools import groupby
from pathlib import Path

from seq2add_tui.cli.common import UsageError, db_option, db_path, print_json, whole_number

TABLE_ROWS = 10
"""Rows the table shows without --limit (JSON and CSV show all)."""


def add_parser(commands: argparse._SubParsersAction) -> None:
    board = commands.add_parser(
        "leaderboard",
        help="show the quiz's top scores",
        description=(
            "Top scores, each player's best, ranked within each round format. "
            "JSON and CSV list every row unless --limit is given."
        ),
    )
    board.add_argument("--model", metavar="NAME", help="only scores against this model")
    board.add_argument("--room", metavar="NAME", help="only rounds played in this serve room")
    board.add_argument(
        "--limit",
        type=whole_number(1),
        default=None,
        metavar="N",
        help=f"rows (default {TABLE_ROWS} in the table, all in JSON and CSV)",
    )
    board.add_argument(
        "--every-round",
        action="store_true",
        help="list every round, not only each player's best",
    )
    board.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default=None,
        help="how to print (default table)",
    )
    board.add_argument("--json", action="store_true", help="same as --format json")
    board.add_argument("--csv", action="store_true", help="same as --format csv")
    db_option(board)


def _output_format(args: argparse.Namespace) -> str:
    asked = {name for name in ("json", "csv") if getattr(args, name)}
    if args.format is not None:
        asked.add(args.format)
    if len(asked) > 1:
        raise UsageError(f"choose one output format, not {' and '.join(sorted(asked))}")
    return asked.pop() if asked else "table"


def run(args: argparse.Namespace) -> int:
    from core.leaderboard import Leaderboard

    output = _output_format(args)
    limit = args.limit if args.limit is not None or output != "table" else TABLE_ROWS
    with Leaderboard(db_path(args)) as board:
        standings, total = board.standings(
            args.model, limit, best_per_player=not args.every_round, room=args.room
        )
        damaged = board.damaged_rows()
        played = {name for name, _ in board.models()} if args.model and not standings else set()
    if args.model and not standings and args.model not in played:
        from core.store import list_models

        if args.model not in {info.name for info in list_models(getattr(args, "models_dir", None))}:
            raise UsageError(
                f"unknown model {args.model!r}: no scores against it and no model of that name "
                "in the library (see: seq2add models)"
            )
    if damaged:  # on stderr, so JSON and CSV on stdout stay clean
        rows_word = "row" if damaged == 1 else "rows"
        sys.stderr.write(f"seq2add: skipped {damaged:,} damaged leaderboard {rows_word}.\n")
    rows = [{"rank": s.place, **s.score.to_dict()} for s in standings]
    if output == "json":
        print_json(rows)
    elif output == "csv":
        _print_csv(rows)
    else:
        _print_tables(standings, total, board.path, args)
    return 0


CSV_COLUMNS = (
    "rank",
    "player",
    "player_score",
    "model",
    "model_score",
    "outcome",
    "player_correct",
    "model_correct",
    "questions",
    "difficulty",
    "seconds_per_question",
    "duration_s",
    "format",
    "room",
    "problem",
    "played_at",
    "id",
)


def _print_csv(rows: list[dict]) -> None:
    writer = csv.DictWriter(sys.stdout, CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def _print_tables(standings: list, total: int, path: Path, args: argparse.Namespace) -> None:
    from rich import box
    from rich.table import Table

    from seq2add_tui.console import console
    from seq2add_tui.score_rows import score_cells

    which = f"on {args.model}" if args.model else "on every model"
    if args.room:
        which += f" in room {args.room}"
    if not standings:
        console.print(f"No scores {which} yet in {path}; play one with `seq2add quiz`.")
        return
    kind = "every round" if args.every_round else "each player's best"
    console.print(f"Top scores {which} ({kind}) — {path}", highlight=False, markup=False)
    for fmt, group in groupby(standings, key=lambda s: s.score.round_format):
        table = Table(
            title=fmt.describe(),
            title_justify="left",
            box=box.SIMPLE_HEAD,
            pad_edge=False,
            collapse_padding=True,
        )
        columns = ["#", "player", "score", "model's", "result", "right", "played"]
        for name in columns:
            right = name in ("#", "score", "model's", "right")
            table.add_column(name, justify="right" if right else "left", no_wrap=True)
        for standing in group:
            table.add_row(*score_cells(standing.place, standing.score, opponent=False, level=None))
        console.print(table)
    if len(standings) < total:
        console.print(
            f"showing {len(standings)} of {total} (--limit N for more, --format csv for all)",
            highlight=False,
        )
