"""Form building blocks: parsers that say why a value is refused, and a labelled field row.

The parsers raise ``ValueError`` with one sentence; `Parsed` turns that sentence into the
Input's validation failure, and `FormField` shows it under the control as you type.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from core.settings import parse_whole_number
from core.spec import SpecError

Parser = Callable[[str], Any]
"""Turns a field's text into a value, or raises ValueError saying why it can't."""


def humanize(error: SpecError | ValueError, label: str) -> str:
    """Core messages start with a field's code name (``encoder_units must``); use its label."""
    message = str(error)
    field = getattr(error, "field", None)
    if field and message.startswith(field):
        message = label + message[len(field) :]
    return message[:1].upper() + message[1:]


def _checked(value: Any, label: str, check: Callable[[Any], object] | None) -> Any:
    """``value`` if ``check`` accepts it; core's refusal, reworded for the form, if not."""
    if check is not None:
        try:
            check(value)
        except SpecError as error:
            raise ValueError(humanize(error, label)) from None
    return value


def whole_number(label: str, check: Callable[[int], object] | None = None) -> Parser:
    """A parser for whole numbers (``75000``, ``75,000`` or ``75_000``), then ``check`` if given."""

    def parse(text: str) -> int:
        try:
            value = parse_whole_number(text)
        except ValueError as error:
            raise ValueError(f"{label} {error}.") from None
        return _checked(value, label, check)

    return parse


def decimal_number(
    label: str, check: Callable[[float], object] | None = None, example: str = "0.001"
) -> Parser:
    """A parser for numbers such as ``0.001`` or ``1e-3``, then ``check`` if given; a refusal
    gives ``example``, a value that suits the field."""

    def parse(text: str) -> float:
        text = text.strip()
        if not text:
            raise ValueError(f"{label} is required.")
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"{label} must be a number such as {example}, not {text!r}.") from None
        return _checked(value, label, check)

    return parse


def empty_means(value: object, parse: Parser) -> Parser:
    """``parse``, except that an empty field means ``value`` (e.g. 0: the rule is off)."""
    return lambda text: parse(text) if text.strip() else value


def optional(parse: Parser) -> Parser:
    """``parse``, except that an empty field means None (the setting is off)."""
    return lambda text: parse(text) if text.strip() else None


class Parsed(Validator):
    """An Input validator that accepts whatever its parser accepts, and reports why not."""

    def __init__(self, parse: Parser) -> None:
        super().__init__()
        self.parse = parse

    def validate(self, value: str) -> ValidationResult:
        try:
            self.parse(value)
        except ValueError as error:
            return self.failure(str(error))
        return self.success()


class FormField(Vertical):
    """One labelled control with a line under it that says why its value is refused."""

    def __init__(self, label: str, control: Widget, *, name: str) -> None:
        super().__init__(id=f"field-{name}", classes="form-field")
        self.label = label
        """What the field is called on screen."""
        self.control = control
        """The Input, Select or Checkbox that holds the value."""

    def compose(self) -> ComposeResult:
        with Horizontal(classes="field-row"):
            yield Label(self.label, classes="field-label")
            yield self.control
        yield Static("", classes="field-error")

    def show_error(self, message: str | None) -> None:
        """Show why the value is refused, or clear the line when it is fine."""
        self.set_class(bool(message), "-refused")
        # Content, not markup: refusals quote what was typed, and "[/]" is a fine thing to type.
        self.query_one(".field-error", Static).update(Content(f"↳ {message}" if message else ""))


# Priority: the App runs these as the key arrives. Otherwise Tab or Enter reaches the field first
# and moves the focus only when it bubbles back (or its Submitted message arrives), after the
# keys typed fast behind it were already sent to the field being left.
FOCUS_KEYS = [
    Binding("tab", "app.focus_next", "Next field", show=False, priority=True),
    Binding("shift+tab", "app.focus_previous", "Previous field", show=False, priority=True),
]
"""Bindings for a form (`FieldKeys`) whose Enter is its own: Tab and Shift+Tab."""

FIELD_KEYS = [
    *FOCUS_KEYS,
    Binding("enter", "submit_field", "Next field", show=False, priority=True),
]
"""Bindings for a form (`FieldKeys`): Tab, Shift+Tab and Enter move between its fields."""


class FieldKeys:
    """For a form, a widget or a screen binding `FIELD_KEYS` (or `FOCUS_KEYS`): keys typed right
    after Tab or Enter land in the field the focus moves to."""

    screen: Any

    def action_submit_field(self) -> None:
        focused = self.screen.focused
        if not isinstance(focused, Input):
            raise SkipAction()  # a button, a select or a check box has its own Enter
        self.field_submitted(focused)

    def field_submitted(self, field: Input) -> None:
        """Enter in ``field``: the next field, as on a paper form."""
        self.screen.focus_next()
