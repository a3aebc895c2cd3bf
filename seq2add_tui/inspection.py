"""Rich renderings of what the probe and the accuracy map found, shared by the CLI and the app.

Nothing is told by colour alone: attention weights and map cells are drawn with a shade ramp
(more ink, more weight or more right) and coloured on top, with a palette per theme so blocks read
on light and dark backgrounds alike.
"""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from core.accuracy_map import AccuracyMap
from core.percent import BRIEF, ROUGH, percent
from core.probe import NO_ATTENTION_NOTE, ProbeResult
from seq2add_tui.glyphs import GLYPHS

SHADES = " ·░▒▓█"
"""From no weight to all of it: the ink says how much, whatever the colours."""

DARK_RAMP = ("#3a4256", "#4a6a9a", "#3f8fbf", "#5cbf9a", "#d9d45a", "#ffe14d")
"""Weight colours on a dark background: dim to bright."""

LIGHT_RAMP = ("#c9d2de", "#8fb0da", "#5b86c8", "#3a62a8", "#234a8a", "#0b2d6b")
"""Weight colours on a light background: pale to deep."""

PAD_GLYPH = "·"
"""How padding is shown in the character labels."""


def shade_index(weight: float) -> int:
    """The `SHADES` step for a weight in 0–1 (anything visible gets at least a dot)."""
    if weight < 0.02:
        return 0
    return min(len(SHADES) - 1, 1 + int(weight * (len(SHADES) - 1)))


def shade(weight: float, *, dark: bool = True, width: int = 2) -> Text:
    """One heatmap cell: the ramp's glyph, coloured, ``width`` characters wide."""
    step = shade_index(weight)
    colour = (DARK_RAMP if dark else LIGHT_RAMP)[step]
    return Text(SHADES[step] * width, style=colour)


def _label(char: str, pad_char: str) -> str:
    return PAD_GLYPH if char == pad_char else char


def verdict(result: ProbeResult) -> Text:
    """``4+9+9 = 22 ✓`` or ``4+9+9 = 21 ✗ (truth 22)``."""
    mark = (GLYPHS.right, "bold green") if result.correct else (GLYPHS.wrong, "bold red")
    text = Text.assemble(
        (result.expression, "bold"), " = ", (result.answer or "(nothing)", "bold"), " ", mark
    )
    if not result.correct:
        text.append(f"  truth {result.truth}")
    return text


def alternatives_table(result: ProbeResult) -> Table:
    """One column per answer character: the model's top choices, best first, with their
    probabilities in percent."""
    table = Table(box=None, padding=(0, 1), pad_edge=False, show_edge=False)
    table.add_column("%", style="dim", no_wrap=True, header_style="dim")
    pad = result.pad_char
    for position, char in enumerate(result.answer_characters, start=1):
        table.add_column(
            f"{position}:{_label(char, pad)}", justify="left", no_wrap=True, header_style="bold"
        )
    ranks = ("1st", "2nd", "3rd", "4th", "5th")
    for rank in range(len(result.alternatives[0]) if result.alternatives else 0):
        cells = []
        for choices in result.alternatives:
            choice = choices[rank]
            style = "bold" if rank == 0 else "dim" if choice.probability < 0.01 else ""
            # Percent without the sign (the heading says %): ten characters fit in 80 columns.
            whole = round(choice.probability * 100)
            cells.append(Text(f"{_label(choice.symbol, pad)} {whole:>3}", style))
        table.add_row(ranks[rank], *cells)
    return table


def attention_heatmap(result: ProbeResult, *, dark: bool = True, cell: int = 2) -> Text:
    """Answer characters (rows) × input characters (columns), one shaded block per weight.

    Each row also names the input character read from most, so the map reads without the shades.
    """
    if result.attention is None:
        return Text(NO_ATTENTION_NOTE, style="italic")
    pad = result.pad_char
    text = Text()
    text.append("      ")
    for char in result.input_characters:
        text.append(_label(char, pad).ljust(cell), style="bold")
    text.append("\n")
    for row, weights in enumerate(result.attention):
        answer_char = _label(result.answer_characters[row], pad)
        text.append(f"{row + 1:>2} {answer_char}  ", style="bold")
        for weight in weights:
            text.append_text(shade(weight, dark=dark, width=cell))
        strongest = result.strongest_inputs(row)[0]
        text.append(
            f" {_label(result.input_characters[strongest], pad)}@{strongest + 1}"
            f" {percent(weights[strongest], ROUGH)}",
            style="dim",
        )
        text.append("\n")
    text.append(legend(dark=dark))
    return text


def legend(*, dark: bool = True) -> Text:
    """What the shades mean."""
    text = Text("      ")
    for step, label in ((1, "<20%"), (2, "20%"), (3, "40%"), (4, "60%"), (5, "80%+")):
        text.append_text(shade((step - 0.5) / (len(SHADES) - 1), dark=dark, width=1))
        text.append(f" {label}  ", style="dim")
    return text


def confidence_strip(result: ProbeResult) -> Text:
    """Per-position confidence, for a model without attention (or beside one that has it)."""
    text = Text()
    for position, (char, sure) in enumerate(
        zip(result.answer_characters, result.confidence, strict=True), start=1
    ):
        style = "green" if sure >= 0.9 else "yellow" if sure >= 0.6 else "red"
        text.append(f"{position}:{_label(char, result.pad_char)} ", style="bold")
        text.append(percent(sure, ROUGH), style=style)
        text.append("   ")
    return text


def probe_renderable(result: ProbeResult, *, dark: bool = True) -> Group:
    """Everything about one expression: verdict, top alternatives, attention or confidence."""
    parts: list = [verdict(result), Text(), alternatives_table(result), Text()]
    if result.has_attention:
        parts.append(Text("Where each answer character looked (input →)", style="bold"))
        parts.append(attention_heatmap(result, dark=dark))
    else:
        parts.append(Text(NO_ATTENTION_NOTE, style="italic"))
        parts.append(confidence_strip(result))
    return Group(*parts)


# -- the accuracy map ------------------------------------------------------------------------------

MAP_STEPS = ((1.0, "█", "green"), (0.99, "▓", "green"), (0.9, "▒", "yellow"), (0.5, "░", "red"))
"""(lowest exact-match, glyph, colour) of each map shade; below the last: ``·`` in red."""


def map_glyph(correct: int, total: int) -> tuple[str, str]:
    """(glyph, style) of one map cell: solid when all right, fading as mistakes grow."""
    if not total:
        return " ", ""
    fraction = correct / total
    for floor, glyph, colour in MAP_STEPS:
        if fraction >= floor:
            return glyph, colour
    return "·", "bold red"


def _short(label: str) -> str:
    """``3 digits`` → ``3d``; values stay as they are."""
    return label.split()[0] + "d" if "digit" in label else label


def accuracy_grid(result: AccuracyMap) -> Text:
    """The map as rows of shaded cells, with axis labels and a legend."""
    columns = [_short(label) for label in result.columns.labels]
    width = max(2, *(len(label) for label in columns)) + 1
    row_labels = [label for label in result.rows.labels]
    margin = max(len(label) for label in row_labels) + 1
    text = Text()
    text.append(f"{result.rows.name} ↓  {result.columns.name} →\n", style="dim")
    text.append(" " * margin)
    for label in columns:
        text.append(label.rjust(width), style="bold")
    text.append("\n")
    for row, label in enumerate(row_labels):
        text.append(label.ljust(margin), style="bold")
        for column in range(len(columns)):
            cell = result.cell(row, column)
            glyph, style = map_glyph(cell.correct, cell.total)
            text.append(" " + glyph * (width - 1), style=style)
        text.append("\n")
    text.append("█ 100%  ▓ ≥99%  ▒ ≥90%  ░ ≥50%  · <50%  blank: no questions", style="dim")
    return text


def worst_cells_text(result: AccuracyMap, count: int = 5) -> Text:
    """The worst cells, one line each, with a question to probe."""
    worst = result.worst(count)
    if not worst:
        return Text(f"No mistakes in {result.samples:,} questions.", style="green")
    text = Text()
    for cell in worst:
        text.append(
            f"{percent(cell.accuracy, BRIEF, 6)} ",
            style="bold red" if cell.accuracy < 0.9 else "yellow",
        )
        text.append(f"{cell.label}  ")
        text.append(f"{cell.correct:,}/{cell.total:,}  e.g. {cell.example}\n", style="dim")
    return text


def map_summary(result: AccuracyMap) -> str:
    """One line: how many questions (all of them, or spread over the cells) and how many right."""
    share = result.correct / result.samples if result.samples else 0.0
    asked = (
        f"all {result.samples:,} questions"
        if result.exhaustive
        else f"{result.samples:,} questions"
    )
    return f"{asked}: {percent(share)} right"
