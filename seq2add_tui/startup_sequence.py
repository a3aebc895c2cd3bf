"""The seq2add app's start-up sequence: a first paint that waits for nothing it doesn't show.

The first paint must not wait for numpy, the model or the panels nobody sees yet, so the app
starts in steps: a frame with "Starting up…" in each panel, then the Quiz, then its opponent
(loaded in a thread), then the other panels.
"""

from __future__ import annotations

import threading
from asyncio import gather
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.widgets import Header, Static, TabPane

from seq2add_tui import ICON
from seq2add_tui.commands import PANELS, tab_title
from seq2add_tui.messages import ModelLoaded
from seq2add_tui.startup import freeze_startup_objects
from seq2add_tui.widgets.footer import Footer
from seq2add_tui.widgets.panels import Panels

if TYPE_CHECKING:  # they import numpy: not before the first paint
    from core.infer import Predictor
    from core.store import ModelInfo

FIRST_PANEL = "quiz"
"""The app opens ready to play against the default model."""


class StartupSequence:
    """Mixed into `Seq2AddApp`: first paint, Quiz, start-up model, then the other panels."""

    def __init__(self) -> None:
        super().__init__()
        self._quiz_built = threading.Event()
        """Set after the first paint, once the Quiz is built: the start-up model loads then."""
        self._panels_built = threading.Event()
        """Set once the panels the first screen does not show are built."""
        self._quit_when_built = False
        """ctrl+q came while the panels were being built: quit once they are."""

    def compose(self) -> ComposeResult:
        yield Header(icon=ICON)
        with Panels(initial=FIRST_PANEL, id="panels"):
            # The first paint shows only this frame: the Quiz is built just after it (`on_ready`),
            # the rest once the quiz has its opponent (`build_hidden_panels`).
            for panel in PANELS:
                waiting = Static("Starting up…", classes="empty-state starting")
                yield TabPane(tab_title(panel), waiting, id=panel)
        yield Footer(compact=True)  # at 80 columns the panel keys fit beside the rest

    def on_mount(self) -> None:
        self._panels = self.query_one(Panels)
        self._show_current()
        self.load_startup_model()

    async def on_ready(self) -> None:  # the first screen is painted
        from seq2add_tui.quiz import QuizPanel

        # Hidden until it has its opponent (`_show_quiz`): it would say "Load a model" meanwhile.
        quiz = QuizPanel(id="quiz-panel")
        quiz.display = False
        await self._panels.get_pane("quiz").mount(quiz)
        # Only now: loading alongside the mount made the quiz playable later, not sooner (the
        # loader's file reads each waited for the GIL the mount held).
        self._quiz_built.set()

    @work(thread=True, exit_on_error=False, group="start-up", description="Loading")
    def load_startup_model(self) -> None:
        """Once the first screen is painted and the Quiz built, make the default model (or else
        the first usable one) current, then have the other panels built: the quiz is ready to
        play before they are, and the first paint waits for neither."""
        self._quiz_built.wait()
        from core.presets import DEFAULT_OPPONENT
        from core.store import ModelError, list_library, load_predictor

        default = self.default_model or DEFAULT_OPPONENT
        # The default is loaded without reading the library first: listing it (every model's
        # spec.json) took longer than the load, and, done here while the quiz was being drawn,
        # slowed that down too. The Models panel lists it once the quiz is drawn.
        infos: list[ModelInfo] | None = None  # if read here, handed on: it is read once
        try:
            try:
                predictor: Predictor | None = load_predictor(default, self.models_dir)
            except ModelError:
                infos = list_library(self.models_dir)
                usable = [info.name for info in infos if info.usable]
                if default in usable:
                    raise  # it is there but damaged: say so rather than pick another
                name = next(iter(usable), None)
                predictor = None if name is None else load_predictor(name, self.models_dir)
            if predictor is not None:
                self.post_message(ModelLoaded(predictor, announce=False))
        finally:  # after the message above, and once the quiz is drawn with its opponent
            self.call_later(self.call_after_refresh, self.build_hidden_panels, infos)
        self._panels_built.wait()  # so that waiting for the workers waits for the panels too

    def _show_quiz(self) -> None:
        """Swap the Quiz panel's "Starting up…" for the quiz, once it has an opponent (or it
        is known there is none)."""
        quiz = self.quiz_panel
        if not quiz.display:
            self._panels.get_pane("quiz").query(".starting").remove()
            quiz.display = True

    async def build_hidden_panels(self, infos: list[ModelInfo] | None = None) -> None:
        """Mount the panels the first screen does not show (their modules are imported here),
        once the quiz has its opponent, and show them the library (``infos``, as start-up read
        it) and the current model."""
        from seq2add_tui.widgets.config_form import ConfigForm
        from seq2add_tui.widgets.evaluation_panel import EvaluationPanel
        from seq2add_tui.widgets.model_library import ModelLibrary
        from seq2add_tui.widgets.training_panel import TrainingPanel

        form = ConfigForm(id="config-form")
        panels = {
            "training": TrainingPanel(id="training-panel"),
            "evaluation": EvaluationPanel(id="evaluation-panel"),
            "models": ModelLibrary(id="model-library"),
            "config": form,  # after Training: it tells Training its state at once
        }
        self._show_quiz()  # if no model was loaded, the quiz still says what to do
        await self._panels.query(".starting").remove()
        await gather(*(self._panels.get_pane(pane).mount(w) for pane, w in panels.items()))
        if not all(panel.is_attached for panel in panels.values()):
            return  # the app is closing (ctrl+q in its first second): nothing left to show
        self.config_form = form  # only now: its fields are all composed
        self._panels_built.set()
        self.action_refresh_models(self.loaded_name, infos)
        self._show_current()
        self._warm_up()
        self.call_after_refresh(freeze_startup_objects)
        if self._quit_when_built:
            self.exit()

    @work(thread=True, exit_on_error=False, group="warm-up", description="Importing the plot")
    def _warm_up(self) -> None:
        """Import the plot library now, so showing Training later doesn't stall the screen."""
        import textual_plotext  # noqa: F401

    def quit_once_built(self) -> bool:
        """Whether the panels are still being built; if so, the app quits once they are.

        Quitting while they were being mounted ended in a traceback (exit status 1): their
        on_mount handlers queried children the shutdown had already removed.
        """
        if self._panels_built.is_set():
            return False
        self._quit_when_built = True
        return True

    def on_unmount(self) -> None:  # (Textual calls the App's own as well)
        # However the app ends, a start-up load must not wait for the quiz or the panels.
        self._quiz_built.set()
        self._panels_built.set()
