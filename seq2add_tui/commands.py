"""The command palette: every panel, action, preset and library model, by name.

The App lists itself as a `CommandTarget` would; the palette never reaches into panels.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Protocol, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from seq2add_tui.glyphs import GLYPHS

if TYPE_CHECKING:  # the App imports this module before its first paint; this imports numpy
    from core.store import ModelInfo

PANELS = {
    "config": "Config",
    "training": "Training",
    "evaluation": "Evaluation",
    "models": "Models",
    "quiz": "Quiz",
}
"""Panel ids and titles, in tab order (keys 1–5): the tabs, their keys, the palette and help."""

PANEL_PURPOSES = {
    "config": "the problem, the network and how to train it; presets fill every field",
    "training": "Start and Stop, progress, a log of batches and epochs, live curves",
    "evaluation": "exact-match, per character, per position, breakdowns, "
    f"samples {GLYPHS.right}/{GLYPHS.wrong}",
    "models": "the saved models: load one as the opponent, save, import, delete",
    "quiz": "race the loaded model",
}
"""What each panel is for, as the help screen says it."""


def tab_title(panel: str) -> str:
    """``1 Config``: the panel's key and title, as its tab shows it."""
    return f"{list(PANELS).index(panel) + 1} {PANELS[panel]}"


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


class CommandTarget(Protocol):
    """What the palette asks of the App."""

    library_infos: list[ModelInfo]

    def show_panel(self, panel: str) -> None: ...
    def quiz_action(self, action: str, *arguments: object) -> None: ...
    def use_preset(self, name: str) -> None: ...
    def load_model(self, name: str) -> object: ...


class Seq2AddCommands(Provider):
    """Every action by name in the command palette, plus one command per preset and model."""

    def _commands(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        from core.presets import PRESETS  # (numpy: not before the first paint)

        app = cast(CommandTarget, self.app)
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
