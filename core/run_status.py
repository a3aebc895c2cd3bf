"""How a training run ended, with the words and the weight each screen gives it.

One enum instead of a bare string that every screen mapped to its own wording.
"""

from __future__ import annotations

from enum import StrEnum


class RunStatus(StrEnum):
    """How a training run ended; the value is what ``spec.json`` records."""

    COMPLETED = "completed"
    TARGET_REACHED = "target_reached"
    NO_IMPROVEMENT = "no_improvement"
    CANCELLED = "cancelled"
    DIVERGED = "diverged"

    @property
    def heading(self) -> str:
        """A word or two to head the run's report: ``Finished``, ``Stopped early``."""
        return _HEADINGS[self]

    @property
    def words(self) -> str:
        """The status in running text: ``target reached``."""
        return self.value.replace("_", " ")

    @property
    def severity(self) -> str:
        """``success``, ``warning`` or ``error``: how a screen should colour it."""
        if self is RunStatus.DIVERGED:
            return "error"
        if self in (RunStatus.NO_IMPROVEMENT, RunStatus.CANCELLED):
            return "warning"
        return "success"

    @property
    def notice_title(self) -> str:
        """The title of the notice that the run is over."""
        if self is RunStatus.CANCELLED:
            return "Training stopped"
        if self is RunStatus.DIVERGED:
            return "Training diverged"
        return "Training finished"

    @classmethod
    def read(cls, value: object) -> RunStatus | None:
        """The status a saved record names, or None if it names none we know."""
        try:
            return cls(value)
        except (ValueError, TypeError):
            return None


_HEADINGS = {
    RunStatus.COMPLETED: "Finished",
    RunStatus.TARGET_REACHED: "Target reached",
    RunStatus.NO_IMPROVEMENT: "Stopped early",
    RunStatus.CANCELLED: "Stopped",
    RunStatus.DIVERGED: "Diverged",
}
