"""The quiz's small display widgets: big expressions, the countdown, the model's confidence, and
the answer box that only takes whole numbers.

Each is self-contained (its own DEFAULT_CSS) so the quiz panel can live in the main app and in the
quiz-only app alike.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from textual import events
from textual.app import RenderResult
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive, reactive
from textual.renderables.digits import DIGITS, DIGITS3X3_BOLD
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Input, Static

from core.quiz import QuizRound, answer_problem, confidence_band
from seq2add_tui.glyphs import GLYPHS
from seq2add_tui.wording import shown_symbol

# Glyphs Textual's 3×3 digit font lacks; each is three rows of three cells.
_EXTRA_GLYPHS: dict[str, tuple[str, str, str]] = {
    "*": ("   ", " ╳ ", "   "),
    "/": (" • ", "╺━╸", " • "),
    "=": ("   ", "╺━╸", "╺━╸"),
    "?": ("╺━┓", " ┏┛", " ╹ "),
    " ": (" ", " ", " "),
}


# The same in ASCII, seven-segment style, where the locale is not UTF-8 (see glyphs).
_ASCII_GLYPHS: dict[str, tuple[str, str, str]] = {
    "0": (" _ ", "| |", "|_|"),
    "1": ("   ", "  |", "  |"),
    "2": (" _ ", " _|", "|_ "),
    "3": (" _ ", " _|", " _|"),
    "4": ("   ", "|_|", "  |"),
    "5": (" _ ", "|_ ", " _|"),
    "6": (" _ ", "|_ ", "|_|"),
    "7": (" _ ", "  |", "  |"),
    "8": (" _ ", "|_|", "|_|"),
    "9": (" _ ", "|_|", " _|"),
    "+": ("   ", "-+-", "   "),
    "-": ("   ", "---", "   "),
    "*": ("   ", " x ", "   "),
    "/": (" . ", "---", " . "),
    "=": ("   ", "---", "---"),
    "?": (" _ ", "  )", " . "),
    " ": (" ", " ", " "),
}


def big_rows(text: str) -> tuple[str, str, str] | None:
    """``text`` in a three-row font, or None if a character has no big glyph."""
    rows: list[list[str]] = [[], [], []]
    for character in text:
        if not GLYPHS.unicode:
            if character not in _ASCII_GLYPHS:
                return None
            glyph = _ASCII_GLYPHS[character]
        elif character in _EXTRA_GLYPHS:
            glyph = _EXTRA_GLYPHS[character]
        elif character in DIGITS and character.strip():
            position = DIGITS.index(character) * 3
            glyph = tuple(DIGITS3X3_BOLD[position + row].ljust(3) for row in range(3))
        else:
            return None
        for row in range(3):
            rows[row].append(glyph[row])
    return "".join(rows[0]), "".join(rows[1]), "".join(rows[2])


def spaced(expression: str) -> str:
    """``13+6+10`` as ``13 + 6 + 10``: easier to read, in big type especially."""
    out = []
    for index, character in enumerate(expression):
        if character in "+-*/" and index > 0:
            out.append(f" {character} ")
        else:
            out.append(character)
    return "".join(out)


def readable(expression: str) -> str:
    """An expression as plain text is read: spaced, with × and ÷ as the big digits draw them."""
    return spaced(expression).replace("*", "×").replace("/", "÷")


class BigText(Widget):
    """A short line of digits and operators, three rows tall; one plain row if it won't fit."""

    DEFAULT_CSS = """
    BigText {
        height: 3;
        width: 1fr;
        content-align: center middle;
        text-style: bold;
    }
    """

    text: reactive[str] = reactive("", layout=False)
    """What to show: digits, ``+ - * / = ?`` and spaces."""

    def __init__(self, text: str = "", *, id: str | None = None, classes: str | None = None):
        super().__init__(id=id, classes=classes)
        self.set_reactive(BigText.text, text)

    def render(self) -> RenderResult:
        rows = big_rows(self.text)
        width = self.content_size.width or self.size.width
        if rows is None or (width and len(rows[0]) > width):
            return Content(f"\n{self.text.replace('*', '×').replace('/', '÷')}\n")
        return Content("\n".join(rows))


class Countdown(Widget):
    """Time left on a question: a bar that empties and changes colour, and the seconds."""

    DEFAULT_CSS = """
    Countdown {
        height: 1;
        width: 1fr;
        content-align: center middle;
    }
    """

    MAX_WIDTH = 60
    """Cells of the bar and its seconds together, at most."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.remaining_s = 0.0
        """Seconds left."""
        self.limit_s = 1.0
        """Seconds the question allows."""
        self._drawn: int | None = None
        """The whole seconds on screen.

        A resize repaints the bar by itself, so there is no resize handler: one would redraw it
        every time the question is shown again (Textual sends shown widgets a resize).
        """

    def show(self, remaining_s: float, limit_s: float) -> None:
        """Set the time; repaints only when the whole seconds shown change.

        A quiz served to a room of browsers pays for every repaint, so ticking often is cheap
        only if most ticks draw nothing: the bar moves with the seconds, once a second, rather
        than every time a cell empties (2–3 times a second for a 20 s question).
        """
        self.remaining_s = max(0.0, remaining_s)
        self.limit_s = max(limit_s, 1e-9)
        if self._seconds() != self._drawn:
            self._drawn = self._seconds()
            self.refresh()

    def _seconds(self) -> int:
        """The whole seconds shown: the time left, rounded up."""
        return math.ceil(self.remaining_s)

    def _bar_width(self) -> int:
        return max(4, min(self.content_size.width or 40, self.MAX_WIDTH) - 7)

    def _filled_cells(self) -> int:
        return math.ceil(self._bar_width() * min(self._seconds(), self.limit_s) / self.limit_s)

    def render(self) -> RenderResult:
        width = self._bar_width()
        filled = min(self._filled_cells(), width)
        seconds = self._seconds()
        fraction = seconds / self.limit_s
        colour = "$success" if fraction > 0.5 else "$warning" if fraction > 0.25 else "$error"
        return Content.assemble(
            (GLYPHS.bar_filled * filled, colour),
            (GLYPHS.bar_empty * (width - filled), "$foreground 15%"),
            (f" {seconds:>3} s", "bold" if fraction > 0.25 else f"bold {colour}"),
        )


_BAND_STYLE = {
    "sure": "$text-success",
    "unsure": "underline $text-warning",
    "guess": "reverse $text-error",
}
"""Each band has a style besides its colour (plain, underlined, inverted), so it reads over 16
colours and without colour too."""


class ConfidenceStrip(Widget):
    """The model's output, one character at a time, each with the probability it gave it.

    Green is 90% or more, yellow and underlined 60% or more, red and inverted below: a player
    sees where the model hesitated.
    """

    DEFAULT_CSS = """
    ConfidenceStrip {
        height: 2;
        width: 1fr;
        content-align: center top;
    }
    """

    LABEL = ("Model's confidence ", "per character      ")
    """The two-line caption before the characters."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.characters: tuple[str, ...] = ()
        """The symbols the model chose, in reading order, padding included."""
        self.confidence: tuple[float, ...] = ()
        """The probability of each."""

    def show(self, characters: Sequence[str], confidence: Sequence[float]) -> None:
        """Set the characters and probabilities to show."""
        self.characters = tuple(characters)
        self.confidence = tuple(confidence)
        self.refresh(layout=True)

    @staticmethod
    def cell(probability: float) -> str:
        """A probability as at most four cells: ``100%``, `` 97%``, ``<1%``."""
        percent = probability * 100
        if percent >= 99.5:
            return "100%" if probability >= 0.9995 else " 99%"
        if percent < 1:
            return " <1%"
        return f"{percent:3.0f}%"

    def render(self) -> RenderResult:
        top: list[tuple[str, str] | str] = [(self.LABEL[0], "dim")]
        bottom: list[tuple[str, str] | str] = [(self.LABEL[1], "dim")]
        for symbol, probability in zip(self.characters, self.confidence, strict=True):
            style = _BAND_STYLE[confidence_band(probability)]
            shown = shown_symbol(symbol)
            top.append((f"  {shown}  ", f"bold {style}"))
            bottom.append((f"{self.cell(probability)} ", style))
        return Content.assemble(*top, "\n", *bottom)


class AnswerCard(Static):
    """One of the reveal's three answers (truth, player, model): big digits, ✓/✗ and points.

    One widget, not a box of three, because every answer repaints all three cards and a served
    session pays for each widget it paints.
    """

    DEFAULT_CSS = """
    AnswerCard {
        border: round $foreground 30%;
        border-title-align: center;
        border-title-color: $foreground;
        width: 1fr;
        height: 8;
        margin: 0 1;
        text-align: center;
        &.-right { border: round $success; }
        &.-wrong { border: round $error; }
    }
    """

    BIG_DIGITS_UP_TO = 6
    """Longer answers are shown in plain type: big digits would not fit a card at 80 columns."""

    def show(
        self, title: str, value: str, correct: bool | None, points: str = "", missed: str = "wrong"
    ) -> None:
        """Show ``value``; ``correct`` None means the true answer (no mark).

        ``points`` is markup; ``missed`` says how a wrong answer went wrong (``passed``...).
        """
        self.border_title = Content(title)  # a player may be called "[/]"
        self.set_class(correct is True, "-right")
        self.set_class(correct is False, "-wrong")
        rows = big_rows(value) if len(value) <= self.BIG_DIGITS_UP_TO else None
        digits = "\n".join(rows) if rows else f"\n{value}\n"
        if correct is None:
            mark = Content.from_markup("[dim]the true answer[/]")
        elif correct:
            mark = Content.from_markup(f"[b $text-success]{GLYPHS.right} right[/]\n{points}")
        else:
            mark = Content.from_markup(f"[b $text-error]{GLYPHS.wrong} {missed}[/]\n{points}")
        self.update(Content.assemble(Content(digits), "\n", mark))


class KeyTarget(Static, can_focus=True):
    """A line of key hints that holds the keyboard focus while no field needs it.

    Between questions the panel's own bindings (Enter, R, N ...) must hear the keys, so something
    inside it needs focus. Focusing this one leaf restyles one leaf; focusing the panel would
    restyle every widget in it, which costs a served session tens of milliseconds per answer.
    """

    DEFAULT_CSS = """
    KeyTarget:focus { background-tint: $foreground 0%; text-style: none; }
    """

    def watch_has_focus(self, has_focus: bool) -> None:
        # It looks the same focused or not (above), so the focus moving on and off it on every
        # answer needn't match it against the stylesheet again.
        return

    def _on_focus(self, event: events.Focus) -> None:
        # Nor repaint it: Textual's own handler does, and the repaint came as a frame of its own
        # after each reveal (the hint line again, ~3 ms of a served session's CPU per answer).
        event.prevent_default()
        self.has_focus = True
        if self.parent is not None:
            self.parent.post_message(events.DescendantFocus(self))

    def _on_blur(self, event: events.Blur) -> None:
        event.prevent_default()
        self.has_focus = False
        if self.parent is not None:
            self.parent.post_message(events.DescendantBlur(self))


class WholeNumber(Validator):
    """Accepts a whole number of at most ``max_digits`` digits; says why anything else isn't."""

    def __init__(self, max_digits: int | None = None) -> None:
        super().__init__()
        self.max_digits = max_digits

    def validate(self, value: str) -> ValidationResult:
        problem = answer_problem(value, self.max_digits)
        return self.success() if problem is None else self.failure(problem)


class AnswerInput(Input):
    """A whole-number answer box: digits and one leading minus, nothing else gets in."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)
    """Textual's input resizes its scrollable area on every keystroke, and that lays out the
    whole screen again; the box is a fixed size and an answer's few digits never scroll it, so
    a keystroke repaints only the box (a served session pays for every layout)."""

    @dataclass
    class Refused(Message):
        """A keystroke or paste was kept out; ``reason`` says why, for the player."""

        input: AnswerInput
        reason: str

    def __init__(self, *, max_digits: int = 12, id: str | None = None) -> None:
        self._whole_number = WholeNumber(max_digits)
        self._kept_focused_look = False
        """The box lost the focus while hidden and still has its focused styles."""
        super().__init__(
            placeholder="your answer",
            restrict=self._pattern(max_digits),
            validators=[self._whole_number],
            validate_on=["submitted"],
            id=id,
        )

    def watch_has_focus(self, has_focus: bool) -> None:
        """Restyle for the focus, unless nobody would see it.

        The quiz takes the focus off the box as it hides it for the reveal and gives it back as
        it shows the next question: restyling an input for each (its cursor, placeholder and
        selection each match the stylesheet too) costs a served session milliseconds per
        answer for a look no one sees. Blurred while shown, it restyles as usual.
        """
        if not has_focus and not self._shown():
            self._kept_focused_look = True
        elif not (has_focus and self._kept_focused_look):
            super().watch_has_focus(has_focus)
        if has_focus:
            self._kept_focused_look = False

    def _shown(self) -> bool:
        return all(node.display for node in self.ancestors_with_self if isinstance(node, Widget))

    @property
    def max_digits(self) -> int:
        """Longest answer accepted, in digits (a minus may come on top)."""
        return self._whole_number.max_digits or 0

    @max_digits.setter
    def max_digits(self, digits: int) -> None:
        self._whole_number.max_digits = digits
        self.restrict = self._pattern(digits)

    @staticmethod
    def _pattern(digits: int) -> str:
        return rf"-?[0-9]{{0,{digits}}}"

    def restricted(self) -> None:
        """Say why instead of only ringing the bell."""
        if len(self.value.lstrip("-")) >= self.max_digits:
            reason = f"Answers to this problem have at most {self.max_digits} digits."
        else:
            reason = "Only digits, and a minus at the front for a negative answer."
        self.post_message(self.Refused(self, reason))


def shortened(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, with … marking the cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


class RoundStatus(Static):
    """One line over a round in play: the question number, and each side's score and streak."""

    def show(
        self, round_: QuizRound, number: int, player: str, opponent: str, *, practice: bool = False
    ) -> None:
        """Show ``round_`` at question ``number`` (marked as ``practice``: a room's replay)."""
        # Assembled rather than parsed from markup: this runs on every answer.
        self.update(
            Content.assemble(
                ("PRACTICE ", "bold reverse") if practice else "",
                "Question ",
                (str(number), "bold"),
                f"/{len(round_.questions)}   ",
                (shortened(player, 16), "bold"),
                f" {round_.player_score:,} ",
                (f"streak {round_.player_streak}", "dim"),
                "   ",
                (shortened(opponent, 20), "bold"),
                f" {round_.model_score:,} ",
                (f"streak {round_.model_streak}", "dim"),
            )
        )
