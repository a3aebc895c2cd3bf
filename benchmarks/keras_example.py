"""A faithful re-implementation of the Keras example "Sequence to sequence learning for
performing number addition" (addition_rnn), used as the baseline for the three-digit preset.

Its recipe: questions ``a+b`` with a and b of 1–3 random digits, deduplicated; the query
right-padded to 7 characters and reversed; answers right-padded to 4; alphabet sorted
(`` +0123456789``); LSTM(128) → RepeatVector(4) → LSTM(128) → Dense softmax; Adam; batch 32;
45,000 training pairs (10% of 50,000 held out for validation).
"""

from __future__ import annotations

import numpy as np

DIGITS = 3
MAXLEN = DIGITS + 1 + DIGITS
CHARS = sorted(set("0123456789+ "))
INDEX = {c: i for i, c in enumerate(CHARS)}


def encode(texts: list[str], length: int) -> np.ndarray:
    """The example's CharacterTable.encode, row by row, into a boolean array."""
    out = np.zeros((len(texts), length, len(CHARS)), dtype=bool)
    for row, text in enumerate(texts):
        for position, char in enumerate(text):
            out[row, position, INDEX[char]] = 1
    return out


def decode(rows: np.ndarray) -> list[str]:
    """The example's CharacterTable.decode (argmax), for every row."""
    return ["".join(CHARS[i] for i in row.argmax(axis=-1)) for row in rows]


def query(a: int, b: int) -> str:
    text = f"{a}+{b}"
    return (text + " " * (MAXLEN - len(text)))[::-1]  # REVERSE = True


def answer(value: int) -> str:
    text = str(value)
    return text + " " * (DIGITS + 1 - len(text))


def make_data(size: int = 50_000, seed: int = 1):
    """The example's question generator: random lengths, no repeated pair, shuffled, 10% split."""
    rng = np.random.default_rng(seed)
    questions, expected, seen = [], [], set()
    while len(questions) < size:

        def number() -> int:
            length = rng.integers(1, DIGITS + 1)
            return int("".join(rng.choice(list("0123456789")) for _ in range(length)))

        a, b = number(), number()
        key = tuple(sorted((a, b)))
        if key in seen:
            continue
        seen.add(key)
        questions.append(query(a, b))
        expected.append(answer(a + b))
    x, y = encode(questions, MAXLEN), encode(expected, DIGITS + 1)
    order = rng.permutation(len(y))
    x, y = x[order], y[order]
    split = len(x) - len(x) // 10
    return (x[:split], y[:split]), (x[split:], y[split:])


def build_model():
    import keras
    from keras import layers

    model = keras.Sequential()
    model.add(layers.Input((MAXLEN, len(CHARS))))
    model.add(layers.LSTM(128))
    model.add(layers.RepeatVector(DIGITS + 1))
    model.add(layers.LSTM(128, return_sequences=True))
    model.add(layers.Dense(len(CHARS), activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def exact_match(model, pairs: list[tuple[int, int]]) -> float:
    """Exact-match of the example's model on ``pairs``, encoded its way."""
    x = encode([query(a, b) for a, b in pairs], MAXLEN)
    predicted = decode(model.predict(x, verbose=0, batch_size=1024))
    return float(np.mean([p == answer(a + b) for p, (a, b) in zip(predicted, pairs, strict=True)]))
