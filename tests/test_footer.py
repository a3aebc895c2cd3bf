"""The app's footer: one rebuild for a burst of binding changes, and still every change shown."""

from __future__ import annotations

from typing import ClassVar

from conftest import pilot_test
from test_app import screen_text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType

from seq2add_tui.widgets.footer import Footer


class Keys(App[None]):
    """A footer and one key that comes and goes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x", "extra", "Extra key"),
        Binding("y", "other", "Other key"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.extra_shown = False
        self.rebuilds = 0

    def compose(self) -> ComposeResult:
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.extra_shown if action == "extra" else True


@pilot_test
async def test_a_burst_of_binding_changes_rebuilds_the_footer_once_and_shows_the_last_state():
    app = Keys()
    async with app.run_test(size=(60, 3)) as pilot:
        await pilot.pause()
        footer = app.query_one(Footer)
        recompose = footer.recompose

        async def counted() -> None:
            app.rebuilds += 1
            await recompose()

        footer.recompose = counted
        assert "Extra key" not in screen_text(app)
        app.extra_shown = True
        for _ in range(4):  # as a state switch, a focus move and the App's own ask in a row
            app.refresh_bindings()
        for _ in range(3):
            await pilot.pause()
        assert app.rebuilds == 1
        assert "Extra key" in screen_text(app) and "Other key" in screen_text(app)
        app.extra_shown = False  # a later change is a burst of its own
        app.refresh_bindings()
        for _ in range(3):
            await pilot.pause()
        assert app.rebuilds == 2
        assert "Extra key" not in screen_text(app)
