"""The help screen: what each panel is for and every key, read from the bindings themselves."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

MOVING_AROUND = (
    ("tab / shift+tab", "next / previous control"),
    ("escape", "leave a text field, so single keys (1–5, l, d …) work"),
    ("enter", "next field in a form; load the highlighted model in Models"),
    ("ctrl+p", "command palette: every action by name, themes too"),
)


class HelpScreen(ModalScreen[None]):
    """Keys and panels at a glance."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q,question_mark", "close", "Close", tooltip="Close help", id="close")
    ]

    def __init__(
        self,
        sections: Iterable[tuple[str, Iterable[Binding]]],
        panels: Iterable[tuple[str, str]] = (),
        note: str = "",
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.note = note
        """What waits while help is open (the quiz's clock), said first, or ""."""
        self.panels = list(panels)
        """(tab title, what the panel is for) of each panel, in tab order."""
        self.sections = [(title, list(bindings)) for title, bindings in sections]
        """(title, bindings) groups to list, e.g. the App's and the Models panel's."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog -wide", id="help") as dialog:
            dialog.border_title = "seq2add · help"
            dialog.border_subtitle = "escape closes"
            yield Static(self._content())

    def _content(self) -> Group:
        intro = Text.assemble(
            ("seq2add", "bold"),
            " teaches an LSTM arithmetic from strings, shows how well it learned, "
            "and lets you race it. The model in the header is the current one.",
        )
        parts: list = [intro, Text()]
        if self.note:
            parts.extend([Text(self.note, style="bold"), Text()])
        parts.append(self._table("Panels", self.panels))
        for title, bindings in self.sections:
            parts.extend([Text(), self._table(title, self._rows(bindings))])
        parts.extend([Text(), self._table("Moving around", MOVING_AROUND)])
        return Group(*parts)

    def _rows(self, bindings: list[Binding]) -> list[tuple[str, str]]:
        """One row per binding; the bindings of a group (the panel keys) share one row."""
        order: list[Binding | Binding.Group] = []
        members: dict[Binding.Group, list[Binding]] = {}
        for binding in bindings:
            if not binding.description:
                continue
            if binding.group is None:
                order.append(binding)
                continue
            if binding.group not in members:
                members[binding.group] = []
                order.append(binding.group)
            members[binding.group].append(binding)
        rows = []
        for item in order:
            if isinstance(item, Binding):
                rows.append((self.app.get_key_display(item), item.tooltip or item.description))
            else:
                group = members[item]
                keys = " ".join(self.app.get_key_display(binding) for binding in group)
                names = ", ".join(binding.description for binding in group)
                rows.append((keys, f"{item.description}: {names}"))
        return rows

    @staticmethod
    def _table(title: str, rows: Iterable[tuple[str, str]]) -> Table:
        table = Table(
            title=title, title_justify="left", title_style="bold", show_header=False, box=None
        )
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for key, text in rows:
            table.add_row(key, text)
        return table

    def action_close(self) -> None:
        self.dismiss(None)
