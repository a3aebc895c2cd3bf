"""The Models panel: the saved models with their problem and scores, and what you can do with them.

The panel lists and describes; loading, saving, importing and deleting are App actions (they run
workers and open dialogs), bound here so the footer shows them while the list has focus.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, DataTable, Static

from core.percent import percent
from core.recorded import RecordedTraining
from core.run_status import RunStatus
from core.store import ModelInfo
from seq2add_tui.glyphs import GLYPHS
from seq2add_tui.widgets.focus import focus_within
from seq2add_tui.wording import counted, fit_and_total, shown_symbol

LOADED_MARK = GLYPHS.loaded


def display_path(path: Path) -> str:
    """``saved_models/tiny`` under the working directory, ``~/…`` under home, else in full."""
    path = Path(path)
    for base, prefix in ((Path.cwd(), ""), (Path.home(), "~/")):
        try:
            return prefix + str(path.resolve().relative_to(base.resolve()))
        except (ValueError, OSError):
            continue
    return str(path)


def _saved_at(created: str) -> str:
    """``2026-11-30 05:12 UTC`` from an ISO time; the text itself if it isn't one."""
    if len(created) >= 16 and created[10] == "T":
        zone = " UTC" if created.endswith(("+00:00", "Z")) else ""
        return f"{created[:10]} {created[11:16]}{zone}"
    return created or "—"


def _training_line(training: RecordedTraining) -> str:
    imported = training.imported_from
    if imported is not None:
        keras = imported.keras_version
        return f"imported from the tutorial's files (Keras {keras}): {imported.weights}"
    parts = []
    if training.samples is not None:
        parts.append(f"{training.samples:,} samples × {counted(training.epochs or 1, 'epoch')}")
    if training.batch_size is not None:
        parts.append(f"batch {training.batch_size}")
    if training.learning_rate is not None:
        parts.append(f"lr {training.learning_rate:g} {training.schedule or ''}".strip())
    if training.fit_seconds is not None:
        parts.append(fit_and_total(training.fit_seconds, training.total_seconds))
    if training.preset:
        parts.append(f"preset {training.preset}")
    if training.status is not None and training.status != RunStatus.COMPLETED:
        parts.append(training.status.words)
    return " · ".join(parts) or "—"


def describe_model(info: ModelInfo, loaded: bool) -> Table:
    """Everything spec.json says about one model, for the details pane."""
    table = Table.grid(padding=(0, 1))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    title = Text(info.name, style="bold")
    if loaded:
        title.append(f"  {LOADED_MARK} loaded", style="bold green")
    table.add_row("Model", title)
    if not info.usable or info.spec is None:
        table.add_row("Unreadable", Text(f"{info.error}.", style="red"))
        table.add_row("Folder", Text(display_path(info.path)))
        return table
    spec = info.spec
    alphabet = "".join(shown_symbol(s) for s in spec.alphabet)
    table.add_row(  # Text throughout: what spec.json says is shown literally, never as markup
        "Problem",
        Text(
            f"{spec.describe()} · alphabet {alphabet} · input {spec.input_length} · "
            f"output {spec.output_length}"
        ),
    )
    network = info.model.describe() if info.model else "imported network"
    parameters = f" · {info.parameters:,} parameters" if info.parameters else ""
    table.add_row("Network", network + parameters)
    table.add_row("Training", Text(_training_line(info.recorded_training)))
    recorded = info.scores
    if recorded.exact_match is not None:
        scores = f"exact-match {percent(recorded.exact_match)}"
        if recorded.exact_match_by_length is not None:
            scores += f" · by length {percent(recorded.exact_match_by_length)}"
        if recorded.small_operands is not None:
            scores += f" · operands ≤ 20 {percent(recorded.small_operands)}"
        if recorded.char_accuracy is not None:
            scores += f" · per char {percent(recorded.char_accuracy)}"
        if recorded.loss is not None:
            scores += f" · loss {recorded.loss:.4f}"
        if recorded.samples:
            scores += f" on {recorded.samples:,} samples"
        table.add_row("Scores", scores)
    else:
        table.add_row("Scores", Text("not recorded", style="dim"))
    table.add_row("Saved", Text(f"{_saved_at(info.created)} · {display_path(info.path)}"))
    if info.shipped:
        table.add_row("Shipped", "came with seq2add: read-only, it can't be deleted or replaced")
    return table


class ModelLibrary(Vertical):
    """The model library folder as a table, with the highlighted model's details below."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("l", "app.load_model", "Load", tooltip="Load the highlighted model", id="load"),
        Binding(
            "d,delete",
            "app.delete_model",
            "Delete",
            tooltip="Delete the highlighted model (asks first)",
            id="delete",
        ),
        # Not in the footer: at 80 columns it pushed out the "12345 Panels" hint. The Import
        # button shows its key instead, and help lists it.
        Binding(
            "i",
            "app.import_model",
            "Import",
            tooltip="Import a tutorial-made model",
            show=False,
            id="import",
        ),
        # Here the Save button shows ctrl+s instead of the footer: with Load and Delete, "^s Save"
        # pushed the "12345 Panels" hint out at 80 columns whenever a trained model was unsaved.
        # No description: help lists the key once, under the App's.
        Binding("ctrl+s", "app.save_model", "", show=False, id="library-save"),
        Binding(
            "r",
            "app.refresh_models",
            "Refresh",
            tooltip="Read the models folder again",
            show=False,
            id="refresh",
        ),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.infos: list[ModelInfo] = []
        """The models listed, in table order."""
        self.loaded_name: str | None = None
        """The library name of the current model, if it came from the library."""

    def compose(self) -> ComposeResult:
        yield Static(id="library-folder")
        yield Static(id="library-unsaved")
        table: DataTable = DataTable(id="model-table", cursor_type="row", zebra_stripes=True)
        table.tooltip = "Enter loads the model; d deletes it."
        yield table
        yield Static(id="library-empty", classes="empty-state")
        yield Static(id="model-details")
        with Horizontal(id="library-buttons"):
            yield Button(
                "Load", id="load", variant="primary", compact=True, action="app.load_model"
            )
            yield Button("Save trained… (^s)", id="save", compact=True, action="app.save_model")
            yield Button("Import… (i)", id="import", compact=True, action="app.import_model")
            yield Button(
                "Delete…", id="delete", variant="error", compact=True, action="app.delete_model"
            )

    def on_mount(self) -> None:
        table = self.query_one("#model-table", DataTable)
        table.add_column(" ", key="mark", width=1)
        table.add_column("Name", key="name")
        table.add_column("Problem", key="problem")
        table.add_column("Exact", key="exact")
        table.add_column("Saved", key="saved")
        self.query_one("#model-details").border_title = "Details"
        self.show_unsaved(None)

    @property
    def selected(self) -> ModelInfo | None:
        """The highlighted model, if any."""
        table = self.query_one("#model-table", DataTable)
        if not self.infos or table.cursor_row < 0 or table.cursor_row >= len(self.infos):
            return None
        return self.infos[table.cursor_row]

    def focus_current(self) -> None:
        """Focus the list of models."""
        focus_within(self, self.query_one("#model-table"))

    async def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        # Enter on a row loads it, as L does.
        event.stop()
        await self.run_action("app.load_model")

    def show_models(
        self, infos: list[ModelInfo], folder: Path, loaded_name: str | None, select: str | None
    ) -> None:
        """List ``infos`` from ``folder``; keep the cursor on ``select`` (or where it was)."""
        previous = self.selected
        self.infos = infos
        self.loaded_name = loaded_name
        table = self.query_one("#model-table", DataTable)
        table.clear()
        for info in infos:
            table.add_row(*self._cells(info), key=info.name)
        count = len(infos)
        shipped = sum(info.shipped for info in infos)
        where = "[b]$count[/] ($shipped shipped) · yours in" if shipped else "[b]$count[/] in"
        self.query_one("#library-folder", Static).update(
            Content.from_markup(
                where + " [dim]$folder[/]",
                count=counted(count, "model"),
                shipped=str(shipped),
                folder=display_path(folder),
            )
        )
        empty = not infos
        table.display = not empty
        self.query_one("#model-details").display = not empty
        placeholder = self.query_one("#library-empty", Static)
        placeholder.display = empty
        placeholder.update(
            "No saved models yet. Train one ([b]ctrl+t[/]) and save it ([b]ctrl+s[/]), or "
            "import a model made with the tutorial notebook ([b]i[/])."
        )
        target = select or (previous.name if previous else None) or loaded_name
        names = [info.name for info in infos]
        if target in names:
            table.move_cursor(row=names.index(target))
        self.show_details()

    def mark_loaded(self, loaded_name: str | None) -> None:
        """Move the loaded mark without reading the folder again."""
        self.loaded_name = loaded_name
        table = self.query_one("#model-table", DataTable)
        for info in self.infos:
            mark = LOADED_MARK if info.name == loaded_name else ""
            table.update_cell(info.name, "mark", Text(mark, style="bold green"))
        self.show_details()

    def select(self, name: str) -> None:
        """Put the cursor on the model ``name``, if it is listed."""
        names = [info.name for info in self.infos]
        if name in names:
            self.query_one("#model-table", DataTable).move_cursor(row=names.index(name))
            self.show_details()

    def show_unsaved(self, description: str | None) -> None:
        """Say there is a freshly trained model that isn't saved (None: there isn't)."""
        banner = self.query_one("#library-unsaved", Static)
        banner.display = description is not None
        if description:
            banner.update(
                Content.from_markup(
                    "[b $warning]Unsaved:[/] $description · [b]ctrl+s[/] saves it to the library.",
                    description=description,
                )
            )

    def show_details(self) -> None:
        info = self.selected
        details = self.query_one("#model-details", Static)
        if info is None:
            details.update("")
            return
        details.update(describe_model(info, info.name == self.loaded_name))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.show_details()

    def _cells(self, info: ModelInfo) -> list[Text | str]:
        mark = Text(LOADED_MARK if info.name == self.loaded_name else "", style="bold green")
        if not info.usable or info.spec is None:
            return [mark, Text(info.name, style="red"), Text("unreadable", style="red"), "—", "—"]
        exact = info.headline_exact
        exact_text = percent(exact) if exact is not None else "—"
        name = Text(info.name)  # a DataTable reads plain strings as markup
        saved = "shipped" if info.shipped else _saved_at(info.created)[:10]
        return [mark, name, info.spec.describe(), exact_text, saved]
