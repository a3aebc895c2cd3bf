"""Model architectures: the notebook's encoder–decoder, and one with attention over the encoder.

`ModelConfig` and `parameter_count` are plain Python so the app can show a model's size as the
form changes; `build_model` imports Keras only when a model is really built.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

from core.spec import ProblemSpec, SpecError

if TYPE_CHECKING:
    import keras

ARCHITECTURES = {
    "seq2seq": "LSTM encoder → RepeatVector → LSTM decoder → Dense softmax (the notebook's)",
    "attention": "the same, plus dot-product attention from the decoder over every encoder step",
}
"""Architecture names and what they are."""

MAX_UNITS = 1024
MAX_LAYERS = 4


@dataclass(frozen=True)
class ModelConfig:
    """Which architecture, and how big. The default is the notebook's LSTM 75 → LSTM 50."""

    architecture: str = "seq2seq"
    """One of `ARCHITECTURES`."""
    encoder_units: int = 75
    """Memory cells in each encoder LSTM."""
    decoder_units: int = 50
    """Memory cells in each decoder LSTM."""
    encoder_layers: int = 1
    """Stacked encoder LSTMs."""
    decoder_layers: int = 1
    """Stacked decoder LSTMs."""

    def __post_init__(self) -> None:
        if self.architecture not in ARCHITECTURES:
            known = ", ".join(ARCHITECTURES)
            raise SpecError(
                "architecture",
                f"architecture must be one of {known}, not {self.architecture!r}.",
            )
        for name, top in (
            ("encoder_units", MAX_UNITS),
            ("decoder_units", MAX_UNITS),
            ("encoder_layers", MAX_LAYERS),
            ("decoder_layers", MAX_LAYERS),
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
                raise SpecError(name, f"{name} must be a whole number from 1 to {top}.")

    def to_dict(self) -> dict[str, Any]:
        """Plain fields, for ``spec.json``."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelConfig:
        """Rebuild from `to_dict` output, ignoring unknown keys."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def describe(self) -> str:
        """e.g. ``seq2seq LSTM 75 → 50`` or ``attention LSTM 2×128 → 128``."""

        def side(layers: int, units: int) -> str:
            return f"{layers}×{units}" if layers > 1 else str(units)

        encoder = side(self.encoder_layers, self.encoder_units)
        decoder = side(self.decoder_layers, self.decoder_units)
        return f"{self.architecture} LSTM {encoder} → {decoder}"


def _lstm_parameters(inputs: int, units: int) -> int:
    return 4 * (units * (inputs + units) + units)


def parameter_count(spec: ProblemSpec, config: ModelConfig) -> int:
    """Trainable parameters of ``build_model(spec, config)``, without importing Keras."""
    symbols = spec.alphabet_size
    total = 0
    width = symbols
    for _ in range(config.encoder_layers):
        total += _lstm_parameters(width, config.encoder_units)
        width = config.encoder_units
    for _ in range(config.decoder_layers):
        total += _lstm_parameters(width, config.decoder_units)
        width = config.decoder_units
    if config.architecture == "attention":
        total += config.encoder_units * config.decoder_units + config.decoder_units  # keys
        width = 2 * config.decoder_units  # decoder state next to its attention context
    return total + width * symbols + symbols


def build_model(spec: ProblemSpec, config: ModelConfig, seed: int | None = None) -> keras.Model:
    """A fresh, uncompiled Keras model mapping one-hot expressions to answer distributions."""
    import keras
    from keras import layers

    if seed is not None:
        keras.utils.set_random_seed(seed)
    symbols = spec.alphabet_size
    expression = keras.Input((spec.input_length, symbols), name="expression")
    attend = config.architecture == "attention"

    x = expression
    encoder_states = None
    for index in range(1, config.encoder_layers + 1):
        last = index == config.encoder_layers
        lstm = layers.LSTM(
            config.encoder_units,
            return_sequences=not last or attend,
            return_state=last and attend,
            name=f"encoder_{index}",
        )
        if last and attend:
            encoder_states, x, _ = lstm(x)
        else:
            x = lstm(x)
    x = layers.RepeatVector(spec.output_length, name="repeat")(x)
    for index in range(1, config.decoder_layers + 1):
        x = layers.LSTM(config.decoder_units, return_sequences=True, name=f"decoder_{index}")(x)
    if attend:
        keys = layers.Dense(config.decoder_units, name="attention_keys")(encoder_states)
        context = layers.Attention(name="attention")([x, keys])
        x = layers.Concatenate(name="attend")([x, context])
    answer = layers.TimeDistributed(layers.Dense(symbols, activation="softmax"), name="answer")(x)
    name = "seq2add_attention" if attend else "seq2add"
    return keras.Model(expression, answer, name=name)


def compile_model(
    model: keras.Model, learning_rate: Any = 0.001, clip_norm: float | None = None
) -> None:
    """The notebook's loss, optimizer and metric; ``learning_rate`` may be a Keras schedule,
    ``clip_norm`` caps each gradient's norm (steadier at high learning rates)."""
    import keras

    model.compile(
        loss="categorical_crossentropy",
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate, clipnorm=clip_norm),
        metrics=["accuracy"],
    )
