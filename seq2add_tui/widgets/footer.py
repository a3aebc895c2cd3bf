"""Textual's footer, rebuilt at most once per frame however often the keys change."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    """Textual's `Footer`, rebuilding its keys once for a burst of binding changes.

    Textual rebuilds every key of the footer (new widgets, each restyled) once per
    ``refresh_bindings``, and one step in the app asks several times in a row: a panel switching
    state, the focus moving, the App's own bindings. At start-up that was six rebuilds of about
    20 ms each between the first paint and the quiz being playable.
    """

    _rebuild_queued = False

    def bindings_changed(self, screen: Screen) -> None:
        if not self._rebuild_queued:
            self._rebuild_queued = True
            self.call_after_refresh(self._rebuild, screen)

    def _rebuild(self, screen: Screen) -> None:
        self._rebuild_queued = False  # a change from here on asks for a rebuild of its own
        super().bindings_changed(screen)
