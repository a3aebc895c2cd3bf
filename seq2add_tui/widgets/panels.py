"""The app's panels as tabs (keys 1–5), switched only by the person or the App."""

from __future__ import annotations

from textual import on
from textual.widgets import TabbedContent, TabPane, Tabs


class Panels(TabbedContent):
    """The panels as tabs, which only the user (or the App) switches.

    TabbedContent reveals the pane of any widget that is focused from code; a panel reacting to
    a new model in the background (the quiz focusing its Start button) would snatch the screen.
    Here a hidden pane's widget that takes the focus hands it back to the visible panel.
    """

    @on(TabPane.Focused)
    def _keep_the_visible_panel(self, event: TabPane.Focused) -> None:
        if event.tab_pane.id == self.active:
            return  # TabbedContent's own handler has nothing to switch
        event.stop()
        # Decorated handlers run first; this stops TabbedContent's from switching the tab.
        event.prevent_default()
        # The App knows which control each panel starts with (`Seq2AddApp.focus_panel`).
        focus_panel = getattr(self.app, "focus_panel", None)
        if focus_panel is not None:
            self.app.call_later(focus_panel, self.active)

    def focus_tabs(self) -> None:
        """Put the focus on the tab bar, where 1–5 switch panels."""
        self.query_one(Tabs).focus()
