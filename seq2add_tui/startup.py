"""What both apps do once they are up."""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Keep the garbage collector off everything made at start-up.

    Textual, numpy, h5py and the model make a few hundred thousand objects that live as long as
    the app. Python's full collections walked them all, pausing the app 40–50 ms every few
    answers (measured under ``seq2add serve``: the slowest reveals were exactly those); frozen,
    a full collection takes about 5 ms.
    """
    gc.collect()
    gc.freeze()
