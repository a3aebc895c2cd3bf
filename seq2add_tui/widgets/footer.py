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
        if self._rebuild_queued:
            return  # the rebuild queued reads the bindings as they are when it runs
        super().bindings_changed(screen)  # Textual queues the rebuild for after the next refresh
        self._rebuild_queued = True
        # If Textual queued none (another screen, the terminal unfocused), don't wait for it.
        self.call_after_refresh(self._forget_queued_rebuild)

    def _forget_queued_rebuild(self) -> None:
        self._rebuild_queued = False

    async def recompose(self) -> None:
        self._rebuild_queued = False  # a change from here on queues a rebuild of its own
        await super().recompose()
