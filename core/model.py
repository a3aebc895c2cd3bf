"""Model architectures: the notebook's encoder–decoder, and one with attention over the encoder.

`ModelConfig` and `parameter_count` are plain Python so the app can show a model's size as the
form changes; `build_model` imports Keras only when a model is really built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.settings import ARCHITECTURES as ARCHITECTURES
from core.settings import MAX_LAYERS as MAX_LAYERS
from core.settings import MAX_UNITS as MAX_UNITS
from core.settings import settings_record
from core.spec import ProblemSpec

if TYPE_CHECKING:
    import keras


@settings_record("model")
class ModelConfig:
    """Which architecture, and how big. The default is the notebook's LSTM 75 → LSTM 50.

    Its fields, their defaults and their checks are the 'model' settings of
    `core.settings.SETTINGS`; see that table for what each means.
    """

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
            unroll=config.unroll,
            name=f"encoder_{index}",
        )
        if last and attend:
            encoder_states, x, _ = lstm(x)
        else:
            x = lstm(x)
    x = layers.RepeatVector(spec.output_length, name="repeat")(x)
    for index in range(1, config.decoder_layers + 1):
        x = layers.LSTM(
            config.decoder_units,
            return_sequences=True,
            unroll=config.unroll,
            name=f"decoder_{index}",
        )(x)
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
