"""The Training panel: Start and Stop, progress of the run and the epoch, a log and a live plot
that can lay another run (saved or from this session) over the current one and export its CSV.

The panel only draws: the App runs training in a worker and hands every event to `show_event`,
so the panel works the same whether events come from a real run or from a test.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Button, Label, ProgressBar, RichLog, Static

from core.history import HistoryPoint
from core.percent import BRIEF, percent
from core.run import Settings
from core.train import (
    BatchEnded,
    Checkpoint,
    EpochEnded,
    PhaseStarted,
    TrainingEvent,
    TrainingFailed,
    TrainingFinished,
    TrainingStarted,
)
from seq2add_tui.console import format_duration, speed_and_eta
from seq2add_tui.glyphs import GLYPHS
from seq2add_tui.widgets.focus import focus_within
from seq2add_tui.widgets.learning_plot import LearningPlot
from seq2add_tui.widgets.run_history_bar import RunHistoryBar
from seq2add_tui.wording import counted, fit_and_total

LOG_MAX_LINES = 2_000
"""Lines the training log keeps."""
LOG_LINES_PER_EPOCH = 4
"""Batch lines the log shows per epoch (besides the epoch's own summary)."""
CHECK_STATUS_DELAY_S = 0.3
"""How long a mid-run validation check must last to be named on the status line."""
DRAW_INTERVAL_S = 1.0
"""While a run goes on, new log lines and plot points are drawn together at most this often.
Each log write lays the whole screen out again (the log's scroll height changes) and each plot
redraw re-renders the plot: ~20 ms and ~5 ms of the UI thread, which the training thread waits
for (the GIL) at every checkpoint. The status line and the bars still move at once."""


__all__ = ["TrainingPanel", "format_duration", "log_stride"]


def log_stride(batches: int) -> int:
    """Every how many batches the log gets a line."""
    return max(1, math.ceil(batches / LOG_LINES_PER_EPOCH))


class TrainingPanel(Vertical):
    """Watch a model learn; Start and Stop run the App's actions."""

    clock: Callable[[], float] = time.monotonic
    """Where elapsed time comes from (tests freeze it so screenshots are stable)."""

    running: reactive[bool] = reactive(False)
    """Whether a run is under way (Start is disabled, Stop enabled)."""

    settings_valid: reactive[bool] = reactive(True)
    """Whether the Config form can be trained as it is (Start is disabled while it can't)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.started_at: float | None = None
        self.settings: Settings | None = None
        """What the current (or last) run was asked to do."""
        self.stopping = False
        self.failure: str | None = None
        """The last failure reported, so a crash is not logged twice."""
        self._pending: deque[Text] = deque(maxlen=LOG_MAX_LINES)
        """Lines not written yet: logged while the panel was hidden (written when shown, when
        RichLog wraps them to its width) or in the last second of a run; no more than the log
        itself keeps."""
        self._flush_timer: Timer | None = None
        self._check_timer: Timer | None = None
        """Shows the current mid-run check on the status line if it lasts."""
        self._plot_stale = False
        """Whether the plot got points it hasn't drawn yet."""
        self._finished_title = ""
        self.phase: PhaseStarted | None = None
        """What the run is doing now, as core (or the App, after training) last said."""
        self.phase_log: list[str] = []
        """Every phase message of the current run, in order (what the log shows of them)."""
        self._last_batch: BatchEnded | None = None
        self.points: list[HistoryPoint] = []
        """The current (or last) run's validation checks, as its history.csv has them."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="training-controls"):
            yield Button(
                "Start ▶",
                id="run-start",
                classes="start-training",
                variant="success",
                compact=True,
                action="app.start_training",
                tooltip="Train a model with the Config panel's settings (ctrl+t).",
            )
            yield Button(
                "Stop ■",
                id="run-stop",
                variant="error",
                compact=True,
                disabled=True,
                action="app.stop_training",
                tooltip="Stop after the current batch; the model keeps what it learned (ctrl+t).",
            )
            yield Static(id="training-status")
        with Horizontal(classes="progress-row"):
            yield Label("Run", classes="progress-label")
            yield ProgressBar(id="run-progress", show_eta=False, show_percentage=True)
            yield Static(id="run-figures", classes="progress-figures")
        with Horizontal(classes="progress-row"):
            yield Label("Epoch", classes="progress-label")
            yield ProgressBar(id="epoch-progress", show_eta=False, show_percentage=True)
            yield Static(id="epoch-figures", classes="progress-figures")
        plot = LearningPlot(id="learning-plot")
        yield RunHistoryBar(plot, lambda: self.points, id="history-controls")
        with Horizontal(id="training-body"):
            yield plot
            with Vertical(id="training-log-box"):
                yield Static(
                    "[b]Nothing trained yet.[/] Pick a preset or change the settings in "
                    "[b]Config[/], then Start. Batch and epoch lines appear here; Stop ends the "
                    "run within a batch.",
                    id="training-log-empty",
                    classes="empty-state",
                )
                yield RichLog(
                    id="training-log",
                    wrap=True,
                    markup=False,
                    max_lines=LOG_MAX_LINES,
                    min_width=20,
                )

    def on_mount(self) -> None:
        self.query_one("#training-log-box").border_title = "Log"
        self.query_one("#learning-plot").border_title = "Learning curves"
        self._status("[dim]Idle.[/] Set up a run in [b]Config[/] (1), then press [b]ctrl+t[/].")
        self._progress("#run-progress", total=1, progress=0)
        self._progress("#epoch-progress", total=1, progress=0)

    def watch_running(self, running: bool) -> None:
        self.query_one("#run-start", Button).disabled = running or not self.settings_valid
        self.query_one("#run-stop", Button).disabled = not running

    def watch_settings_valid(self, valid: bool) -> None:
        self.query_one("#run-start", Button).disabled = self.running or not valid

    @property
    def history_bar(self) -> RunHistoryBar:
        """Where this session's runs and the saved models' histories are kept to compare."""
        return self.query_one(RunHistoryBar)

    # -- the run ----------------------------------------------------------------------------------

    def focus_current(self) -> None:
        """Focus Stop while a run goes on, else Start."""
        focus_within(self, self.query_one("#run-stop" if self.running else "#run-start"))

    def begin(self, settings: Settings) -> None:
        """A run with ``settings`` is starting (TensorFlow may still be loading)."""
        self.settings = settings
        self.stopping = False
        self.failure = None
        self.running = True
        self.started_at = self.clock()
        training = settings.training
        total = training.samples * training.epochs
        self._progress("#run-progress", total=total, progress=0)
        self._progress("#epoch-progress", total=training.batches_per_epoch, progress=0)
        self._figures("#run-figures", f"0 / {total:,} samples")
        self._figures("#epoch-figures", f"1 / {training.epochs:,}")
        self.query_one(LearningPlot).reset(total)
        self.query_one("#training-log-empty").display = False
        self._pending.clear()
        self._plot_stale = False
        self.query_one("#training-log", RichLog).clear()
        self._finished_title = ""
        self.phase = None
        self.phase_log = []
        self._last_batch = None
        self.points = []
        self._log(
            Text.assemble(
                ("▶ ", "bold green"),
                (settings.spec.describe(), "bold"),
                f" · {settings.model.describe()} · {training.samples:,} samples × "
                f"{counted(training.epochs, 'epoch')}, batch "
                f"{training.batch_size}, lr {training.learning_rate:g} ({training.schedule}) · "
                f"preset {settings.preset_label}",
            )
        )
        self._status("[b]Starting…[/] loading TensorFlow and building the model.")

    def request_stop(self) -> None:
        """Stop was pressed: say so until the run reports back."""
        if self.running:
            self.stopping = True
            self._status("[b $warning]Stopping…[/] the run ends after the current batch.")

    def show_batch(self, event: BatchEnded, logged: bool) -> None:
        """Move the bars; log the batch if it is one of the epoch's few logged ones."""
        self._progress("#run-progress", progress=event.samples_seen)
        self._progress("#epoch-progress", total=event.batches, progress=event.batch)
        self._figures("#run-figures", f"{event.samples_seen:,} / {event.total_samples:,} samples")
        epochs = self.settings.training.epochs if self.settings else event.epoch
        self._figures("#epoch-figures", f"{event.epoch:,} / {epochs:,}")
        self._last_batch = event
        if not self.stopping and (self.phase is None or self.phase.phase == "training"):
            self._status(self._running_status())
        if logged:
            width = len(str(event.batches))
            self._log(
                Text.assemble(
                    (f"  {event.epoch}·{event.batch:>{width}}/{event.batches}", "dim"),
                    f"  loss {event.loss:.4f}  char {percent(event.accuracy, BRIEF)}",
                )
            )
            self.query_one(LearningPlot).add_loss(event.samples_seen, event.loss, redraw=False)
            self._plot_changed()

    def show_event(self, event: TrainingEvent) -> None:
        """Show any other training event."""
        plot = self.query_one(LearningPlot)
        if isinstance(event, PhaseStarted):
            self._show_phase(event)
        elif isinstance(event, TrainingStarted):
            self._log(
                Text(
                    f"  {event.parameters:,} parameters · {event.batches_per_epoch:,} batches "
                    f"per epoch · {event.total_samples:,} samples in all",
                    style="dim",
                )
            )
        elif isinstance(event, Checkpoint):
            if event.point is not None:
                self.points.append(event.point)
                plot.add_check(event.point, redraw=False)
            else:
                plot.add_exact_match(event.samples_seen, event.val_exact_match, redraw=False)
            self._plot_changed()
            self._log(
                Text.assemble(
                    (f"  check {event.index}/{event.count}", "dim"),
                    "  valid exact ",
                    (percent(event.val_exact_match, BRIEF), "bold"),
                )
            )
        elif isinstance(event, EpochEnded):
            plot.add_loss(event.samples_seen, event.loss, redraw=False)
            self.points.append(event.point())
            plot.add_check(event.point(), redraw=False)
            self._plot_changed()
            self._log(
                Text.assemble(
                    (f"Epoch {event.epoch}/{event.epochs}", "bold"),
                    f" · {format_duration(event.elapsed_s)} · lr {event.learning_rate:.3g}\n",
                    f"  train loss {event.loss:.4f}  char {percent(event.accuracy, BRIEF)}\n",
                    f"  valid loss {event.val_loss:.4f}  "
                    f"char {percent(event.val_char_accuracy, BRIEF)}\n",
                    "  valid exact-match ",
                    (percent(event.val_exact_match, BRIEF), "bold"),
                )
            )
        elif isinstance(event, TrainingFinished):
            self._cancel_check_status()
            style = f"${event.status.severity}"
            self._log(
                Text.assemble(
                    ("■ ", "bold"),
                    (event.message, "bold"),
                    f" Best validation exact-match {percent(event.best_val_exact_match)}; "
                    f"{counted(event.epochs_run, 'epoch')}, "
                    f"{fit_and_total(event.fit_seconds, event.total_seconds)}.",
                )
            )
            self._finished_title = f"[b {style}]{event.status.heading}.[/]"
            self._status(f"{self._finished_title} ", event.message)
        elif isinstance(event, TrainingFailed):
            self._cancel_check_status()
            self.failure = event.message
            self._log(Text(f"{GLYPHS.wrong} {event.message}", style="bold red"))
            self._status("[b $error]Failed.[/] ", event.message)

    def show_saved(self, name: str) -> None:
        """The trained model was saved as ``name``."""
        self.phase = None
        self._log(Text(f"{GLYPHS.right} Saved as {name}.", style="bold"))
        self._status("[b $success]Saved[/] as ", f"{name}.")

    def _show_phase(self, event: PhaseStarted) -> None:
        """Name the phase on the status line; log it, except mid-run checks and the return to
        training after each (the check's own line says it).

        A mid-run check reaches the status line only if it is still going after
        `CHECK_STATUS_DELAY_S`: most take a few hundredths of a second, too short to read, and
        naming each and then going back to Training cost two screen updates per check."""
        self.phase = event
        self.phase_log.append(event.message)
        check = event.phase == "validating" and event.message.startswith("Validating at")
        if event.phase != "training" and not check:
            self._log(Text(f"· {event.message}…", style="dim"))
        check_unseen = self._cancel_check_status()
        if self.stopping:
            return
        if check:
            self._check_timer = self.set_timer(
                CHECK_STATUS_DELAY_S, lambda: self._show_check(event)
            )
        elif event.phase == "training":
            if not check_unseen:  # else the line still says Training, from the last batch
                self._status(self._running_status())
        else:
            self._phase_status(event)

    def _phase_status(self, event: PhaseStarted) -> None:
        title, _, rest = event.message.partition(" ")
        self._status(f"[b]{title}[/] ", f"{rest}…")

    def _show_check(self, event: PhaseStarted) -> None:
        self._check_timer = None
        if self.phase is event and self.running and not self.stopping:
            self._phase_status(event)

    def _cancel_check_status(self) -> bool:
        """Forget a mid-run check not shown yet; whether there was one."""
        timer, self._check_timer = self._check_timer, None
        if timer is not None:
            timer.stop()
        return timer is not None

    def finish(self, verdict: str | None, headline: str = "") -> None:
        """The worker is done; ``verdict`` sums up the evaluation (None if nothing was kept).

        The status line beside the buttons gets ``headline`` (e.g. ``exact-match 97.71%``),
        short enough for 80 columns; the log gets the whole verdict.
        """
        self.running = False
        self.stopping = False
        self.flush()
        if verdict:
            self._log(Text(f"{GLYPHS.right} {verdict}", style="bold"))
            # A diverged run that kept its last finite weights was reported as a failure.
            title = self._finished_title or (
                "[b $error]Diverged;[/] kept the last finite weights:"
                if self.failure
                else "[b $success]Done.[/]"
            )
            self._status(f"{title} {headline or verdict} [dim]· ctrl+s saves it[/]")
        elif self.failure is None:
            self._status("[b $warning]Stopped[/] before the first batch; nothing to keep.")

    def fail(self, message: str) -> None:
        """The worker crashed with ``message`` (one sentence), unless core reported it already.

        Core words a failure its own way before re-raising; one line in the log is enough.
        """
        self.running = False
        self.stopping = False
        self.flush()
        if self.failure is None:
            self.show_event(TrainingFailed(message))

    # -- helpers ----------------------------------------------------------------------------------

    def _running_status(self) -> str:
        """``Training · 3,612 samples/s · 0:14 left · 0:09 total`` (the epoch is on its bar)."""
        elapsed = self.clock() - (self.started_at or self.clock())
        text = "[b]Training[/]"
        batch = self._last_batch
        if batch is None:
            text += " · TensorFlow is compiling the first step"
        else:
            rate, eta = speed_and_eta(batch.samples_seen, batch.total_samples, batch.fit_s)
            text += "".join(f" · {part}" for part in (rate, eta) if part)
        return f"{text} · {format_duration(elapsed)} total"

    def _status(self, markup: str, plain: str = "") -> None:
        """``markup`` is ours; ``plain`` (core's message, an exception's) is shown as written.

        The status line and the figures beside the bars have fixed sizes (app.tcss), so their
        updates repaint one line without laying out the screen again: during training they
        change a few times a second, and each layout held the GIL the training thread needs."""
        self.query_one("#training-status", Static).update(
            Content.assemble(Content.from_markup(markup), plain), layout=False
        )

    def _progress(self, selector: str, **values: float) -> None:
        self.query_one(selector, ProgressBar).update(**values)

    def _figures(self, selector: str, text: str) -> None:
        self.query_one(selector, Static).update(text, layout=False)

    def _log(self, line: Text) -> None:
        self._pending.append(line)
        self._draw_soon()

    def _plot_changed(self) -> None:
        self._plot_stale = True
        self._draw_soon()

    def _draw_soon(self) -> None:
        """Draw new lines and points now, or within `DRAW_INTERVAL_S` while a run goes on."""
        if not self.running:
            self.flush()
        elif self._flush_timer is None:
            self._flush_timer = self.set_timer(DRAW_INTERVAL_S, self.flush)

    def on_show(self) -> None:
        self.call_after_refresh(self.flush)

    def flush(self) -> None:
        """Draw the plot's new points and write the pending log lines (unless the log is hidden:
        then they wait until it is shown, to be wrapped to its width)."""
        if self._flush_timer is not None:
            self._flush_timer.stop()
            self._flush_timer = None
        if self._plot_stale:
            self._plot_stale = False
            self.query_one(LearningPlot).redraw()
        log = self.query_one("#training-log", RichLog)
        if not log.region:
            return
        pending, self._pending = self._pending, deque(maxlen=LOG_MAX_LINES)
        for line in pending:
            log.write(line)
