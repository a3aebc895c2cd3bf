"""How a panel takes the keyboard when it is shown: its own first control, chosen by the panel."""

from __future__ import annotations

from textual.widget import Widget


def focus_within(container: Widget, preferred: Widget | None = None) -> None:
    """Focus ``preferred`` if it can take the focus (a disabled button can't), else the first
    control inside ``container``."""
    if preferred is not None and preferred.focusable:
        preferred.focus()
        return
    for widget in container.screen.focus_chain:
        if container in widget.ancestors:
            widget.focus()
            return
