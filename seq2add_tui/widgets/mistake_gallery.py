"""The mistake gallery: the wrong answers a map found, grouped by what they share (operand
lengths, carries, operators); choosing one opens it in the probe."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from core.mistakes import Mistake, group_mistakes
from core.percent import ROUGH, percent
from seq2add_tui.glyphs import GLYPHS
from seq2add_tui.widgets.probe import ProbeRequest

SHOWN_PER_GROUP = 6
"""Mistakes listed under each group heading (the heading counts them all)."""


class MistakeGallery(Vertical):
    """Groups of wrong answers, largest group first, most confidently wrong first."""

    DEFAULT_CSS = """
    MistakeGallery {
        height: 1fr;
    }
    MistakeGallery #gallery-summary {
        height: auto;
    }
    MistakeGallery #gallery-list {
        height: 1fr;
        border: round $primary 60%;
        border-title-color: $primary;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="gallery-summary")
        yield OptionList(id="gallery-list")

    def on_mount(self) -> None:
        self.query_one("#gallery-list").border_title = "Mistakes (Enter: open in the probe)"
        self.show(None)

    def show(
        self, mistakes: tuple[Mistake, ...] | None, samples: int = 0, wrong: int | None = None
    ) -> None:
        """List ``mistakes`` (None: nothing mapped yet) found in ``samples`` questions, of
        ``wrong`` wrong answers in all (the map keeps only the first few hundred)."""
        summary = self.query_one("#gallery-summary", Static)
        options = self.query_one("#gallery-list", OptionList)
        options.clear_options()
        if mistakes is None:
            summary.update(
                Text("Map the model (Accuracy map tab) to collect its mistakes here.", "dim")
            )
            return
        if not mistakes:
            summary.update(Text(f"No mistakes in {samples:,} questions.", "green"))
            return
        groups = group_mistakes(mistakes)
        wrong = len(mistakes) if wrong is None else wrong
        kept = f"the first {len(mistakes):,} of " if wrong > len(mistakes) else ""
        summary.update(
            f"{kept}{wrong:,} wrong answers in {samples:,} questions, "
            f"in {len(groups)} group{'s' if len(groups) > 1 else ''}:"
        )
        shown: set[str] = set()
        for group in groups:
            heading = Text.assemble(
                (group.label, "bold"), (f"  {len(group.mistakes)} wrong", "dim")
            )
            options.add_option(Option(heading, disabled=True))
            for mistake in group.mistakes[:SHOWN_PER_GROUP]:
                if mistake.expression in shown:  # the same question drawn twice
                    continue
                shown.add(mistake.expression)
                options.add_option(
                    Option(self._line(mistake), id=f"{group.label}|{mistake.expression}")
                )
        options.highlighted = 1  # the first mistake (0 is its group's heading)

    @staticmethod
    def _line(mistake: Mistake) -> Text:
        return Text.assemble(
            f"  {GLYPHS.wrong} ",
            (mistake.expression, "bold"),
            " = ",
            (mistake.answer or "(nothing)", "red"),
            f"  truth {mistake.truth}",
            (f"  sure {percent(mistake.confidence, ROUGH)}", "dim"),
        )

    @on(OptionList.OptionSelected, "#gallery-list")
    def _open(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(ProbeRequest(event.option.id.rsplit("|", 1)[1]))
