"""The Config panel: every problem, model and training setting, a preset picker and live figures.

Field names are the CLI's setting names, so the form hands its values to
`core.presets.build_settings` exactly as ``seq2add train`` does; whatever core refuses comes back
as a `SpecError` naming the field, which the form shows under that field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Select, Static

from core.data import SAMPLINGS, check_memory, example_expression, length_share, parse_expression
from core.model import ARCHITECTURES, ModelConfig, parameter_count
from core.presets import OPTIONAL_SETTINGS, PRESETS, build_settings, setting_for_field
from core.run import Settings
from core.spec import OPERATORS, ProblemSpec, SpecError, parse_terms
from core.train import CURRICULA, SCHEDULES, TrainingConfig
from seq2add_tui.glyphs import GLYPHS
from seq2add_tui.widgets.fields import (
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


def _operators(text: str) -> str:
    ops = text.replace(" ", "")
    if not ops:
        raise ValueError("Operators must include at least one of + - * /.")
    unknown = sorted(set(ops) - set(OPERATORS))
    if unknown:
        raise ValueError(f"Operators are chosen from + - * /; {''.join(unknown)!r} is not one.")
    return ops


def _terms(text: str) -> str:
    try:
        parse_terms(text)
    except SpecError as error:
        raise ValueError(str(error)[:1].upper() + str(error)[1:]) from None
    return text.strip()


def _sampling(text: str) -> str:
    try:
        length_share(text)
    except SpecError as error:
        raise ValueError(str(error)[:1].upper() + str(error)[1:]) from None
    return text.strip()


RUN_ONLY_FIELDS = ("tensorboard",)
"""Fields about where a run writes, not how it trains: no preset sets them, core ignores them."""


def _folder(text: str) -> str:
    return str(Path(text.strip()).expanduser())


def _model_check(name: str) -> Callable[[Any], object]:
    return lambda value: ModelConfig(**{name: value})


def _training_check(name: str) -> Callable[[Any], object]:
    return lambda value: TrainingConfig(**{name: value})


@dataclass(frozen=True)
class FieldSpec:
    """One setting on the form."""

    name: str
    """The CLI's setting name (``build_settings`` key) and the widget id."""
    label: str
    help: str
    """Tooltip: what the setting does."""
    parse: Parser | None = None
    """For text fields: text to value, refusing bad text with a sentence."""
    choices: tuple[tuple[str, Any], ...] = field(default_factory=tuple)
    """For pickers: (label, value) pairs."""
    check_label: str = ""
    """For checkboxes: the text beside the box."""
    placeholder: str = ""
    """For text fields: what an empty field means."""

    @property
    def kind(self) -> str:
        if self.parse is not None:
            return "text"
        return "select" if self.choices else "check"


SECTIONS: tuple[tuple[str, tuple[FieldSpec, ...]], ...] = (
    (
        "Problem",
        (
            FieldSpec("ops", "Operators", "Any of + - * /; × and ÷ go before + and −.", _operators),
            FieldSpec("terms", "Terms", "Numbers per expression: 3, or a range like 2-5.", _terms),
            FieldSpec("smallest", "Smallest", "Smallest operand.", whole_number("Smallest")),
            FieldSpec("largest", "Largest", "Largest operand.", whole_number("Largest")),
            FieldSpec(
                "pad_side",
                "Padding",
                "Where short strings are padded; left keeps digits right-aligned.",
                choices=(("left", "left"), ("right", "right")),
            ),
            FieldSpec(
                "reverse_input",
                "Reverse input",
                "Feed the expression right-to-left, least-significant digit first.",
                check_label="right-to-left",
            ),
            FieldSpec(
                "reverse_output",
                "Reverse output",
                "Emit the answer least-significant digit first.",
                check_label="right-to-left",
            ),
            FieldSpec(
                "align_operands",
                "Align operands",
                "Pad every operand to the same width, so digit places line up as in written sums.",
                check_label="in columns",
            ),
        ),
    ),
    (
        "Model",
        (
            FieldSpec(
                "arch",
                "Architecture",
                "seq2seq is the notebook's; attention lets the decoder look back at every input.",
                choices=tuple((name, name) for name in ARCHITECTURES),
            ),
            FieldSpec(
                "encoder_units",
                "Encoder units",
                "Memory cells in each encoder LSTM.",
                whole_number("Encoder units", _model_check("encoder_units")),
            ),
            FieldSpec(
                "decoder_units",
                "Decoder units",
                "Memory cells in each decoder LSTM.",
                whole_number("Decoder units", _model_check("decoder_units")),
            ),
            FieldSpec(
                "encoder_layers",
                "Encoder layers",
                "Stacked encoder LSTMs.",
                whole_number("Encoder layers", _model_check("encoder_layers")),
            ),
            FieldSpec(
                "decoder_layers",
                "Decoder layers",
                "Stacked decoder LSTMs.",
                whole_number("Decoder layers", _model_check("decoder_layers")),
            ),
        ),
    ),
    (
        "Training",
        (
            FieldSpec(
                "samples",
                "Samples",
                "Training samples per epoch.",
                whole_number("Samples", _training_check("samples")),
            ),
            FieldSpec(
                "epochs",
                "Epochs",
                "Passes over the data (or over fresh data each time).",
                whole_number("Epochs", _training_check("epochs")),
            ),
            FieldSpec(
                "batch_size",
                "Batch size",
                "Samples per gradient step.",
                whole_number("Batch size", _training_check("batch_size")),
            ),
            FieldSpec(
                "lr",
                "Learning rate",
                "Adam's (peak) learning rate.",
                decimal_number("Learning rate", _training_check("learning_rate")),
            ),
            FieldSpec(
                "seed",
                "Seed",
                "Seeds weights, data and shuffling, so a run can be repeated.",
                whole_number("Seed", _training_check("seed")),
            ),
            FieldSpec(
                "fresh_data",
                "Fresh data",
                "Draw new samples every epoch instead of reusing one training set.",
                check_label="each epoch",
            ),
            FieldSpec(
                "schedule",
                "LR schedule",
                "; ".join(f"{name}: {text}" for name, text in SCHEDULES.items()),
                choices=tuple((name, name) for name in SCHEDULES),
            ),
            FieldSpec(
                "curriculum",
                "Curriculum",
                "; ".join(f"{name}: {text}" for name, text in CURRICULA.items()),
                choices=tuple((name, name) for name in CURRICULA),
            ),
            FieldSpec(
                "sampling",
                "Sampling",
                "; ".join(f"{name}: {text}" for name, text in SAMPLINGS.items()),
                _sampling,
            ),
        ),
    ),
    (
        "Stopping",
        (
            FieldSpec(
                "validation_samples",
                "Validation",
                "Held-out samples (their own seed) whose exact-match is scored as training goes.",
                whole_number("Validation", _training_check("validation_samples")),
            ),
            FieldSpec(
                "patience",
                "Patience",
                "Stop after this many epochs without a better validation exact-match; empty or "
                "0: never.",
                empty_means(0, whole_number("Patience", _training_check("patience"))),
                placeholder="never",
            ),
            FieldSpec(
                "stop_at",
                "Stop at",
                "Stop once validation exact-match reaches this fraction, e.g. 1.0; empty: never.",
                optional(decimal_number("Stop at", _training_check("stop_at_exact"), "1.0")),
                placeholder="never",
            ),
            FieldSpec(
                "clip_norm",
                "Clip norm",
                "Cap on each gradient's norm, steadier at high learning rates; empty: no cap.",
                optional(decimal_number("Clip norm", _training_check("clip_norm"), "1.0")),
                placeholder="no cap",
            ),
            FieldSpec(
                "tensorboard",
                "TensorBoard",
                "A folder to write TensorBoard event files to (tensorboard --logdir FOLDER); "
                "empty: none. Not part of the recipe: presets leave it as it is.",
                optional(_folder),
                placeholder="none",
            ),
        ),
    ),
)
"""The form, section by section, in screen order."""

FIELDS = {spec.name: spec for _, fields in SECTIONS for spec in fields}


def _number_text(value: int) -> str:
    return f"{value:,}"


def field_values(spec: ProblemSpec, model: ModelConfig, training: TrainingConfig) -> dict[str, Any]:
    """What each field shows for these settings (text for inputs, values for the rest)."""
    return {
        "ops": spec.operators,
        "terms": spec.terms_text,
        "smallest": _number_text(spec.smallest),
        "largest": _number_text(spec.largest),
        "pad_side": spec.pad_side,
        "reverse_input": spec.reverse_input,
        "reverse_output": spec.reverse_output,
        "align_operands": spec.align_operands,
        "arch": model.architecture,
        "encoder_units": str(model.encoder_units),
        "decoder_units": str(model.decoder_units),
        "encoder_layers": str(model.encoder_layers),
        "decoder_layers": str(model.decoder_layers),
        "samples": _number_text(training.samples),
        "epochs": _number_text(training.epochs),
        "batch_size": str(training.batch_size),
        "lr": f"{training.learning_rate:g}",
        "seed": str(training.seed),
        "fresh_data": training.fresh_data,
        "schedule": training.schedule,
        "curriculum": training.curriculum,
        "sampling": training.sampling,
        "validation_samples": _number_text(training.validation_samples),
        "patience": str(training.patience),
        "stop_at": _optional_text(training.stop_at_exact),
        "clip_norm": _optional_text(training.clip_norm),
    }


def _optional_text(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


class ConfigForm(Horizontal):
    """The settings of the next training run, checked as you type."""

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
                for title, specs in SECTIONS:
                    with Vertical(classes="form-section-box"):
                        yield Static(title, classes="form-section")
                        for spec in specs:
                            control = self._control(spec, values.get(spec.name, ""))
                            yield FormField(spec.label, control, name=spec.name)
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
    def _control(spec: FieldSpec, value: Any) -> Input | Select | Checkbox:
        if spec.kind == "text":
            assert spec.parse is not None
            control: Input | Select | Checkbox = Input(
                str(value),
                id=spec.name,
                compact=True,
                validators=[Parsed(spec.parse)],
                placeholder=spec.placeholder,
                select_on_focus=False,
            )
        elif spec.kind == "select":
            control = Select(
                list(spec.choices), value=value, allow_blank=False, compact=True, id=spec.name
            )
        else:
            control = MarkedCheckbox(
                spec.check_label, value=bool(value), compact=True, id=spec.name
            )
        control.tooltip = spec.help
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

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        """Enter moves on, as in a paper form; Train is its own key."""
        event.stop()
        self.screen.focus_next()

    # -- checking ---------------------------------------------------------------------------------

    def read_values(self) -> tuple[dict[str, Any], dict[str, str]]:
        """Every field's parsed value, and the reasons for the ones refused."""
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for name, spec in FIELDS.items():
            control = self.query_one(f"#{name}")
            if spec.kind == "text":
                assert spec.parse is not None
                try:
                    values[name] = spec.parse(control.value)
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
        values = {k: v for k, v in values.items() if k not in RUN_ONLY_FIELDS}
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
            labels = ", ".join(spec.label for name, spec in FIELDS.items() if name in self.errors)
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
    name = setting_for_field(error.field)  # the form's fields are named as the settings
    label = FIELDS[name].label if name in FIELDS else name
    return name, humanize(error, label)


def _section_values(values: dict[str, Any], section: int) -> dict[str, Any] | None:
    """The values of one section's fields, or None if any of them was refused."""
    names = [spec.name for spec in SECTIONS[section][1]]
    if any(name not in values for name in names):
        return None
    return {name: values[name] for name in names}
