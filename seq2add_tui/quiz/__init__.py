"""The "Beat the model" quiz as widgets: the panel that runs a round, and a screen per state.

`QuizPanel` is what the main app's Quiz tab, ``seq2add quiz`` and each ``seq2add serve`` browser
session show. Nothing here imports TensorFlow: the opponent is a numpy `core.infer.Predictor`.
"""

from textual.binding import BindingType

from seq2add_tui.quiz.clock import Clock
from seq2add_tui.quiz.final import Final
from seq2add_tui.quiz.panel import QuizPanel, QuizState
from seq2add_tui.quiz.reveal import Reveal

HELP_BINDINGS: list[BindingType] = [*QuizPanel.BINDINGS, *Reveal.BINDINGS, *Final.BINDINGS]
"""Every quiz key for the help screen: the panel's own, and W, which the reveal and the final
screen bind themselves (so it only works there) and the panel's bindings therefore miss."""

__all__ = ["HELP_BINDINGS", "Clock", "QuizPanel", "QuizState"]
