"""Terminal output for the command line: a live training bar, evaluations, the model list.

Rich ships with Textual, so the CLI's colours and progress bar cost no extra dependency; when
stdout is not a terminal Rich drops the colours and the bar redraws.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

from rich import box
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn
from rich.table import Table
from rich.text import Text

from core.evaluate import Breakdown, Evaluation
from core.model import ModelConfig, parameter_count
from core.percent import BRIEF, percent
from core.run_status import RunStatus
from core.spec import ProblemSpec
from core.store import ModelInfo
from core.train import (
    BatchEnded,
    EpochEnded,
    PhaseStarted,
    TrainingConfig,
    TrainingEvent,
    TrainingFailed,
    TrainingFinished,
)
from seq2add_tui.glyphs import GLYPHS
from seq2add_tui.wording import fit_and_total

console = Console(highlight=False)


def format_duration(seconds: float) -> str:
    """``0:07`` or ``1:02:03``."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def speed_and_eta(samples_seen: int, total_samples: int, fit_s: float) -> tuple[str, str]:
    """``12,345 samples/s`` and ``0:08 left``, from the time spent in fit so far."""
    if fit_s <= 0 or samples_seen <= 0:
        return "", ""
    rate = samples_seen / fit_s
    left = (total_samples - samples_seen) / rate
    return f"{rate:,.0f} samples/s", f"{format_duration(left)} left"


class TrainingProgress:
    """A training listener that draws a Rich progress bar with the phase, live loss and accuracy,
    samples per second and the time left; the bar goes away when training ends, leaving the
    epoch lines and the outcome."""

    def __init__(self, spec: ProblemSpec, model: ModelConfig, training: TrainingConfig) -> None:
        self.spec = spec
        self.training = training
        self.samples_seen = 0
        self.progress = Progress(
            TextColumn("[bold]{task.fields[phase]}"),
            BarColumn(bar_width=None),
            TaskProgressColumn(),
            TextColumn("loss {task.fields[loss]} acc {task.fields[accuracy]}"),
            TextColumn("exact {task.fields[exact]}"),
            TextColumn("{task.fields[rate]}"),
            TextColumn("{task.fields[eta]}"),
            console=console,
            transient=True,
            expand=True,
        )
        console.print(
            f"Training [bold]{model.describe()}[/] ({parameter_count(spec, model):,} parameters) "
            f"on {spec.describe()}: {training.epochs} × {training.samples:,} samples, "
            f"batch {training.batch_size}, lr {training.learning_rate:g}"
            f"{', fresh data' if training.draws_fresh_data else ''}. Ctrl-C stops."
        )
        self.task = self.progress.add_task(
            "train",
            total=training.samples * training.epochs,
            phase="Preparing",
            loss="–",
            accuracy="–",
            exact="–",
            rate="",
            eta="",
        )

    def __enter__(self) -> TrainingProgress:
        self.progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.progress.stop()

    def __call__(self, event: TrainingEvent) -> None:
        if isinstance(event, PhaseStarted):
            self.progress.update(self.task, phase=event.message)
        elif isinstance(event, BatchEnded):
            self.samples_seen = event.samples_seen
            rate, eta = speed_and_eta(event.samples_seen, event.total_samples, event.fit_s)
            self.progress.update(
                self.task,
                completed=event.samples_seen,
                loss=f"{event.loss:.4f}",
                accuracy=percent(event.accuracy, BRIEF),
                rate=rate,
                eta=eta,
            )
        elif isinstance(event, EpochEnded):
            self.progress.update(self.task, exact=percent(event.val_exact_match, BRIEF))
            self.progress.console.print(
                f"epoch {event.epoch}/{event.epochs}: loss {event.loss:.4f}, "
                f"char accuracy {percent(event.accuracy, BRIEF)}; "
                f"validation: loss {event.val_loss:.4f}, "
                f"char {percent(event.val_char_accuracy, BRIEF)}, "
                f"[bold]exact {percent(event.val_exact_match, BRIEF)}[/]"
            )
        elif isinstance(event, TrainingFinished):
            # core says a stopped model keeps what it learned, true in the app; Ctrl-C here saves
            # nothing, so say only where it stopped.
            message = (
                f"Stopped after {self.samples_seen:,} samples."
                if event.status == RunStatus.CANCELLED
                else event.message
            )
            self.progress.stop()  # the bar goes first, so it is not drawn again below this line
            console.print(f"{message} ({fit_and_total(event.fit_seconds, event.total_seconds)})")
        elif isinstance(event, TrainingFailed):
            self.progress.console.print(f"[red]{event.message}[/]")


def _breakdown_line(items: list[Breakdown]) -> str:
    return " · ".join(f"{b.label} {percent(b.accuracy)} ({b.total:,})" for b in items)


def print_evaluation(scores: Evaluation, title: str) -> None:
    """The evaluation as a small report with the notebook's ✓/✗ sample lines."""
    console.print(f"[bold]{title}[/]")
    console.print(f"Evaluated on {scores.samples:,} fresh samples in {scores.seconds:.2f} s")
    table = Table.grid(padding=(0, 2))
    table.add_row(
        "exact match",
        f"[bold]{percent(scores.exact_match)}[/] ({scores.exact_correct:,} / {scores.samples:,})",
    )
    lengths = scores.by_length
    if lengths is not None:
        table.add_row(
            "by length",
            f"[bold]{percent(lengths.exact_match)}[/] on {lengths.samples:,} length-balanced "
            "samples (each operand's digit count equally likely)",
        )
        worst = lengths.worst_cell
        if worst is not None:
            table.add_row(
                "worst lengths", f"{worst.label} {percent(worst.accuracy)} ({worst.total:,})"
            )
        small = lengths.small_operands
        if small is not None:
            how = "every one" if lengths.small_enumerated else "a fixed sample"
            table.add_row(
                "small operands",
                f"{percent(small.accuracy)} ({small.correct:,} / {small.total:,} with operands "
                f"≤ 20, {how})",
            )
    table.add_row("per character", percent(scores.char_accuracy))
    table.add_row("loss", f"{scores.loss:.4f}")
    table.add_row("per position", "  ".join(percent(p) for p in scores.per_position))
    for label, items in (
        ("by operator", scores.by_operator),
        ("by terms", scores.by_terms),
        ("by carries", scores.by_carries),
    ):
        if items:
            table.add_row(label, _breakdown_line(items))
    console.print(table)
    if scores.examples:
        console.print("Sample predictions:")
        for example in scores.examples:
            mark = f"[green]{GLYPHS.right}[/]" if example.correct else f"[red]{GLYPHS.wrong}[/]"
            console.print(f"  {mark} {example.line()}", markup=True)


def print_models(infos: list[ModelInfo], root: Path) -> None:
    """The model library as a table; under 100 columns the network goes under the problem."""
    if not infos:
        console.print(
            f"No models in {root} yet; train one with `seq2add train --out NAME`.", markup=False
        )
        return
    wide = console.width >= 100
    table = Table(
        title=Text(str(root)),
        title_justify="left",
        caption="exact: whole answers right on fresh samples, the lower of uniform values and "
        "length-balanced draws"
        + ("; shipped: comes with seq2add, read-only" if any(i.shipped for i in infos) else ""),
        caption_justify="left",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("name", no_wrap=True)
    table.add_column("problem" if wide else "problem · network", ratio=1)
    if wide:
        table.add_column("network", no_wrap=True)
    table.add_column("parameters", justify="right", no_wrap=True)
    table.add_column("exact", justify="right", no_wrap=True)
    if wide:
        table.add_column("saved", no_wrap=True)
    for info in infos:
        name = Text(info.name)  # names and errors are shown literally, never as markup
        if info.shipped and not wide:  # wide tables say so in the saved column
            name.append("\nshipped", style="dim")
        if not info.usable:
            table.add_row(name, Text(f"unreadable: {info.error}", style="red"))
            continue
        exact = info.headline_exact
        problem = info.spec.describe() if info.spec else ""
        network = info.model.describe() if info.model else ""
        figures = [
            f"{info.parameters:,}" if info.parameters else "",
            percent(exact) if exact is not None else "",
        ]
        if wide:
            saved = "shipped" if info.shipped else info.created[:10]
            table.add_row(name, problem, network, *figures, Text(saved))
        else:
            table.add_row(name, Text(problem).append(f"\n{network}", style="dim"), *figures)
    console.print(table)
