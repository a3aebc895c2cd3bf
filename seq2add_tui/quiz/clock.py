"""Time on a question as the player saw it: the clock stops while the question is out of sight.

In the main app the quiz is one tab of several, and a dialog (help, a confirmation) can cover
it; neither should cost the player time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

Clock = Callable[[], float]
"""Seconds from an arbitrary start (``time.monotonic``; tests inject one they move by hand)."""


class QuestionClock:
    """Seconds the current question has been in sight."""

    def __init__(self, now: Clock) -> None:
        self.now = now
        self._asked_at = 0.0
        self._hidden_at: float | None = None
        """When the clock stopped, while the question is out of sight."""
        self._out_of_sight: set[str] = set()
        """Why the question can't be seen: ``hidden`` (another tab), ``covered`` (a dialog)."""

    def start(self) -> None:
        """A question was just asked."""
        self._asked_at = self.now()
        self._hidden_at = self._asked_at if self._out_of_sight else None

    @property
    def running(self) -> bool:
        """Whether the question is in sight, so time counts."""
        return self._hidden_at is None

    def elapsed_s(self) -> float:
        """Seconds the current question has been in sight."""
        return max(0.0, self.now() - self._asked_at)

    def lose_sight(self, reason: str, *, asking: bool) -> None:
        """The quiz went out of sight for ``reason``; ``asking`` if a question is showing."""
        if not self._out_of_sight and asking:
            self._hidden_at = self.now()
        self._out_of_sight.add(reason)

    def regain_sight(self, reason: str) -> None:
        """``reason`` no longer hides the quiz; once nothing does, time counts again."""
        self._out_of_sight.discard(reason)
        if not self._out_of_sight and self._hidden_at is not None:
            self._asked_at += self.now() - self._hidden_at
            self._hidden_at = None


class Ticker:
    """Calls ``tick`` every ``interval_s`` seconds while resumed, from asyncio's own timers.

    Textual's `set_interval` runs each tick through a task, an event and its callback machinery:
    about 0.2 ms a tick, a millisecond a second in every session a room's server runs while its
    player thinks. A loop callback costs a small fraction of that.
    """

    def __init__(self, interval_s: float, tick: Callable[[], None]) -> None:
        self.interval_s = interval_s
        self._tick = tick
        self._handle: asyncio.TimerHandle | None = None

    def resume(self) -> None:
        """Tick every ``interval_s`` from now on (no-op if already ticking)."""
        if self._handle is None:
            self._schedule()

    def pause(self) -> None:
        """No more ticks until `resume`."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _schedule(self) -> None:
        self._handle = asyncio.get_running_loop().call_later(self.interval_s, self._run)

    def _run(self) -> None:
        self._schedule()  # first: the tick may pause it
        self._tick()
