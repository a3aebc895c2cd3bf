"""Modal dialogs: confirm, report an error, name a model to save, pick tutorial files to import.

Each dialog returns its answer through `dismiss` (frogmouth's pattern), to the callback the App
passes to ``push_screen``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.validation import ValidationResult, Validator
from textual.widgets import Button, Input, Static

from core.store import ModelError, check_name
from core.tutorial import TutorialFiles, read_tutorial_files
from seq2add_tui.widgets.fields import FIELD_KEYS, FieldKeys, FormField, Parsed, whole_number


class ConfirmDialog(ModalScreen[bool]):
    """Ask before doing something that can't be undone."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "answer(False)", "Cancel", tooltip="Do nothing", id="cancel"),
        Binding("y", "answer(True)", "Yes", tooltip="Go ahead", id="confirm"),
    ]

    def __init__(self, title: str, message: str, confirm: str = "Yes") -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.message = message
        self.confirm = confirm

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as dialog:
            dialog.border_title = Content(self.title_text)
            yield Static(Content(self.message), classes="dialog-message")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.confirm} (y)", id="confirm", variant="error", compact=True)
                yield Button("Cancel (n)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm")


class MessageDialog(ModalScreen[None]):
    """Tell the user something went wrong, in one sentence, until they acknowledge it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter", "close", "Close", tooltip="Close this message", id="close")
    ]

    def __init__(self, title: str, message: str) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog -error") as dialog:
            dialog.border_title = Content(self.title_text)
            yield Static(Content(self.message), classes="dialog-message")
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", id="ok", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed)
    def _pressed(self) -> None:
        self.dismiss(None)


class SaveModelDialog(ModalScreen[str | None]):
    """Name the freshly trained model; the App asks again before replacing an existing one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", tooltip="Don't save", id="cancel")
    ]

    def __init__(self, suggestion: str, existing: set[str], description: str) -> None:
        super().__init__(classes="dialog-screen")
        self.suggestion = suggestion
        self.existing = existing
        self.description = description

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as dialog:
            dialog.border_title = "Save the trained model"
            yield Static(self.description, classes="dialog-message")
            yield FormField(
                "Name",
                Input(
                    self.suggestion, id="model-name", compact=True, validators=[Parsed(check_name)]
                ),
                name="model-name",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", id="save", variant="success", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#model-name", Input).focus()
        self._check(self.suggestion)

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._check(event.value)

    def _check(self, name: str) -> bool:
        """Show why ``name`` is refused, or that it would replace a model; True if usable."""
        form_field = self.query_one(FormField)
        try:
            check_name(name)
        except ModelError as error:
            form_field.show_error(str(error))
            self.query_one("#save", Button).disabled = True
            return False
        self.query_one("#save", Button).disabled = False
        if name in self.existing:
            form_field.show_error(f"{name!r} exists; saving asks before replacing it.")
        else:
            form_field.show_error(None)
        return True

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        name = self.query_one("#model-name", Input).value.strip()
        if self._check(name):
            self.dismiss(name)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ExistingFile(Validator):
    """A path to a file that exists."""

    def validate(self, value: str) -> ValidationResult:
        if not value.strip():
            return self.failure("Give the path of a file.")
        path = Path(value.strip()).expanduser()
        if not path.is_file():
            return self.failure(f"{path} is not a file.")
        return self.success()


@dataclass(frozen=True)
class ImportRequest:
    """Checked tutorial files and the library name to import them as."""

    files: TutorialFiles
    name: str
    typed: dict[str, str] = field(default_factory=dict)
    """The dialog's fields as typed, to bring them back if the user changes their mind."""


class ImportModelDialog(FieldKeys, ModalScreen[ImportRequest | None]):
    """Pick the notebook's architecture JSON and weights; they are checked before importing."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", tooltip="Don't import", id="cancel"),
        *FIELD_KEYS,
    ]

    def __init__(self, typed: dict[str, str] | None = None) -> None:
        super().__init__(classes="dialog-screen")
        self.typed = typed or {}
        """Values to start the fields with (a previous attempt's), by field id."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog -wide") as dialog:
            dialog.border_title = "Import a tutorial model"
            yield Static(
                "The notebook saves model.to_json() and its weights (.h5). Give both files and "
                "the problem it was trained on.",
                classes="dialog-message",
            )
            fields = (
                ("Architecture", "architecture", "", [ExistingFile()], "path to the .json file"),
                ("Weights", "weights", "", [ExistingFile()], "path to the .h5 weights"),
                ("Terms", "terms", "3", [Parsed(whole_number("Terms"))], "3"),
                ("Largest", "largest", "10", [Parsed(whole_number("Largest"))], "10"),
                ("Name", "name", "tutorial", [Parsed(check_name)], "tutorial"),
            )
            for label, name, value, validators, placeholder in fields:
                yield FormField(
                    label,
                    Input(
                        self.typed.get(name, value),
                        id=name,
                        compact=True,
                        validators=validators,
                        placeholder=placeholder,
                    ),
                    name=name,
                )
            yield Static(id="import-problem", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Import", id="import", variant="success", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#architecture", Input).focus()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        result = event.validation_result
        form_field = self.query_one(f"#field-{event.input.id}", FormField)
        if result is not None and not result.is_valid:
            form_field.show_error(result.failure_descriptions[0])
        else:
            form_field.show_error(None)
        self.query_one("#import-problem", Static).update("")

    def field_submitted(self, field: Input) -> None:
        """Enter moves to the next field, as in a paper form; in the last, it imports."""
        if field.id == "name":
            self._import()
        else:
            self.focus_next()

    @on(Button.Pressed, "#import")
    def _import(self) -> None:
        inputs = {control.id: control for control in self.query(Input)}
        refused = []
        for control in inputs.values():
            result = control.validate(control.value)
            if result is not None and not result.is_valid:
                refused.append(control)
                form_field = self.query_one(f"#field-{control.id}", FormField)
                form_field.show_error(result.failure_descriptions[0])
        problem = self.query_one("#import-problem", Static)
        if refused:
            self.set_focus(refused[0])  # now, not after the keys already typed
            problem.update("↳ Fix the marked fields first.")
            return
        name = inputs["name"].value.strip()
        try:
            files = read_tutorial_files(
                Path(inputs["architecture"].value.strip()).expanduser(),
                Path(inputs["weights"].value.strip()).expanduser(),
                whole_number("Terms")(inputs["terms"].value),
                whole_number("Largest")(inputs["largest"].value),
            )
        except (ModelError, ValueError) as error:
            problem.update(Content(f"↳ {error}"))
            return
        typed = {control_id: control.value for control_id, control in inputs.items() if control_id}
        self.dismiss(ImportRequest(files, name, typed))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
