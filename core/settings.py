"""Every training setting, declared once: the records, presets, Config form and CLI derive from it.

A `Setting` says what a person sets (name, kind, default, range, label, help, flag, whether empty
means off) and which field of which record (`ProblemSpec`, `ModelConfig`, `TrainingConfig`) it
fills. `settings_record` builds those dataclasses' fields, their simple checks and their
``to_dict``/``from_dict`` from this table, so adding a setting is one `Setting(...)` here plus the
code in core that uses it. Plain Python: no Textual, no TensorFlow.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Literal

from core.errors import UserError

Record = Literal["problem", "model", "training", "run"]
Kind = Literal["int", "float", "bool", "choice", "text"]


class SpecError(UserError, ValueError):
    """A problem or training setting a user can get wrong; the message is one sentence to show."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        """Name of the offending field, so a form can mark it."""


OPERATORS = "+-*/"
"""Every operator a problem may use, in the order they appear in the alphabet."""


def normalize_operators(text: str) -> str:
    """The operators in ``text`` in alphabet order (``"*+"`` → ``"+*"``), spaces ignored."""
    ops = str(text).replace(" ", "")
    unknown = sorted(set(ops) - set(OPERATORS))
    if unknown:
        raise SpecError(
            "operators",
            f"operators must be chosen from + - * /; {''.join(unknown)!r} is not one of them.",
        )
    if not ops:
        raise SpecError("operators", "operators must include at least one of + - * /.")
    return "".join(op for op in OPERATORS if op in ops)


def parse_terms(text: str) -> tuple[int, int]:
    """Parse a terms field: ``"3"`` (fixed) or ``"2-5"`` (a range, inclusive)."""
    text = str(text)
    # At most 4 digits: int() of thousands would be slow or refused, and MAX_TERMS is 12 anyway.
    match = re.fullmatch(r"\s*(\d{1,4})\s*(?:(?:-|–|\.\.)\s*(\d{1,4})\s*)?", text)
    if not match:
        shown = text if len(text) <= 20 else text[:20] + "…"
        raise SpecError(
            "terms", f"terms must be a number like 3 or a range like 2-5, not {shown!r}."
        )
    low = int(match.group(1))
    high = int(match.group(2)) if match.group(2) else low
    if high < low:
        raise SpecError(
            "terms", f"terms {text.strip()}: the first number must not exceed the second."
        )
    return low, high


_WHOLE = re.compile(r"\+?[0-9][0-9,_]*")
MAX_TYPED_DIGITS = 20
"""Longest whole number anyone types for a setting (and far below what int() refuses)."""


def parse_whole_number(text: str) -> int:
    """A whole number of 0 or more as people type it: ``75000``, ``75,000`` or ``75_000``.

    The one parser for typed whole numbers (the Config form and the CLI's flags). A refusal is a
    ValueError holding the rest of a sentence (``must be a whole number, not 'ten'``): the form
    puts the field's label in front, argparse the flag.
    """
    text = str(text).strip()
    shown = text if len(text) <= 20 else text[:20] + "…"
    if not text:
        raise ValueError("must not be empty")
    if text.startswith("-") and _WHOLE.fullmatch(text[1:]):
        raise ValueError(f"must be 0 or more, not {shown}")
    if not _WHOLE.fullmatch(text):
        raise ValueError(f"must be a whole number, not {shown!r}")
    digits = text.lstrip("+").replace(",", "").replace("_", "")
    if len(digits) > MAX_TYPED_DIGITS:
        raise ValueError(f"must be a whole number of at most {MAX_TYPED_DIGITS} digits")
    return int(digits)


def _terms_text(text: str) -> str:
    parse_terms(text)
    return str(text).strip()


ARCHITECTURES = {
    "seq2seq": "LSTM encoder → RepeatVector → LSTM decoder → Dense softmax (the notebook's)",
    "attention": "the same, plus dot-product attention from the decoder over every encoder step",
}
"""Architecture names and what they are."""

SCHEDULES = {
    "constant": "the same learning rate throughout",
    "cosine": "cosine decay from the learning rate to 1% of it",
    "warmup-cosine": "a linear warm-up over the first 5% of steps, then cosine decay",
    "cosine-restarts": "cosine decay over each epoch, restarting at the full rate",
}
CURRICULA = {
    "none": "every sample at full difficulty",
    "naive": "difficulty grows from 1 digit and the fewest terms to the full problem",
    "mix": "each sample's difficulty drawn at random, easy to full",
    "combined": "half the samples from the growing level, half from the random mix",
}
SAMPLINGS = {
    "value": "every operand uniform over the range: for 0–999, one-digit numbers are 1%",
    "length": "each operand's digit count uniform first, then the value among that many digits",
    "mixed:P": "each expression length-balanced with probability P (e.g. mixed:0.5), else by value",
}
"""How operands are drawn. By value, short numbers almost never appear in a wide range, so a
model trained and measured that way can be wrong on ``7+8`` and still score 99.9%."""


def length_share(sampling: str) -> float:
    """The fraction of expressions drawn length-balanced: 0 for ``value``, 1 for ``length``,
    P for ``mixed:P``. Raises SpecError naming ``sampling`` for anything else."""
    text = str(sampling).strip()
    if text == "value":
        return 0.0
    if text == "length":
        return 1.0
    match = re.fullmatch(r"mixed:(\d*\.?\d+)", text)
    if match and 0 <= float(match.group(1)) <= 1:
        return float(match.group(1))
    raise SpecError(
        "sampling",
        f"sampling must be value, length or mixed:P with P from 0 to 1 (e.g. mixed:0.5), "
        f"not {text[:20]!r}.",
    )


def _folder(text: str) -> str:
    return str(Path(str(text).strip()).expanduser())


def _sampling_text(text: str) -> str:
    length_share(text)
    return str(text).strip()


MAX_UNITS = 1024
MAX_LAYERS = 4


def _listed(choices: Mapping[str, str]) -> str:
    return "; ".join(f"{name}: {text}" for name, text in choices.items())


@dataclass(frozen=True)
class Setting:
    """One thing a person sets before training, and where it lands in core."""

    name: str
    """The setting's name: `core.presets.build_settings`' key, the form field's id, and (dashed)
    the CLI flag."""
    record: Record
    """Which record it fills: problem (`ProblemSpec`), model (`ModelConfig`) or training; run is
    where a run writes, not how it trains (no preset sets it, no record holds it)."""
    field: str
    """The record's field (a name, so old ``spec.json`` files and code read the same)."""
    kind: Kind
    """int, float, bool, choice (one of `choices`) or text (checked by `parse`)."""
    default: Any
    """The notebook's value, and the record field's default."""
    label: str
    """What the Config form calls it."""
    help: str
    """One line for the form's tooltip and ``--help``."""
    section: str
    """The form section it shows in, and the CLI's option group."""
    low: float | None = None
    high: float | None = None
    """The range a number must fall in (inclusive; a float's ``low`` is exclusive)."""
    choices: Mapping[str, str] | None = None
    """For a choice: each value and what it means."""
    parse: Callable[[str], Any] | None = None
    """For text: the text's canonical form, or SpecError saying why it's refused."""
    optional: bool = False
    """Empty (form) or ``off`` (CLI) switches it off; the record holds None."""
    off_text: str = ""
    """What off means, in the empty field (e.g. ``never``)."""
    check_label: str = ""
    """For a bool: the words beside the form's checkbox."""
    metavar: str = ""
    """The CLI's placeholder for the value (default: N for int, X for float)."""
    noun: str = "number"
    """How a float's refusal names it: a number, a fraction."""
    grouped: bool = True
    """Whether the form shows an int with thousands separators (a seed reads better without)."""
    on_form: bool = True
    """Whether the Config form shows it (the CLI always does)."""
    example: str = ""
    """For a float: a value that suits it, given when typed text isn't a number."""
    empty_value: Any = None
    """For a number that isn't `optional`: what an empty form field means (e.g. 0: never)."""

    @property
    def flag(self) -> str:
        """The ``seq2add train`` option, e.g. ``--batch-size``."""
        return "--" + self.name.replace("_", "-")

    def check(self, value: Any) -> Any:
        """``value`` if it is valid for this setting alone, else SpecError naming the field."""
        if value is None and self.optional:
            return None
        name = self.field
        if self.kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise SpecError(name, f"{name} must be a whole number, not {value!r}.")
            if (
                self.low is not None
                and self.high is not None
                and not self.low <= value <= self.high
            ):
                raise SpecError(
                    name, f"{name} must be a whole number from {self.low:,} to {self.high:,}."
                )
        elif self.kind == "float":
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            assert self.low is not None and self.high is not None
            if not number or not self.low < value <= self.high:
                raise SpecError(
                    name,
                    f"{name} must be a {self.noun} above {self.low:g}, at most {self.high:,g}.",
                )
        elif self.kind == "choice":
            assert self.choices is not None
            if value not in self.choices:
                *others, last = [repr(choice) for choice in self.choices]
                known = f"{', '.join(others)} or {last}" if others else last
                raise SpecError(name, f"{name} must be {known}, not {value!r}.")
        elif self.kind == "text" and self.parse is not None:
            return self.parse(value)
        return value

    def shown(self, value: Any) -> Any:
        """``value`` as the form shows it: text for text fields, the value for the rest."""
        if self.kind == "int":
            return f"{value:,}" if self.grouped else str(value)
        if self.kind == "float":
            return "" if value is None else f"{value:g}"
        return value


SETTINGS: tuple[Setting, ...] = (
    # Setting(name, record, field, kind, default, label, help, section, ...keywords)
    # -- the problem ------------------------------------------------------------------------------
    Setting(
        "ops", "problem", "operators", "text", "+", "Operators",
        "Any of + - * /; × and ÷ go before + and −.", "Problem",
        parse=normalize_operators, metavar='"+-*/"',
    ),
    Setting(
        "terms", "problem", "terms", "text", "3", "Terms",
        "Numbers per expression: 3, or a range like 2-5.", "Problem",
        parse=_terms_text, metavar="N|A-B",
    ),
    Setting(
        "smallest", "problem", "smallest", "int", 1, "Smallest", "Smallest operand.", "Problem",
    ),
    Setting(
        "largest", "problem", "largest", "int", 10, "Largest", "Largest operand.", "Problem",
    ),
    Setting(
        "pad_side", "problem", "pad_side", "choice", "left", "Padding",
        "Where short strings are padded; left keeps digits right-aligned.", "Problem",
        choices={"left": "pad on the left", "right": "pad on the right"},
    ),
    Setting(
        "reverse_input", "problem", "reverse_input", "bool", False, "Reverse input",
        "Feed the expression right-to-left, least-significant digit first.", "Problem",
        check_label="right-to-left",
    ),
    Setting(
        "reverse_output", "problem", "reverse_output", "bool", False, "Reverse output",
        "Emit the answer least-significant digit first.", "Problem",
        check_label="right-to-left",
    ),
    Setting(
        "align_operands", "problem", "align_operands", "bool", False, "Align operands",
        "Pad every operand to the same width, so digit places line up as in written sums.",
        "Problem", check_label="in columns",
    ),
    # -- the model --------------------------------------------------------------------------------
    Setting(
        "arch", "model", "architecture", "choice", "seq2seq", "Architecture",
        "seq2seq is the notebook's; attention lets the decoder look back at every input.",
        "Model", choices=ARCHITECTURES,
    ),
    Setting(
        "encoder_units", "model", "encoder_units", "int", 75, "Encoder units",
        "Memory cells in each encoder LSTM.", "Model", low=1, high=MAX_UNITS,
    ),
    Setting(
        "decoder_units", "model", "decoder_units", "int", 50, "Decoder units",
        "Memory cells in each decoder LSTM.", "Model", low=1, high=MAX_UNITS,
    ),
    Setting(
        "encoder_layers", "model", "encoder_layers", "int", 1, "Encoder layers",
        "Stacked encoder LSTMs.", "Model", low=1, high=MAX_LAYERS,
    ),
    Setting(
        "decoder_layers", "model", "decoder_layers", "int", 1, "Decoder layers",
        "Stacked decoder LSTMs.", "Model", low=1, high=MAX_LAYERS,
    ),
    Setting(
        "unroll", "model", "unroll", "bool", False, "Unroll",
        "Build the LSTMs' time steps out instead of looping over them: the same model, but "
        "TensorFlow prepares it in about half the time and runs short inputs faster.",
        "Model", check_label="time steps",
        on_form=False,  # a preset's choice (notebook-perfect); the form keeps the preset's value
    ),
    # -- training ---------------------------------------------------------------------------------
    Setting(
        "samples", "training", "samples", "int", 75_000, "Samples",
        "Training samples per epoch.", "Training", low=1, high=50_000_000,
    ),
    Setting(
        "epochs", "training", "epochs", "int", 1, "Epochs",
        "Passes over the data (or over fresh data each time).", "Training", low=1, high=100_000,
    ),
    Setting(
        "batch_size", "training", "batch_size", "int", 32, "Batch size",
        "Samples per gradient step.", "Training", low=1, high=65_536,
    ),
    Setting(
        "lr", "training", "learning_rate", "float", 0.001, "Learning rate",
        "Adam's (peak) learning rate.", "Training", low=0, high=1, example="0.001",
    ),
    Setting(
        "seed", "training", "seed", "int", 1, "Seed",
        "Seeds weights, data and shuffling, so a run can be repeated.", "Training",
        low=0, high=2**32 - 1, metavar="S", grouped=False,
    ),
    Setting(
        "fresh_data", "training", "fresh_data", "bool", False, "Fresh data",
        "Draw new samples every epoch instead of reusing one training set.", "Training",
        check_label="each epoch",
    ),
    Setting(
        "schedule", "training", "schedule", "choice", "constant", "LR schedule",
        _listed(SCHEDULES), "Training", choices=SCHEDULES,
    ),
    Setting(
        "curriculum", "training", "curriculum", "choice", "none", "Curriculum",
        _listed(CURRICULA) + " (anything but none draws fresh data)", "Training",
        choices=CURRICULA,
    ),
    Setting(
        "sampling", "training", "sampling", "text", "value", "Sampling",
        _listed(SAMPLINGS) + " (anything but value also validates on length-balanced and "
        "small-operand questions)",
        "Training", parse=_sampling_text, metavar="value|length|mixed:P",
    ),
    Setting(
        "stratified", "training", "stratified", "bool", False, "Stratified",
        "When the problem has no more distinct questions than Samples, each epoch asks every "
        "one equally often, shuffled, instead of drawing at random (which leaves some rare).",
        "Training", check_label="every question equally often",
        on_form=False,  # a preset's choice (notebook-perfect); the form keeps the preset's value
    ),
    Setting(
        "focus", "training", "focus", "float", None, "Focus",
        "Share of each batch that asks again the questions the last check got wrong, when "
        "validation asks every question of the problem.",
        "Training", low=0, high=1, optional=True, off_text="none", metavar="FRACTION",
        noun="fraction", example="0.05", on_form=False,
    ),
    # -- when to stop -----------------------------------------------------------------------------
    Setting(
        "validation_samples", "training", "validation_samples", "int", 2_000, "Validation",
        "Held-out samples (their own seed) whose exact-match is scored as training goes "
        "(all questions if the problem has fewer).",
        "Stopping", low=1, high=1_000_000,
    ),
    Setting(
        "patience", "training", "patience", "int", 0, "Patience",
        "Stop after this many epochs without a better validation exact-match; 0: never.",
        "Stopping", low=0, high=100_000, empty_value=0, off_text="never",
    ),
    Setting(
        "stop_at", "training", "stop_at_exact", "float", None, "Stop at",
        "Stop once validation exact-match reaches this fraction, e.g. 1.0.",
        "Stopping", low=0, high=1, optional=True, off_text="never", metavar="FRACTION",
        noun="fraction", example="1.0",
    ),
    Setting(
        "clip_norm", "training", "clip_norm", "float", None, "Clip norm",
        "Cap on each gradient's norm, steadier at high learning rates.",
        "Stopping", low=0, high=1_000, optional=True, off_text="no cap", example="1.0",
    ),
    Setting(
        "checkpoints", "training", "checkpoints", "int", 0, "Checkpoints",
        "Extra validation checks through the run, for live plots; with a stop-at target, "
        "training can stop at one (0: epoch ends only).",
        "Stopping", low=0, high=1_000,
        on_form=False,  # the app picks its own, as many as its live plot can show
    ),
    Setting(
        "tensorboard", "run", "tensorboard_dir", "text", None, "TensorBoard",
        "A folder to write TensorBoard event files to (tensorboard --logdir FOLDER); not part "
        "of the recipe: presets leave it as it is.",
        "Stopping", parse=_folder, optional=True, off_text="none", metavar="DIR",
    ),
)  # fmt: skip
"""Every setting, in the Config form's order."""

BY_NAME = {setting.name: setting for setting in SETTINGS}
"""Every setting by its name."""

FORM_SECTIONS = ("Problem", "Model", "Training", "Stopping")
"""The form's sections, in screen order."""

FIELDS_OF_TERMS = ("min_terms", "max_terms")
"""The two `ProblemSpec` fields the one ``terms`` setting fills."""


def setting_for_field(field: str) -> Setting | None:
    """The setting that fills a record's field (``learning_rate`` → ``lr``), if any."""
    if field in FIELDS_OF_TERMS:
        return BY_NAME["terms"]
    return next((s for s in SETTINGS if s.field == field), None)


def record_changes(setting: Setting, value: Any) -> dict[str, Any]:
    """The record fields a setting's value sets (``terms`` ``"2-5"`` sets two)."""
    if setting.name == "terms":
        return dict(zip(FIELDS_OF_TERMS, parse_terms(value), strict=True))
    return {setting.field: value}


def record_value(setting: Setting, record: Any) -> Any:
    """The setting's value in a record (the inverse of `record_changes`)."""
    if setting.name == "terms":
        return record.terms_text
    return getattr(record, setting.field)


def field_types(record: Record) -> dict[str, type]:
    """Each record field a setting fills, with the JSON type ``spec.json`` must hold for it (a
    float is any number: ``1`` is a fine learning rate)."""
    types: dict[str, type] = {}
    for setting in SETTINGS:
        if setting.record == record:
            for name in record_changes(setting, setting.default):
                types[name] = _JSON_TYPES[_field_kind(setting)]
    return types


def _field_kind(setting: Setting) -> Kind:
    """The kind of the record fields a setting fills (``terms``' text fills two whole numbers)."""
    return "int" if setting.name == "terms" else setting.kind


_JSON_TYPES: dict[str, type] = {
    "int": int,
    "float": float,
    "bool": bool,
    "choice": str,
    "text": str,
}


def settings_record(record: Record, *, after: Mapping[str, str] = {}) -> Callable[[type], type]:
    """Make a class a frozen dataclass whose fields are ``record``'s settings.

    The class may declare fields of its own (e.g. `ProblemSpec`'s ``pad_char``): they go after
    the settings, or straight after the field ``after`` names for them, so positional arguments
    keep their order. Its own ``__post_init__`` runs after every setting passed `Setting.check`.
    It also gets ``to_dict``/``from_dict`` (for ``spec.json``) unless it defines its own.
    """

    def build(cls: type) -> type:
        own = inspect.get_annotations(cls)
        annotations: dict[str, Any] = {}
        mine = [s for s in SETTINGS if s.record == record]
        for setting in mine:
            for name, default in record_changes(setting, setting.default).items():
                annotation = _JSON_TYPES[_field_kind(setting)].__name__
                annotations[name] = f"{annotation} | None" if setting.optional else annotation
                setattr(cls, name, default)
                annotations.update({f: own[f] for f, before in after.items() if before == name})
        annotations.update({f: kind for f, kind in own.items() if f not in annotations})
        cls.__annotations__ = annotations
        extra_check = cls.__dict__.get("__post_init__")

        def __post_init__(self: Any) -> None:
            for setting in mine:
                if setting.name != "terms":  # min_terms/max_terms: the record checks them
                    value = setting.check(getattr(self, setting.field))
                    object.__setattr__(self, setting.field, value)  # text in canonical form
            if extra_check is not None:
                extra_check(self)

        cls.__post_init__ = __post_init__
        if "to_dict" not in cls.__dict__:
            cls.to_dict = _to_dict
        if "from_dict" not in cls.__dict__:
            cls.from_dict = classmethod(_from_dict)
        return dataclass(frozen=True)(cls)

    return build


def _to_dict(self: Any) -> dict[str, Any]:
    """Plain fields, for ``spec.json``."""
    return asdict(self)


def _from_dict(cls: type, data: Mapping[str, Any]) -> Any:
    """Rebuild from `to_dict` output, ignoring unknown (and derived) keys."""
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})
