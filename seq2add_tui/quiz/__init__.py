"""The "Beat the model" quiz as widgets: the panel that runs a round, and a screen per state.

`QuizPanel` is what the main app's Quiz tab, ``seq2add quiz`` and each ``seq2add serve`` browser
session show. Nothing here imports TensorFlow: the opponent is a numpy `core.infer.Predictor`.
"""

from seq2add_tui.quiz.clock import Clock
from seq2add_tui.quiz.panel import QuizPanel, QuizState

__all__ = ["Clock", "QuizPanel", "QuizState"]
