"""The Config panel: every problem, model and training setting, a preset picker and live figures.

Field names are the CLI's setting names, so the form hands its values to
`core.presets.build_settings` exactly as ``seq2add train`` does; whatever core refuses comes back
as a `SpecError` naming the field, which the form shows under that field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Select, Static

from core.data import check_memory, example_expression, parse_expression
from core.model import ModelConfig, parameter_count
from core.presets import OPTIONAL_SETTINGS, PRESETS, build_settings
from core.run import Settings
from core.settings import FORM_SECTIONS, SETTINGS, Setting, record_value, setting_for_field
from core.spec import ProblemSpec, SpecError
from core.train import TrainingConfig
from seq2add_tui.glyphs import GLYPHS
from seq2add_tui.widgets.fields import (
    FIELD_KEYS,
    FieldKeys,
    FormField,
    Parsed,
    Parser,
    decimal_number,
    empty_means,
    humanize,
    optional,
    whole_number,
)
from seq2add_tui.widgets.toggles import MarkedCheckbox
from seq2add_tui.wording import counted, shown_symbol

DEFAULT_PRESET = "notebook"
"""The tutorial's own setup fills the form at start."""


def _typed(setting: Setting) -> bool:
    """Whether the setting is typed into an Input (not picked or ticked)."""
    return setting.kind in ("int", "float", "text")


def _parser(setting: Setting) -> Parser:
    """Text to value for a typed-in setting, refusing with a sentence that uses its label."""
    if setting.kind == "int":
        parse = whole_number(setting.label, setting.check)
    elif setting.kind == "float":
        parse = decimal_number(setting.label, setting.check, setting.example or "0.001")
    else:

        def parse(text: str) -> Any:
            try:
                return setting.check(text.strip())
            except SpecError as error:
                raise ValueError(humanize(error, setting.label)) from None

    if setting.optional:
        return optional(parse)
    return parse if setting.empty_value is None else empty_means(setting.empty_value, parse)


SECTIONS: tuple[tuple[str, tuple[Setting, ...]], ...] = tuple(
    (section, tuple(s for s in SETTINGS if s.section == section and s.on_form))
    for section in FORM_SECTIONS
)
"""The form, section by section, in screen order (from `core.settings.SETTINGS`)."""

FIELDS = {setting.name: setting for _, settings in SECTIONS for setting in settings}
"""Every setting on the form by name (also the field's widget id)."""

PARSERS = {name: _parser(setting) for name, setting in FIELDS.items() if _typed(setting)}
"""How each typed-in field's text becomes a value."""


def field_values(spec: ProblemSpec, model: ModelConfig, training: TrainingConfig) -> dict[str, Any]:
    """What each field shows for these settings (text for inputs, values for the rest); not the
    run's own fields (where it writes), which no preset or saved model sets."""
    records = {"problem": spec, "model": model, "training": training}
    return {
        name: setting.shown(record_value(setting, records[setting.record]))
        for name, setting in FIELDS.items()
        if setting.record in records
    }


class ConfigForm(FieldKeys, Horizontal):
    """The settings of the next training run, checked as you type."""

    # Enter moves on, as on a paper form (Train is its own key); keys typed fast behind Tab or
    # Enter follow the focus.
    BINDINGS: ClassVar[list[BindingType]] = list(FIELD_KEYS)

    @dataclass
    class Changed(Message):
        """The form's values changed; ``settings`` is None while any field is refused."""

        form: ConfigForm
        settings: Settings | None
        problem: str | None
        """The first reason a value is refused, or None."""

        @property
        def control(self) -> ConfigForm:
            return self.form

    def __init__(self, preset: str = DEFAULT_PRESET, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.preset = preset
        """The preset the fields were last filled from."""
        self.settings: Settings | None = None
        """The form's settings when every field is valid, else None."""
        self.problem: str | None = None
        """Why the form can't be used as it is (the first refused value), or None."""
        self.errors: dict[str, str] = {}
        """Refused fields by name, with the reason."""

    # -- building ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        initial = PRESETS[self.preset]
        values = field_values(initial.spec, initial.model, initial.training)
        with VerticalScroll(id="config-fields", can_focus=False):
            yield FormField(
                "Preset",
                Select(
                    [(name, name) for name in PRESETS],
                    value=self.preset,
                    allow_blank=False,
                    compact=True,
                    id="preset",
                    tooltip="A complete recipe; choosing one fills every field below.",
                ),
                name="preset",
            )
            yield Static(initial.description, id="preset-description")
            # Sections stack at 80 columns and stand side by side on wide screens (app.tcss).
            with Horizontal(id="config-sections"):
                for title, settings in SECTIONS:
                    with Vertical(classes="form-section-box"):
                        yield Static(title, classes="form-section")
                        for setting in settings:
                            control = self._control(setting, values.get(setting.name, ""))
                            yield FormField(setting.label, control, name=setting.name)
        with Vertical(id="config-summary"):
            yield Static(id="derived")
            yield Static(id="form-status")
            yield Button(
                "Train ▶",
                id="start-training",
                variant="success",
                compact=True,
                action="app.start_training",
                tooltip="Start training with these settings (ctrl+t).",
            )

    @staticmethod
    def _control(setting: Setting, value: Any) -> Input | Select | Checkbox:
        control: Input | Select | Checkbox
        tooltip = setting.help
        if _typed(setting):
            control = Input(
                str(value),
                id=setting.name,
                compact=True,
                validators=[Parsed(PARSERS[setting.name])],
                placeholder=setting.off_text,
                select_on_focus=False,
            )
            if setting.optional or setting.empty_value is not None:
                tooltip += f" Empty: {setting.off_text}."
        elif setting.kind == "choice":
            assert setting.choices is not None
            choices = [(name, name) for name in setting.choices]
            control = Select(choices, value=value, allow_blank=False, compact=True, id=setting.name)
        else:
            control = MarkedCheckbox(
                setting.check_label, value=bool(value), compact=True, id=setting.name
            )
        control.tooltip = tooltip
        return control

    def on_mount(self) -> None:
        summary = self.query("#config-summary")
        if not summary:
            return  # the app closed while the form was being built (it is mounted after start-up)
        summary.first().border_title = "This run"
        self.revalidate()

    # -- filling ----------------------------------------------------------------------------------

    def fill(
        self,
        spec: ProblemSpec,
        model: ModelConfig,
        training: TrainingConfig,
        preset: str | None = None,
    ) -> None:
        """Put these settings in the fields (e.g. a preset's, or a saved model's)."""
        if preset is not None:
            self.preset = preset
            with self.prevent(Select.Changed):
                self.query_one("#preset", Select).value = preset
            self.query_one("#preset-description", Static).update(PRESETS[preset].description)
        for name, value in field_values(spec, model, training).items():
            control = self.query_one(f"#{name}")
            with self.prevent(Input.Changed, Select.Changed, Checkbox.Changed):
                control.value = value
            if isinstance(control, Input):
                # Typing goes after the new text, not inside it where the old text ended.
                control.cursor_position = len(control.value)
        self.revalidate()

    def use_preset(self, name: str) -> None:
        """Fill every field from the preset ``name``."""
        preset = PRESETS[name]
        self.fill(preset.spec, preset.model, preset.training, preset=name)

    @on(Select.Changed, "#preset")
    def _preset_chosen(self, event: Select.Changed) -> None:
        event.stop()
        if isinstance(event.value, str) and event.value in PRESETS:
            self.use_preset(event.value)

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _value_changed(self, event: Message) -> None:
        event.stop()
        self.revalidate()

    # -- checking ---------------------------------------------------------------------------------

    def read_values(self) -> tuple[dict[str, Any], dict[str, str]]:
        """Every field's parsed value, and the reasons for the ones refused."""
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for name in FIELDS:
            control = self.query_one(f"#{name}")
            if name in PARSERS:
                try:
                    values[name] = PARSERS[name](control.value)
                except ValueError as error:
                    errors[name] = str(error)
            else:
                values[name] = control.value
        return values, errors

    def revalidate(self) -> None:
        """Check every field, show what's refused and why, update the figures and Start."""
        values, errors = self.read_values()
        settings: Settings | None = None
        problem_spec = self._spec_alone(values)
        if errors:
            # A field that doesn't parse must not hide a refusal elsewhere (smallest > largest).
            for index in range(len(SECTIONS)):
                section = _section_values(values, index)
                refusal = self._refusal(section) if section is not None else None
                if refusal is not None and refusal[0] not in errors:
                    errors[refusal[0]] = refusal[1]
        else:
            try:
                spec, model, training = self._build(values)
                check_memory(spec, training.samples, one_hot=True)
            except SpecError as error:
                name, reason = _field_refusal(error)
                errors[name] = reason
            else:
                preset = PRESETS[self.preset]
                edited = (spec, model, training) != (preset.spec, preset.model, preset.training)
                tensorboard = values.get("tensorboard")
                settings = Settings(spec, model, training, self.preset, edited, tensorboard)
        for form_field in self.query(FormField):
            name = form_field.id.removeprefix("field-") if form_field.id else ""
            form_field.show_error(errors.get(name))
            if name in errors and form_field.control.has_focus:
                # the reason, under the field typed in; once laid out, or its last line is cut
                self.call_after_refresh(form_field.scroll_visible, animate=False)
        self.errors = errors
        self.settings = settings
        self.problem = next(iter(errors.values()), None)
        self._show_summary(values, problem_spec, settings)
        self.query_one("#start-training", Button).disabled = settings is None
        self.post_message(self.Changed(self, settings, self.problem))

    def _build(self, values: dict[str, Any]) -> tuple[ProblemSpec, ModelConfig, TrainingConfig]:
        """The preset with these values over it; an emptied optional field switches it off."""
        switched_off = [n for n in OPTIONAL_SETTINGS if n in values and values[n] is None]
        return build_settings(self.preset, values, unset=switched_off)

    def _refusal(self, values: dict[str, Any]) -> tuple[str, str] | None:
        """(field, reason) if these values, on their own, are refused by core."""
        try:
            self._build(values)
        except SpecError as error:
            return _field_refusal(error)
        return None

    def _spec_alone(self, values: dict[str, Any]) -> ProblemSpec | None:
        """The problem from the problem fields only, so its figures show while others are wrong."""
        problem = _section_values(values, 0)
        if problem is None:
            return None
        try:
            return build_settings(self.preset, problem)[0]
        except SpecError:
            return None

    def _show_summary(
        self, values: dict[str, Any], spec: ProblemSpec | None, settings: Settings | None
    ) -> None:
        table = Table.grid(padding=(0, 1))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        missing = Text("—", style="dim")
        if spec is not None:
            example = example_expression(spec)
            answer = parse_expression(spec, example).value
            alphabet = "".join(shown_symbol(s) for s in spec.alphabet)
            table.add_row("Problem", spec.describe())
            table.add_row("Alphabet", f"{alphabet} ({spec.alphabet_size})")
            table.add_row("Input", counted(spec.input_length, "character"))
            table.add_row("Output", counted(spec.output_length, "character"))
            table.add_row("Example", f"{example} → {answer}")
        else:
            for label in ("Problem", "Alphabet", "Input", "Output", "Example"):
                table.add_row(label, missing)
        if settings is not None:
            training = settings.training
            parameters = parameter_count(settings.spec, settings.model)
            table.add_row("Parameters", f"{parameters:,}")
            steps = f"{training.batches_per_epoch:,} × {counted(training.epochs, 'epoch')}"
            table.add_row("Steps", steps)
            table.add_row("Preset", settings.preset_label)
        else:
            parameters_text: Text | str = missing
            model_values = _section_values(values, 1)
            if spec is not None and model_values is not None:
                try:
                    model = build_settings(self.preset, model_values)[1]
                    parameters_text = f"{parameter_count(spec, model):,}"
                except SpecError:
                    pass
            table.add_row("Parameters", parameters_text)
            table.add_row("Steps", missing)
            table.add_row("Preset", f"{self.preset} (edited)")
        self.query_one("#derived", Static).update(table)
        status = self.query_one("#form-status", Static)
        if settings is not None:
            status.update(f"[b $success]{GLYPHS.right} Ready to train[/]")
        else:
            count = len(self.errors)
            noun = "field needs" if count == 1 else "fields need"
            labels = ", ".join(s.label for name, s in FIELDS.items() if name in self.errors)
            status.update(
                Content.from_markup(
                    f"[b $error]{GLYPHS.wrong} $count $noun fixing[/]: $labels",
                    count=str(count),
                    noun=noun,
                    labels=labels,
                )
            )


def _field_refusal(error: SpecError) -> tuple[str, str]:
    """Core's refusal as (form field, sentence using the field's label)."""
    setting = setting_for_field(error.field)  # the form's fields are named as the settings
    name = setting.name if setting is not None else error.field
    label = FIELDS[name].label if name in FIELDS else name
    return name, humanize(error, label)


def _section_values(values: dict[str, Any], section: int) -> dict[str, Any] | None:
    """The values of one section's fields, or None if any of them was refused."""
    names = [setting.name for setting in SECTIONS[section][1]]
    if any(name not in values for name in names):
        return None
    return {name: values[name] for name in names}
