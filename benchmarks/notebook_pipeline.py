"""A faithful re-implementation of the tutorial notebook's data pipeline, as the baseline.

Python lists, per-character loops and ``numpy.array`` at the end, exactly as the notebook does it,
so benchmarks compare against what people actually run.
"""

from __future__ import annotations

from math import ceil, log10
from random import randint

from numpy import array

ALPHABET = [str(x) for x in range(10)] + ["+", " "]


def random_sum_pairs(n_examples, n_numbers, largest):
    inputs, sums = [], []
    for _ in range(n_examples):
        pattern = [randint(1, largest) for _ in range(n_numbers)]
        inputs.append(pattern)
        sums.append(sum(pattern))
    return inputs, sums


def to_string(inputs, sums, n_numbers, largest):
    width = n_numbers * ceil(log10(largest + 1)) + n_numbers - 1
    texts = []
    for pattern in inputs:
        text = "+".join([str(n) for n in pattern])
        texts.append("".join([" " for _ in range(width - len(text))]) + text)
    width = ceil(log10(n_numbers * (largest + 1)))
    answers = []
    for value in sums:
        text = str(value)
        answers.append("".join([" " for _ in range(width - len(text))]) + text)
    return texts, answers


def integer_encode(texts, answers, alphabet):
    char_to_int = {c: i for i, c in enumerate(alphabet)}
    encoded_in = [[char_to_int[char] for char in text] for text in texts]
    encoded_out = [[char_to_int[char] for char in text] for text in answers]
    return encoded_in, encoded_out


def _one_hot_rows(sequences, size):
    encoded = []
    for sequence in sequences:
        pattern = []
        for index in sequence:
            vector = [0 for _ in range(size)]
            vector[index] = 1
            pattern.append(vector)
        encoded.append(pattern)
    return encoded


def one_hot_encode(encoded_in, encoded_out, size):
    return _one_hot_rows(encoded_in, size), _one_hot_rows(encoded_out, size)


def generate_data(n_samples, n_numbers=3, largest=10, alphabet=ALPHABET):
    """The notebook's ``generate_data``: one-hot X and y as numpy arrays."""
    inputs, sums = random_sum_pairs(n_samples, n_numbers, largest)
    texts, answers = to_string(inputs, sums, n_numbers, largest)
    encoded_in, encoded_out = integer_encode(texts, answers, alphabet)
    x, y = one_hot_encode(encoded_in, encoded_out, len(alphabet))
    return array(x), array(y)


def invert(sequence, alphabet=ALPHABET):
    """The notebook's ``invert``: one one-hot/probability sequence back to a string."""
    int_to_char = dict(enumerate(alphabet))
    return "".join(int_to_char[int(row.argmax())] for row in sequence)
