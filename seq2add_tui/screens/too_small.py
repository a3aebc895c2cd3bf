"""One clear line instead of a broken layout when the window is smaller than 80×24.

Every panel is laid out for at least 80×24; below that, fields overlap and keys go off screen. The
app pushes `TooSmallScreen` when the window shrinks below the minimum, and the screen dismisses
itself as soon as it is big enough again, so nothing underneath is lost.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from seq2add_tui.glyphs import GLYPHS

MIN_COLUMNS = 80
MIN_ROWS = 24


def too_small_text(columns: int, rows: int) -> str:
    x = GLYPHS.times
    return f"make the window at least {MIN_COLUMNS}{x}{MIN_ROWS}; now {columns}{x}{rows}"


def fits(columns: int, rows: int) -> bool:
    return columns >= MIN_COLUMNS and rows >= MIN_ROWS


class TooSmallScreen(Screen[None]):
    """Says how big the window must be, and goes away when it is."""

    DEFAULT_CSS = """
    TooSmallScreen { align: center middle; }
    TooSmallScreen > Static { width: auto; max-width: 100%; text-style: bold; }
    TooSmallScreen > #too-small-note { text-style: none; }
    """

    def __init__(self, note: str = "") -> None:
        super().__init__()
        self.note = note
        """What waits meanwhile, said under the size (the quiz's clock), or ""."""

    def compose(self) -> ComposeResult:
        yield Static(too_small_text(*self.app.size), markup=False, id="too-small-size")
        if self.note:
            yield Static(self.note, markup=False, id="too-small-note")

    def on_resize(self, event: events.Resize) -> None:
        self.check_size()

    def on_screen_resume(self) -> None:
        self.check_size()

    def check_size(self) -> None:
        columns, rows = self.app.size
        if fits(columns, rows):
            if self.is_current:
                self.dismiss()
        else:
            self.query_one("#too-small-size", Static).update(too_small_text(columns, rows))


class WindowSizeGuard:
    """For App classes: show `TooSmallScreen` whenever the window is below 80×24."""

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self.guard_window_size)  # type: ignore[attr-defined]

    def guard_window_size(self) -> None:
        app = self
        columns, rows = app.size  # type: ignore[attr-defined]
        stack = app.screen_stack  # type: ignore[attr-defined]
        if not fits(columns, rows) and not any(isinstance(s, TooSmallScreen) for s in stack):
            app.push_screen(TooSmallScreen(paused_note(stack[0])))  # type: ignore[attr-defined]


def paused_note(screen: Screen, until: str = "until then") -> str:
    """What a screen covering ``screen`` says waits for it to go: a question being timed.

    The quiz's clock stops while the question is out of sight (`seq2add_tui.quiz.clock`), as it
    is under this screen, the help screen and the quit confirmation; stopped silently, the
    player would not know why it had not moved. ``until`` says when it runs again.
    """
    from seq2add_tui.quiz.panel import QuizPanel, QuizState  # only once a question may wait

    asking = any(panel.state == QuizState.QUESTION for panel in screen.query(QuizPanel))
    return f"The question's clock is paused {until}." if asking else ""
