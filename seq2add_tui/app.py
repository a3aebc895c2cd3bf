"""The seq2add app: configure a run, watch the model learn, read the verdict, manage models, play.

The App owns the state every panel shares (the current model, the freshly trained one, the model
library folder) and the workers: training, evaluation, loading, saving and importing each run in a
thread and report back with messages, so the panels only draw. TensorFlow is imported by the
training and import workers, never at start-up.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path
from time import perf_counter
from typing import Any, ClassVar, TypeVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Header, Input, TabbedContent, TabPane
from textual.worker import Worker, WorkerState, get_current_worker

from core.errors import one_sentence
from core.evaluate import DEFAULT_SAMPLES, Evaluation, evaluate
from core.history import HISTORY_FILE
from core.infer import Predictor
from core.model import ModelConfig
from core.presets import DEFAULT_OPPONENT, PRESETS, preset_matching
from core.run import FreshModel, Settings
from core.run_status import RunStatus
from core.spec import SpecError
from core.store import (
    ModelError,
    ModelInfo,
    default_models_dir,
    delete_model,
    list_models,
    load_predictor,
    save_model,
)
from core.train import (
    BatchEnded,
    TrainingConfig,
    TrainingEvent,
    saving_phase,
    scoring_phase,
)
from seq2add_tui import ICON
from seq2add_tui.messages import (
    BatchProgress,
    EvaluationReady,
    LibraryChanged,
    ModelLoaded,
    ModelSaved,
    TrainingDone,
    TrainingUpdate,
)
from seq2add_tui.quiz import QuizPanel
from seq2add_tui.screens.dialogs import (
    ConfirmDialog,
    ImportModelDialog,
    ImportRequest,
    MessageDialog,
    SaveModelDialog,
)
from seq2add_tui.screens.help import HelpScreen
from seq2add_tui.screens.too_small import WindowSizeGuard
from seq2add_tui.startup import freeze_startup_objects
from seq2add_tui.widgets.config_form import ConfigForm
from seq2add_tui.widgets.evaluation_panel import EvaluationPanel
from seq2add_tui.widgets.model_library import ModelLibrary
from seq2add_tui.widgets.training_panel import TrainingPanel, log_stride
from seq2add_tui.wording import FRESH_NAME, fresh_description, percent

PANELS = {
    "config": "Config",
    "training": "Training",
    "evaluation": "Evaluation",
    "models": "Models",
    "quiz": "Quiz",
}
"""Panel ids and titles, in tab order (keys 1–5)."""

FIRST_PANEL = "quiz"
"""The app opens ready to play against the default model."""

PLOT_CHECKPOINTS = 24
"""Mid-run validation checks asked of core.train, so the exact-match curve fills in as it goes."""

PROGRESS_INTERVAL_S = 0.5
"""Least time between two batch updates sent to the screen. A batch takes a few milliseconds;
redrawing the bars for each one kept the UI thread (and the GIL) so busy that training ran at
half the command line's speed; on a loaded machine even 5 redraws a second cost a third more."""


PanelWidget = TypeVar("PanelWidget", bound=Widget)

_PANEL_GROUP = Binding.Group("Panels", compact=True)

_WORKER_TITLES = {
    "training": "Training failed",
    "evaluation": "Evaluation failed",
    "loading": "Could not load the model",
    "saving": "Could not save the model",
    "importing": "Could not import the model",
}


ACTION_COMMANDS = (
    ("Train a model", "Start training with the Config panel's settings", "start_training"),
    ("Stop training", "Stop after the current batch", "stop_training"),
    ("Evaluate the current model", "Score it on fresh problems", "evaluate"),
    ("Save the trained model", "Name it and add it to the library", "save_model"),
    (
        "Load the highlighted model",
        "Make it the current model and the quiz's opponent",
        "load_model",
    ),
    ("Delete the highlighted model", "Remove it from the library (asks first)", "delete_model"),
    ("Import a tutorial model", "Bring in the notebook's saved files", "import_model"),
    ("Refresh the model list", "Read the models folder again", "refresh_models"),
    (
        "Copy the current model's settings into Config",
        "Start the next run from what made the current model",
        "copy_settings",
    ),
    ("Toggle light and dark theme", "Switch between the two themes", "toggle_theme"),
    ("Help", "Keys and panels", "help"),
)
"""(name, help, App action) of the palette's commands besides panels, presets and models."""

QUIZ_COMMANDS: tuple[tuple[str, str, str, tuple[object, ...]], ...] = (
    ("Quiz: new round", "Race the current model on new questions", "new_round", ()),
    ("Quiz: leaderboard", "Top scores against the current model", "leaderboard", ("",)),
    ("Quiz: leaderboard, every model", "Top scores against every model", "leaderboard", (None,)),
    ("Quiz: settings", "Your name, how many questions, the timer, difficulty", "settings", ()),
)
"""(name, help, QuizPanel action, its arguments) of the palette's quiz commands."""


class Panels(TabbedContent):
    """The panels as tabs, which only the user (or the App) switches.

    TabbedContent reveals the pane of any widget that is focused from code; a panel reacting to
    a new model in the background (the quiz focusing its Start button) would snatch the screen.
    Here a hidden pane's widget that takes the focus hands it back to the visible panel.
    """

    @on(TabPane.Focused)
    def _keep_the_visible_panel(self, event: TabPane.Focused) -> None:
        if event.tab_pane.id == self.active:
            return  # TabbedContent's own handler has nothing to switch
        event.stop()
        # Decorated handlers run first; this stops TabbedContent's from switching the tab.
        event.prevent_default()
        app = self.app
        if isinstance(app, Seq2AddApp):
            app.call_later(app.focus_panel, self.active)


class Seq2AddCommands(Provider):
    """Every action by name in the command palette, plus one command per preset and model."""

    def _commands(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        app = self.app
        assert isinstance(app, Seq2AddApp)
        for index, (panel, title) in enumerate(PANELS.items(), start=1):
            yield (
                f"Go to {title}",
                f"Show the {title} panel ({index})",
                partial(app.show_panel, panel),
            )
        for name, help_text, action in ACTION_COMMANDS:
            yield name, help_text, getattr(app, f"action_{action}")
        for name, help_text, action, arguments in QUIZ_COMMANDS:
            yield name, help_text, partial(app.quiz_action, action, *arguments)
        for name, preset in PRESETS.items():
            yield f"Preset: {name}", preset.description, partial(app.use_preset, name)
        for info in app.library_infos:
            if info.usable and info.spec is not None:
                load = partial(app.load_model, info.name)
                yield f"Load model: {info.name}", info.spec.describe(), load

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


class Seq2AddApp(WindowSizeGuard, App[int]):
    """Train sequence-to-sequence LSTMs on arithmetic, evaluate them, keep a library, play."""

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
            tooltip="Leave the form for the tab bar, where 1–5 switch panels",
            id="leave-field",
        ),
    ]

    def __init__(
        self,
        models_dir: Path | None = None,
        db_path: Path | None = None,
        player: str | None = None,
        *,
        evaluation_samples: int = DEFAULT_SAMPLES,
        default_model: str = DEFAULT_OPPONENT,
    ) -> None:
        super().__init__()
        self.models_dir = Path(models_dir) if models_dir else default_models_dir()
        """The model library folder."""
        self.db_path = db_path
        """Where the quiz keeps its scores (None: the quiz's default)."""
        self.player_name = player
        """The quiz player's name, if given on the command line."""
        self.evaluation_samples = evaluation_samples
        """Fresh problems a newly trained model is scored on."""
        self.default_model = default_model
        """The library model loaded at start-up, if it is there."""
        self.current: Predictor | None = None
        """The current model: evaluated on demand and raced in the quiz."""
        self.loaded_name: str | None = None
        """The current model's library name (None if it is the unsaved fresh one)."""
        self.fresh: FreshModel | None = None
        """The last model trained here."""
        self.training = False
        """Whether a training worker is running."""
        self._panel_cache: dict[type, Widget] = {}
        self.runs_trained = 0
        """Training runs finished in this session (they are numbered in the comparison list)."""
        self._cancel_training: threading.Event | None = None
        self._training_settings: Settings | None = None
        self.theme = "textual-dark"

    # -- layout -----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(icon=ICON)
        with Panels(initial=FIRST_PANEL, id="panels"):
            # The Config form is the costliest panel to build; on_ready mounts it after first paint.
            yield TabPane(self._tab_title("config"), id="config")
            with TabPane(self._tab_title("training"), id="training"):
                yield TrainingPanel(id="training-panel")
            with TabPane(self._tab_title("evaluation"), id="evaluation"):
                yield EvaluationPanel(id="evaluation-panel")
            with TabPane(self._tab_title("models"), id="models"):
                yield ModelLibrary(id="model-library")
            with TabPane(self._tab_title("quiz"), id="quiz"):
                yield QuizPanel(id="quiz-panel")
        yield Footer()

    @staticmethod
    def _tab_title(panel: str) -> str:
        return f"{list(PANELS).index(panel) + 1} {PANELS[panel]}"

    def on_mount(self) -> None:
        self._show_current()
        self.action_refresh_models()
        startup = self._startup_model()
        if startup is not None:
            self.load_model(startup, announce=False)

    def on_ready(self) -> None:
        pane = self.query_one("TabPane#config")
        if pane.is_attached and not self.query(ConfigForm):
            pane.mount(ConfigForm(id="config-form"))
        self._warm_up()
        self.call_after_refresh(freeze_startup_objects)

    @work(thread=True, exit_on_error=False, group="warm-up", description="Importing the plot")
    def _warm_up(self) -> None:
        """Import the plot library now, so showing Training later doesn't stall the screen."""
        import textual_plotext  # noqa: F401

    def _startup_model(self) -> str | None:
        usable = [info.name for info in self.library_infos if info.usable]
        if self.default_model in usable:
            return self.default_model
        return usable[0] if usable else None

    @property
    def config_form(self) -> ConfigForm | None:
        """The Config form, or None in the instant after start-up before it is mounted."""
        forms = self.query(ConfigForm)
        return forms.first() if forms else None

    def _panel(self, kind: type[PanelWidget]) -> PanelWidget:
        """The app's one ``kind`` panel, looked up once: the Footer asks `check_action` about
        every key each time it redraws, and a query walks the whole screen (during training
        that walk took a fifth of the UI thread's time)."""
        widget = self._panel_cache.get(kind)
        if widget is None or not widget.is_attached:
            widget = self._panel_cache[kind] = self.query_one(kind)
        return widget  # type: ignore[return-value]

    @property
    def training_panel(self) -> TrainingPanel:
        return self._panel(TrainingPanel)

    @property
    def evaluation_panel(self) -> EvaluationPanel:
        return self._panel(EvaluationPanel)

    @property
    def library(self) -> ModelLibrary:
        return self._panel(ModelLibrary)

    @property
    def library_infos(self) -> list[ModelInfo]:
        """The models folder as last read (what the Models panel lists)."""
        return self.library.infos

    # -- panels and small actions -----------------------------------------------------------------

    def show_panel(self, panel: str) -> None:
        """Switch to ``panel`` and put the focus in it."""
        # Drop the focus first: a focused widget in the pane being hidden hands the focus to a
        # sibling, and TabbedContent would switch back to the pane holding it.
        self.screen.set_focus(None)
        self.query_one("#panels", TabbedContent).active = panel
        self.call_after_refresh(self.focus_panel, panel)

    def action_show_panel(self, panel: str) -> None:
        self.show_panel(panel)

    def focus_panel(self, panel: str) -> None:
        """Focus the control a person would start with in ``panel``.

        Config keeps the focus on the tab bar: in the form digits are typed, so 1–5 would stop
        switching panels; Tab steps into the form.
        """
        if panel == "quiz":
            self.query_one(QuizPanel).focus_current()
            return
        preferred = {
            "config": "#panels Tabs",
            "training": "#run-stop" if self.training else "#run-start",
            "evaluation": "#evaluate",
            "models": "#model-table",
        }.get(panel)
        if preferred:
            target = self.query(preferred)
            if target and target.first().focusable:
                target.first().focus()
                return
        pane = self.query_one(f"TabPane#{panel}")
        for widget in self.screen.focus_chain:
            if pane in widget.ancestors:
                widget.focus()
                return

    def quiz_action(self, action: str, *arguments: object) -> None:
        """Show the Quiz panel and run one of its actions there (from the command palette)."""
        panel = self.query_one(QuizPanel)
        self.show_panel("quiz")
        self.call_after_refresh(getattr(panel, f"action_{action}"), *arguments)

    def action_leave_field(self) -> None:
        """Escape: leave the text field so single-key shortcuts work again."""
        self.query_one("#panels Tabs").focus()

    def action_help(self) -> None:
        sections = [
            ("Everywhere", self.BINDINGS),
            ("In the Evaluation panel", EvaluationPanel.BINDINGS),
            ("In the Models panel", ModelLibrary.BINDINGS),
            ("In the Quiz panel", QuizPanel.BINDINGS),
        ]
        self.push_screen(HelpScreen(sections))

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
        return isinstance(focused, Input) or any(
            isinstance(node, ConfigForm) for node in focused.ancestors
        )

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
            return (self._unsaved() is not None and not self.training) or None
        if action == "evaluate":
            return self.current is not None or None
        return True

    def _unsaved(self) -> FreshModel | None:
        fresh = self.fresh
        return fresh if fresh is not None and fresh.saved_as is None else None

    # -- the current model ------------------------------------------------------------------------

    def set_current(self, predictor: Predictor | None, library_name: str | None = None) -> None:
        """Make ``predictor`` the model every panel talks about (and the quiz's opponent)."""
        self.current = predictor
        self.loaded_name = library_name if predictor is not None else None
        self.library.mark_loaded(self.loaded_name)
        self.query_one(QuizPanel).set_opponent(predictor)
        self._show_current()
        self.evaluation_panel.follow_current(self.current_title() if predictor else None)
        self.evaluation_panel.follow_model(predictor)
        self.refresh_bindings()

    def current_title(self) -> str:
        """How the current model is named on screen."""
        if self.current is None:
            return "no model"
        return self.loaded_name or self.current.name or FRESH_NAME

    def _show_current(self) -> None:
        if self.current is None:
            self.sub_title = "no model loaded: pick one in Models (4)"
        else:
            self.sub_title = f"model: {self.current_title()} · {self.current.spec.describe()}"

    # -- training ---------------------------------------------------------------------------------

    @on(ConfigForm.Changed)
    def _settings_changed(self, message: ConfigForm.Changed) -> None:
        self.training_panel.settings_valid = message.settings is not None

    def action_start_training(self) -> None:
        if self.training:
            self.notify("A model is already training; stop it first (ctrl+t).")
            return
        form = self.config_form
        if form is None:
            self.notify("The settings are still being set up; try again in a moment.")
            return
        settings = form.settings
        if settings is None:
            self.notify(
                form.problem or "Some settings are refused.",
                title="Fix the settings first",
                severity="error",
            )
            self.show_panel("config")
            return
        unsaved = self._unsaved()
        if unsaved is None:
            self._begin_training(settings)
            return
        self.push_screen(
            ConfirmDialog(
                "Train again?",
                f"The model you trained last ({fresh_description(unsaved)}) is not saved; "
                "training a new one replaces it.",
                confirm="Train",
            ),
            lambda yes: self._begin_training(settings) if yes else None,
        )

    def _begin_training(self, settings: Settings) -> None:
        training = settings.training
        total_batches = training.batches_per_epoch * training.epochs
        training = replace(training, checkpoints=min(PLOT_CHECKPOINTS, total_batches))
        self._cancel_training = threading.Event()
        self._training_settings = settings
        self.training = True
        self.training_panel.begin(settings)
        self.refresh_bindings()
        self.show_panel("training")
        self.train_model(settings, training, self._cancel_training)

    def action_stop_training(self) -> None:
        if not self.training or self._cancel_training is None:
            self.notify("Nothing is training.")
            return
        self._cancel_training.set()
        self.training_panel.request_stop()
        self.refresh_bindings()  # Stop is done; the footer stops offering it

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="training",
        description="Training a model",
    )
    def train_model(
        self, settings: Settings, training: TrainingConfig, cancel: threading.Event
    ) -> None:
        """Train in this thread (TensorFlow is imported here), then score the result."""
        from core.train import train

        worker = get_current_worker()
        stride = log_stride(training.batches_per_epoch)
        last_sent = 0.0

        def listener(event: TrainingEvent) -> None:
            nonlocal last_sent
            if worker.is_cancelled:  # the app is closing
                cancel.set()
            if isinstance(event, BatchEnded):
                logged = event.batch % stride == 0 or event.batch == event.batches
                now = perf_counter()
                if logged or now - last_sent >= PROGRESS_INTERVAL_S:
                    last_sent = now
                    self.post_message(BatchProgress(event, logged))
            else:
                self.post_message(TrainingUpdate(event))

        run = train(settings.spec, settings.model, training, listener=listener, cancel=cancel)
        predictor: Predictor | None = None
        evaluation: Evaluation | None = None
        if run.usable and run.samples_seen > 0 and not worker.is_cancelled:
            predictor = run.predictor()
            listener(scoring_phase(self.evaluation_samples))
            evaluation = evaluate(predictor.probabilities, settings.spec, self.evaluation_samples)
        self.post_message(TrainingDone(run, predictor, evaluation))

    @on(BatchProgress)
    def _batch_progress(self, message: BatchProgress) -> None:
        self.training_panel.show_batch(message.event, message.logged)

    @on(TrainingUpdate)
    def _training_update(self, message: TrainingUpdate) -> None:
        self.training_panel.show_event(message.event)

    @on(TrainingDone)
    def _training_done(self, message: TrainingDone) -> None:
        self.training = False
        self.refresh_bindings()
        run, settings = message.run, self._training_settings
        panel = self.training_panel
        if message.predictor is None or message.evaluation is None or settings is None:
            panel.finish(None)
            if run.status == RunStatus.DIVERGED:
                self.push_screen(MessageDialog("Training diverged", run.message))
            else:
                self.notify(
                    "Stopped before the first batch; there is no model to keep.",
                    title="Training stopped",
                )
            return
        evaluation = message.evaluation
        self.fresh = FreshModel(run, settings, message.predictor, evaluation)
        self.runs_trained += 1
        panel.add_session_run(
            f"run {self.runs_trained} of this session · {percent(evaluation.exact_match)}"
        )
        verdict = (
            f"Scored on {evaluation.samples:,} fresh problems: exact-match "
            f"{percent(evaluation.exact_match)}, per character {percent(evaluation.char_accuracy)}."
        )
        panel.finish(verdict, f"exact-match {percent(evaluation.exact_match)}")
        self.set_current(message.predictor)
        self.evaluation_panel.show(evaluation, FRESH_NAME, settings.spec.describe())
        self.library.show_unsaved(fresh_description(self.fresh))
        if run.status == RunStatus.DIVERGED:
            self.push_screen(MessageDialog("Training diverged", run.message))
        self.notify(
            f"{verdict} It is now the current model; ctrl+s saves it.",
            title=run.status.notice_title,
        )
        if (
            run.status != RunStatus.CANCELLED
            and self.query_one("#panels", TabbedContent).active == "training"
        ):
            self.show_panel("evaluation")

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
        evaluation = evaluate(predictor.probabilities, predictor.spec, samples)
        if not get_current_worker().is_cancelled:  # a newer evaluation replaced this one
            self.post_message(EvaluationReady(evaluation, subject, predictor))

    @on(EvaluationReady)
    def _evaluation_ready(self, message: EvaluationReady) -> None:
        self.evaluation_panel.show(
            message.evaluation, message.subject, message.predictor.spec.describe()
        )

    # -- the model library ------------------------------------------------------------------------

    def action_refresh_models(self, select: str | None = None) -> None:
        infos = list_models(self.models_dir)
        self.library.show_models(infos, self.models_dir, self.loaded_name, select)
        self.training_panel.set_saved_runs(
            {info.name: info.path for info in infos if (info.path / HISTORY_FILE).is_file()}
        )

    @on(TabbedContent.TabActivated, "#panels")
    def _panel_shown(self, event: TabbedContent.TabActivated) -> None:
        # Models saved or deleted outside the app (another session, the CLI) show up on return.
        if event.pane.id == "models":
            selected = self.library.selected
            self.action_refresh_models(selected.name if selected else None)

    @on(LibraryChanged)
    def _library_changed(self, message: LibraryChanged) -> None:
        self.action_refresh_models(message.select)
        if message.note:
            self.notify(message.note)

    def _selected_model(self, verb: str) -> ModelInfo | None:
        info = self.library.selected
        if info is None:
            self.notify(f"There is no model to {verb}; the library is empty.", title="No model")
        return info

    def action_load_model(self) -> None:
        info = self._selected_model("load")
        if info is None:
            return
        if not info.usable:
            self.notify(
                f"Model {info.name!r} can't be loaded: {info.error}.",
                title="Unreadable model",
                severity="error",
            )
            return
        self.load_model(info.name)

    @on(DataTable.RowSelected, "#model-table")
    def _row_chosen(self) -> None:
        self.action_load_model()

    @work(thread=True, exclusive=True, exit_on_error=False, group="loading", description="Loading")
    def load_model(self, name: str, announce: bool = True) -> None:
        """Read a library model into a numpy predictor (no TensorFlow: a tenth of a second)."""
        predictor = load_predictor(name, self.models_dir)
        if not get_current_worker().is_cancelled:  # another model was chosen meanwhile
            self.post_message(ModelLoaded(predictor, announce))

    @on(ModelLoaded)
    def _model_loaded(self, message: ModelLoaded) -> None:
        predictor = message.predictor
        self.set_current(predictor, predictor.name)
        self.library.select(predictor.name)
        if message.announce:
            self.notify(
                f"{predictor.name} ({predictor.spec.describe()}) is the current model and the "
                "quiz's opponent.",
                title="Model loaded",
            )

    def action_save_model(self) -> None:
        if self.training:
            self.notify("Wait for training to finish, or stop it, before saving.")
            return
        fresh = self._unsaved()
        if fresh is None:
            self.notify("There is no new model to save; train one first (ctrl+t).", title="Save")
            return
        existing = {info.name for info in list_models(self.models_dir)}
        base = "custom" if fresh.settings.edited else fresh.settings.preset
        number = 1
        while f"{base}-{number}" in existing:
            number += 1
        self._ask_name(fresh, existing, f"{base}-{number}")

    def _ask_name(self, fresh: FreshModel, existing: set[str], suggestion: str) -> None:
        self.push_screen(
            SaveModelDialog(suggestion, existing, fresh_description(fresh)),
            partial(self._save_named, fresh, existing),
        )

    def _save_named(self, fresh: FreshModel, existing: set[str], name: str | None) -> None:
        if name is None:
            return
        if name not in existing:
            self.save_fresh_model(fresh, name, overwrite=False)
            return

        def replace_or_rename(yes: bool | None) -> None:
            if yes:
                self.save_fresh_model(fresh, name, overwrite=True)
            else:  # back to the name, to choose another
                self._ask_name(fresh, existing, name)

        self.push_screen(
            ConfirmDialog(
                "Replace a model?",
                f"A model named {name!r} is already in the library. Replace it with the one "
                "you just trained?",
                confirm="Replace",
            ),
            replace_or_rename,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="saving", description="Saving")
    def save_fresh_model(self, fresh: FreshModel, name: str, overwrite: bool) -> None:
        """Save atomically, then load the saved files back (the current model, if it was)."""
        settings = fresh.settings
        self.post_message(TrainingUpdate(saving_phase(name)))
        save_model(
            fresh.run.model,
            settings.spec,
            name,
            root=self.models_dir,
            model_config=settings.model,
            training={
                **fresh.run.summary(),
                "preset": None if settings.edited else settings.preset,
            },
            metrics=fresh.evaluation.summary(),
            overwrite=overwrite,
            history=fresh.run.points,
        )
        self.post_message(ModelSaved(fresh, load_predictor(name, self.models_dir)))

    @on(ModelSaved)
    def _model_saved(self, message: ModelSaved) -> None:
        name = message.predictor.name
        message.fresh.saved_as = name
        self.library.show_unsaved(None)
        self.action_refresh_models(select=name)
        note = f"Saved as {name} in {self.models_dir}."
        self.training_panel.show_saved(name)
        self.evaluation_panel.rename(FRESH_NAME, name)
        if self.current is message.fresh.predictor:
            self.set_current(message.predictor, name)  # the same model, now with a name
        elif self.current is not None:  # loaded since: it stays current, and the opponent
            note += f" {self.current_title()} stays the current model."
        self.notify(note, title="Model saved")

    def action_delete_model(self) -> None:
        info = self._selected_model("delete")
        if info is None:
            return
        self.push_screen(
            ConfirmDialog(
                "Delete a model?",
                f"Delete {info.name!r}? Its folder {info.path} is removed; this can't be undone.",
                confirm="Delete",
            ),
            lambda yes: self._delete(info.name) if yes else None,
        )

    def _delete(self, name: str) -> None:
        try:
            delete_model(name, self.models_dir)
        except ModelError as error:
            self.notify(str(error), title="Could not delete", severity="error")
            return
        if name == self.loaded_name:
            self.set_current(None)
            note = f"Deleted {name}; it was the current model, so none is loaded now."
        else:
            note = f"Deleted {name}."
        self.action_refresh_models()
        self.notify(note, title="Model deleted")

    def action_import_model(self, typed: dict[str, str] | None = None) -> None:
        self.push_screen(ImportModelDialog(typed), self._import_chosen)

    def _import_chosen(self, request: ImportRequest | None) -> None:
        if request is None:
            return
        existing = {info.name for info in list_models(self.models_dir)}
        if request.name not in existing:
            self._start_import(request, overwrite=False)
            return
        self.push_screen(
            ConfirmDialog(
                "Replace a model?",
                f"A model named {request.name!r} is already in the library. Replace it?",
                confirm="Replace",
            ),
            # Not replaced: back to the dialog as it was, to pick another name.
            lambda yes: (
                self._start_import(request, overwrite=True)
                if yes
                else self.action_import_model(request.typed)
            ),
        )

    def _start_import(self, request: ImportRequest, overwrite: bool) -> None:
        self.notify(
            f"Importing {request.name}: loading TensorFlow takes a few seconds.", title="Import"
        )
        self.import_model(request, overwrite)

    @work(
        thread=True, exclusive=True, exit_on_error=False, group="importing", description="Importing"
    )
    def import_model(self, request: ImportRequest, overwrite: bool) -> None:
        """Rebuild the tutorial's model in Keras and save it to the library."""
        from core.tutorial import import_tutorial_model

        root = self.models_dir
        import_tutorial_model(request.files, request.name, root=root, overwrite=overwrite)
        self.post_message(
            LibraryChanged(
                select=request.name,
                note=f"Imported {request.name} ({request.files.spec.describe()}); "
                "press enter on it to load it.",
            )
        )

    def action_copy_settings(self) -> None:
        """Fill the Config form with the settings that made the current model."""
        if self.current is None:
            self.notify("Load a model first.", title="No model")
            return
        fresh = self.fresh
        form = self.config_form
        if form is None:
            return
        if self.loaded_name is None and fresh is not None:
            settings = fresh.settings
            form.fill(settings.spec, settings.model, settings.training, settings.preset)
        else:
            info = next((i for i in self.library_infos if i.name == self.loaded_name), None)
            if info is None or info.spec is None:
                self.notify("The current model's settings are not recorded.", title="No settings")
                return
            preset = info.training.get("preset")
            try:
                training = TrainingConfig.from_dict(
                    {k: v for k, v in info.training.items() if k != "checkpoints"}
                )
            except (SpecError, TypeError) as error:  # a hand-edited or damaged spec.json
                self.notify(
                    f"The recorded training settings can't be used: {error}", title="No settings"
                )
                return
            model = info.model or ModelConfig()
            if preset not in PRESETS:  # not recorded (an imported model): maybe it is one
                preset = preset_matching(info.spec, model, training)
            form.fill(info.spec, model, training, preset)
        self.show_panel("config")

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
        title = _WORKER_TITLES.get(worker.group, "Something went wrong")
        self.push_screen(MessageDialog(title, message))

    async def action_quit(self) -> None:
        if isinstance(self.screen, ConfirmDialog) and self.screen.id == "confirm-quit":
            self._stop_training_now()
            self.exit()  # ctrl+q twice quits without asking
            return
        if self.training:
            question = "A model is training. Quit anyway? Training stops after the current batch."
        elif self._unsaved() is not None:
            question = "The model you trained is not saved. Quit anyway?"
        elif self.query_one(QuizPanel).state.in_play:
            question = "A quiz round is under way; quitting loses it. Quit anyway?"
        else:
            self.exit()
            return
        dialog = ConfirmDialog("Quit seq2add?", question, confirm="Quit")
        dialog.id = "confirm-quit"
        self.push_screen(dialog, self._quit_answered)

    def _quit_answered(self, yes: bool | None) -> None:
        if yes:
            self._stop_training_now()
            self.exit()

    def _stop_training_now(self) -> None:
        if self._cancel_training is not None:
            self._cancel_training.set()

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
