"""The seq2add app: configure a run, watch the model learn, read the verdict, manage models, play.

The App owns the state every panel shares (the current model, the freshly trained one, the model
library folder) and the workers: training (`training_runs`), loading, saving and importing
(`library_actions`) and evaluation each run in a thread and report back with messages, so the
panels only draw. Each panel knows its own controls (``focus_current``); the App never reaches into
them by id. How it starts is `startup_sequence`'s: TensorFlow is imported by the training and
import workers, never at start-up; numpy and the core modules that use it are imported where they
are needed, after the first paint.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.reactive import var
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, TabbedContent
from textual.worker import Worker, WorkerState, get_current_worker

from core.errors import one_sentence
from seq2add_tui.ascii_terminal import AsciiTerminal
from seq2add_tui.commands import PANEL_PURPOSES, PANELS, Seq2AddCommands, tab_title
from seq2add_tui.library_actions import LibraryActions
from seq2add_tui.messages import EvaluationReady
from seq2add_tui.screens.too_small import WindowSizeGuard, paused_note
from seq2add_tui.startup_sequence import StartupSequence
from seq2add_tui.training_runs import TrainingRuns
from seq2add_tui.widgets.panels import Panels
from seq2add_tui.wording import FRESH_NAME

if TYPE_CHECKING:
    from core.infer import Predictor
    from core.run import FreshModel
    from core.store import ModelInfo
    from seq2add_tui.quiz import QuizPanel
    from seq2add_tui.widgets.config_form import ConfigForm
    from seq2add_tui.widgets.evaluation_panel import EvaluationPanel
    from seq2add_tui.widgets.model_library import ModelLibrary
    from seq2add_tui.widgets.training_panel import TrainingPanel

_PANEL_GROUP = Binding.Group("Panels", compact=True)

_WORKER_TITLES = {
    "training": "Training failed",
    "evaluation": "Evaluation failed",
    "loading": "Could not load the model",
    "start-up": "Could not load the model",
    "saving": "Could not save the model",
    "importing": "Could not import the model",
}


@dataclass(frozen=True)
class CurrentModel:
    """The model every panel talks about, and the name the library knows it by."""

    predictor: Predictor
    library_name: str | None = None
    """None while it is the unsaved fresh model."""

    @property
    def title(self) -> str:
        """How the screen names it."""
        return self.library_name or self.predictor.name or FRESH_NAME


class Seq2AddApp(
    StartupSequence, TrainingRuns, LibraryActions, WindowSizeGuard, AsciiTerminal, App[int]
):
    """Train sequence-to-sequence LSTMs on arithmetic, evaluate them, keep a library, play."""

    current_model: var[CurrentModel | None] = var(None, always_update=True, init=False)
    """The current model; setting it tells every panel (see `watch_current_model`)."""

    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "seq2add"
    COMMANDS = App.COMMANDS | {Seq2AddCommands}
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (110, "-wide")]
    """Screens at least this wide get ``-wide``: the Config sections stand side by side."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+t",
            "start_training",
            "Train",
            tooltip="Train a model with the Config panel's settings",
            id="train",
        ),
        Binding(
            "ctrl+t",
            "stop_training",
            "Stop",
            tooltip="Stop training after the current batch",
            id="stop",
        ),
        Binding("ctrl+r", "evaluate", "Evaluate", tooltip="Score the current model", id="evaluate"),
        Binding("ctrl+s", "save_model", "Save", tooltip="Save the trained model", id="save"),
        Binding(
            "ctrl+q",
            "quit",
            "Quit",
            tooltip="Quit (asks first if work would be lost)",
            priority=True,
            id="quit",
        ),
        Binding("f1", "help", "Help", tooltip="Keys and panels", id="help"),
        *(
            Binding(
                str(index),
                f"show_panel('{panel}')",
                title,
                tooltip=f"Show the {title} panel",
                group=_PANEL_GROUP,
                id=f"panel-{panel}",
            )
            for index, (panel, title) in enumerate(PANELS.items(), start=1)
        ),
        Binding(
            "f2", "toggle_theme", "Theme", tooltip="Light or dark theme", show=False, id="theme"
        ),
        Binding(
            "escape",
            "leave_field",
            "Panels",
            tooltip="Leave the field for the tab bar, where 1–5 switch panels (in Evaluation, "
            "for its view tabs, where s p m x switch views too)",
            id="leave-field",
        ),
    ]

    def __init__(
        self,
        models_dir: Path | None = None,
        db_path: Path | None = None,
        player: str | None = None,
        *,
        evaluation_samples: int | None = None,
        default_model: str | None = None,
    ) -> None:
        super().__init__()
        self._models_dir = Path(models_dir) if models_dir else None
        self.db_path = db_path
        """Where the quiz keeps its scores (None: the quiz's default)."""
        self.player_name = player
        """The quiz player's name, if given on the command line."""
        self.evaluation_samples = evaluation_samples
        """Fresh problems a newly trained model is scored on (None: `core.evaluate`'s default)."""
        self.default_model = default_model
        """The library model loaded at start-up, if it is there (None: `core.presets`'s)."""
        self.fresh: FreshModel | None = None
        """The last model trained here."""
        self._panel_cache: dict[str, Widget] = {}
        self.config_form: ConfigForm | None = None
        """The Config form; None until the panels are built, just after the first paint."""
        self.theme = "textual-dark"

    @property
    def models_dir(self) -> Path:
        """The model library folder."""
        if self._models_dir is None:  # asked after the first paint: `core.store` imports numpy
            from core.store import default_models_dir

            self._models_dir = default_models_dir()
        return self._models_dir

    # -- the panels' widgets ---------------------------------------------------------------------

    def _panel(self, widget_id: str) -> Any:
        """The panel widget ``widget_id``, looked up once: the Footer asks `check_action` about
        every key each time it redraws, and a query walks the whole screen (during training
        that walk took a fifth of the UI thread's time). By id, so that the modules of panels
        built after the first paint are not imported before it."""
        widget = self._panel_cache.get(widget_id)
        if widget is None or not widget.is_attached:
            widget = self._panel_cache[widget_id] = self._panels.query_one(f"#{widget_id}")
        return widget

    @property
    def training_panel(self) -> TrainingPanel:
        return self._panel("training-panel")

    @property
    def evaluation_panel(self) -> EvaluationPanel:
        return self._panel("evaluation-panel")

    @property
    def library(self) -> ModelLibrary:
        return self._panel("model-library")

    @property
    def quiz_panel(self) -> QuizPanel:
        return self._panel("quiz-panel")

    @property
    def library_infos(self) -> list[ModelInfo]:
        """The models folder as last read (what the Models panel lists)."""
        return self.library.infos if self._panels_built.is_set() else []

    # -- panels and small actions -----------------------------------------------------------------

    def show_panel(self, panel: str) -> None:
        """Switch to ``panel`` and put the focus in it."""
        # Drop the focus first: a focused widget in the pane being hidden hands the focus to a
        # sibling, and TabbedContent would switch back to the pane holding it.
        self.screen.set_focus(None)
        self.query_one(Panels).active = panel
        self.call_after_refresh(self.focus_panel, panel)

    def action_show_panel(self, panel: str) -> None:
        self.show_panel(panel)

    def focus_panel(self, panel: str) -> None:
        """Focus the control a person would start with in ``panel``.

        Config keeps the focus on the tab bar: in the form digits are typed, so 1–5 would stop
        switching panels; Tab steps into the form. The other panels each know their own.
        """
        if panel == "config" or not self._panels_built.is_set():
            self.query_one(Panels).focus_tabs()
            return
        owner = {
            "training": self.training_panel,
            "evaluation": self.evaluation_panel,
            "models": self.library,
            "quiz": self.quiz_panel,
        }[panel]
        owner.focus_current()

    @property
    def active_panel(self) -> str:
        """The id of the panel showing."""
        return self.query_one(Panels).active

    def quiz_action(self, action: str, *arguments: object) -> None:
        """Show the Quiz panel and run one of its actions there (from the command palette)."""
        if not self._panels_built.is_set():
            return  # a few tenths of a second after start-up, the quiz may not be there yet
        panel = self.quiz_panel
        self.show_panel("quiz")
        self.call_after_refresh(getattr(panel, f"action_{action}"), *arguments)

    def action_leave_field(self) -> None:
        """Escape: leave the text field so single-key shortcuts work again; in the Evaluation
        panel for its view tabs, where s p m x switch views and 1–5 panels."""
        if self.active_panel == "evaluation":
            self.evaluation_panel.focus_views()
        else:
            self.query_one(Panels).focus_tabs()

    def action_help(self) -> None:
        from seq2add_tui.quiz import HELP_BINDINGS as QUIZ_HELP_BINDINGS
        from seq2add_tui.screens.help import HelpScreen
        from seq2add_tui.widgets.evaluation_panel import EvaluationPanel
        from seq2add_tui.widgets.model_library import ModelLibrary

        sections = [
            ("Everywhere", self.BINDINGS),
            ("In the Evaluation panel", EvaluationPanel.BINDINGS),
            ("In the Models panel", ModelLibrary.BINDINGS),
            ("In the Quiz panel", QUIZ_HELP_BINDINGS),
        ]
        panels = [(tab_title(panel), PANEL_PURPOSES[panel]) for panel in PANELS]
        note = paused_note(self.screen_stack[0], "while help is open")
        self.push_screen(HelpScreen(sections, panels, note))

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def use_preset(self, name: str) -> None:
        """Fill the Config form from preset ``name`` and show it."""
        form = self.config_form
        if form is not None:
            form.use_preset(name)
            self.show_panel("config")

    def _in_form(self) -> bool:
        """Whether the focus is somewhere digits are data (a text field, or the Config form)."""
        focused = self.focused
        if focused is None or isinstance(self.screen, ModalScreen):
            return False
        form = self.config_form
        return isinstance(focused, Input) or (form is not None and form in focused.ancestors)

    def notify(self, message: str, *, markup: bool = False, **options: Any) -> None:
        """Notifications here carry names, paths and error text: plain, unless asked."""
        super().notify(message, markup=markup, **options)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "show_panel":
            return not self._in_form()  # there digits are typed, not panel switches
        if action == "leave_field":
            return self._in_form()
        if action == "start_training":
            return not self.training
        if action == "stop_training":
            if self.training and self.training_panel.stopping:
                return None  # asked already: shown, dimmed, while the run winds down
            return self.training
        if action == "save_model":
            if self._unsaved() is None:
                return False  # nothing to save: hidden, so the footer fits 80 columns
            return (not self.training) or None
        if action == "evaluate":
            return self.current is not None or None
        return True

    def _unsaved(self) -> FreshModel | None:
        fresh = self.fresh
        return fresh if fresh is not None and fresh.saved_as is None else None

    # -- the current model ------------------------------------------------------------------------

    @property
    def current(self) -> Predictor | None:
        """The current model: evaluated on demand and raced in the quiz."""
        return self.current_model.predictor if self.current_model else None

    @property
    def loaded_name(self) -> str | None:
        """The current model's library name (None if it is the unsaved fresh one)."""
        return self.current_model.library_name if self.current_model else None

    def set_current(self, predictor: Predictor | None, library_name: str | None = None) -> None:
        """Make ``predictor`` the model every panel talks about (and the quiz's opponent)."""
        self.current_model = CurrentModel(predictor, library_name) if predictor else None

    def watch_current_model(self, current: CurrentModel | None) -> None:
        # The one place a new current model reaches the panels and the header.
        self._show_quiz()  # first, so that the quiz can focus its lobby
        self.quiz_panel.set_opponent(self.current)
        self._show_current()
        self.refresh_bindings()

    def current_title(self) -> str:
        """How the current model is named on screen."""
        return self.current_model.title if self.current_model else "no model"

    def _show_current(self) -> None:
        """The current model in the header and, once they are built, the panels."""
        built = self._panels_built.is_set()  # (else `build_hidden_panels` calls this again)
        if self.current is None:
            self.sub_title = "no model loaded: pick one in Models (4)" if built else "starting up…"
        else:
            self.sub_title = f"model: {self.current_title()} · {self.current.spec.describe()}"
        if built:
            self.library.mark_loaded(self.loaded_name)
            self.evaluation_panel.follow_current(self.current_title() if self.current else None)
            self.evaluation_panel.follow_model(self.current)

    # -- evaluation -------------------------------------------------------------------------------

    def action_evaluate(self) -> None:
        if self.current is None:
            self.notify("Load a model in Models (4) or train one first.", title="No model")
            return
        samples = self.evaluation_panel.requested_samples
        if samples is None:
            self.notify("The number of samples is refused; see the Evaluation panel.")
            self.show_panel("evaluation")
            return
        subject = self.current_title()
        self.evaluation_panel.show_running(subject, samples)
        self.show_panel("evaluation")
        self.evaluate_model(self.current, subject, samples)

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="evaluation",
        description="Evaluating a model",
    )
    def evaluate_model(self, predictor: Predictor, subject: str, samples: int) -> None:
        """Score ``predictor`` on ``samples`` fresh problems (numpy only)."""
        from core.evaluate import evaluate

        evaluation = evaluate(predictor.probabilities, predictor.spec, samples)
        if not get_current_worker().is_cancelled:  # a newer evaluation replaced this one
            self.post_message(EvaluationReady(evaluation, subject, predictor))

    @on(EvaluationReady)
    def _evaluation_ready(self, message: EvaluationReady) -> None:
        self.evaluation_panel.show(
            message.evaluation, message.subject, message.predictor.spec.describe()
        )

    @on(TabbedContent.TabActivated, "#panels")
    def _panel_shown(self, event: TabbedContent.TabActivated) -> None:
        # Models saved or deleted outside the app (another session, the CLI) show up on return.
        if event.pane.id == "models" and self._panels_built.is_set():
            selected = self.library.selected
            self.action_refresh_models(selected.name if selected else None)

    # -- errors and quitting ----------------------------------------------------------------------

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state != WorkerState.ERROR or worker.error is None or worker.group == "warm-up":
            return  # a failed warm-up only means the plot is imported when first shown
        message = one_sentence(worker.error)
        if worker.group == "training":
            self.training = False
            self.refresh_bindings()
            self.training_panel.fail(message)
        from seq2add_tui.screens.dialogs import MessageDialog

        title = _WORKER_TITLES.get(worker.group, "Something went wrong")
        self.push_screen(MessageDialog(title, message))

    async def action_quit(self) -> None:
        if self.quit_once_built():
            return
        if self.screen.id == "confirm-quit":
            self._stop_training_now()
            self.exit()  # ctrl+q twice quits without asking
            return
        if self.training:
            question = "A model is training. Quit anyway? Training stops after the current batch."
        elif self._unsaved() is not None:
            question = "The model you trained is not saved. Quit anyway?"
        elif self.quiz_panel.state.in_play:
            question = "A quiz round is under way; quitting loses it. Quit anyway?"
        else:
            self.exit()
            return
        from seq2add_tui.screens.dialogs import ConfirmDialog

        note = paused_note(self.screen_stack[0], "while you decide")
        message = f"{question}\n\n{note}" if note else question
        dialog = ConfirmDialog("Quit seq2add?", message, confirm="Quit")
        dialog.id = "confirm-quit"
        self.push_screen(dialog, self._quit_answered)

    def _quit_answered(self, yes: bool | None) -> None:
        if yes:
            self._stop_training_now()
            self.exit()

    def on_unmount(self) -> None:
        # However the app ends, a training thread must not outlive it by more than one batch.
        self._stop_training_now()


def run_app(
    models_dir: Path | None = None, db_path: Path | None = None, player: str | None = None
) -> int:
    """Open the app; returns the process exit code."""
    from core.quiet import divert_native_stderr

    divert_native_stderr()  # TensorFlow's C++ logging must never reach the screen
    app = Seq2AddApp(models_dir=models_dir, db_path=db_path, player=player)
    app.run()
    code = app.return_code or 0
    if "tensorflow" in sys.modules:
        # After a training run, TensorFlow's teardown at interpreter exit kept the terminal
        # blank for about two seconds. Everything is saved and every worker has stopped.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code
