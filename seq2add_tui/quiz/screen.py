"""The quiz app's screen, made cheap to repaint: a served room runs one per player on two cores.

Two things Textual's own screen does on every answer cost a served session more than the quiz
itself (measured with a profiler inside ``seq2add serve`` sessions):

- moving the focus repaints the whole screen, and the quiz moves it twice per answer (answer box →
  reveal → answer box): two full-screen renders that are then sent to the browser;
- a partial repaint (the countdown's one line, a keystroke in the answer box) renders every widget
  whose *container* touches the changed lines, all of its lines, and then keeps only the changed
  ones: the header, the round's status line and every part of the question, once a second.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual._compositor import Compositor
from textual.geometry import Region
from textual.reactive import Reactive
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget


class LineCroppingCompositor(Compositor):
    """Renders, for a partial update, only the widgets on the changed lines, and only those lines.

    What reaches the terminal is the same: Textual composes an update from the changed lines
    alone (`ChopsUpdate`), and every widget covering them is still rendered across its whole
    visible width, so each fragment of a line comes from the same widget as before.

    Nor does it render a widget's lines that one widget in front of it covers from edge to edge
    (a container behind the screen it holds), or across every column being updated: Textual
    renders them and then throws every cell away: half the lines rendered per answer (276 -> 139
    in a headless replay of answers).
    """

    def _get_renders(
        self, crop: Region | None = None
    ) -> Iterable[tuple[Region, Region, list[Strip]]]:
        if crop is None:
            yield from super()._get_renders(crop)
            return
        top, bottom, left, right = crop.y, crop.bottom, crop.x, crop.right
        covered: dict[int, list[tuple[int, int]]] = {}  # line -> spans drawn by widgets in front
        for widget, (region, clip) in self.visible_widgets.items():  # front to back
            x, y, width, height = region.intersection(clip)
            first, last = max(y, top), min(y + height, bottom)
            if last <= first or x >= right or x + width <= left:
                continue
            end = x + width
            # Only the columns being updated matter: the countdown, a cell short of the panel's
            # edges, hides the panel behind it as far as its own repaint goes.
            seen_from, seen_to = max(x, left), min(end, right)
            shown = []  # lines not hidden behind one widget in front: the rest never shows
            for line in range(first, last):
                spans = covered.setdefault(line, [])
                if not any(a <= seen_from and seen_to <= b for a, b in spans):
                    spans.append((x, end))
                    shown.append(line)
            for run_first, run_end in _runs(shown):
                yield (
                    region,
                    Region(x, run_first, width, run_end - run_first),  # as the clip: lines drawn
                    widget.render_lines(
                        Region(x - region.x, run_first - region.y, width, run_end - run_first)
                    ),
                )


def _runs(lines: list[int]) -> Iterable[tuple[int, int]]:
    """Consecutive ``lines`` as (first, end) pairs, ``end`` excluded."""
    start = previous = None
    for line in lines:
        if previous is not None and line == previous + 1:
            previous = line
            continue
        if start is not None and previous is not None:
            yield start, previous + 1
        start = previous = line
    if start is not None and previous is not None:
        yield start, previous + 1


class QuizScreen(Screen[None]):
    """The quiz's screen: repaints what changed, and no more."""

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    """As Textual's, without the whole-screen repaint: the two widgets whose focus changed
    restyle and repaint themselves."""

    def __init__(self, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self._compositor = LineCroppingCompositor()
