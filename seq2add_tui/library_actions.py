"""The app's model library actions: load, save, delete, import, refresh, and copy a model's
settings back into the Config form.

A mixin of the App: loading, saving and importing run in threads and report with messages; the
Models panel only shows the library and asks for these through its bindings and buttons.
`core.store` and the other modules that import numpy are imported where they are used: not before
the first paint.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual import work
from textual.worker import get_current_worker

from core.history import HISTORY_FILE
from core.model import ModelConfig
from core.spec import SpecError
from seq2add_tui.messages import LibraryChanged, ModelLoaded, ModelSaved, TrainingUpdate
from seq2add_tui.wording import FRESH_NAME, fresh_description

if TYPE_CHECKING:
    from core.run import FreshModel
    from core.store import ModelInfo
    from seq2add_tui.screens.dialogs import ImportRequest


class LibraryActions:
    """Mixed into `Seq2AddApp`: what the App does with the model library."""

    def action_refresh_models(
        self, select: str | None = None, infos: list[ModelInfo] | None = None
    ) -> None:
        """Show the library; ``infos`` is a listing just read (at start-up), else it is read."""
        if infos is None:
            from core.store import list_library

            infos = list_library(self.models_dir)
        self.library.show_models(infos, self.models_dir, self.loaded_name, select)
        self.training_panel.history_bar.set_saved_runs(
            {info.name: info.path for info in infos if (info.path / HISTORY_FILE).is_file()}
        )

    def on_library_changed(self, message: LibraryChanged) -> None:
        self.action_refresh_models(message.select)
        if message.note:
            self.notify(message.note)

    def _selected_model(self, verb: str) -> ModelInfo | None:
        info = self.library.selected
        if info is None:
            self.notify(f"There is no model to {verb}; the library is empty.", title="No model")
        return info

    def action_load_model(self) -> None:
        info = self._selected_model("load")
        if info is None:
            return
        if not info.usable:
            self.notify(
                f"Model {info.name!r} can't be loaded: {info.error}.",
                title="Unreadable model",
                severity="error",
            )
            return
        self.load_model(info.name)

    @work(thread=True, exclusive=True, exit_on_error=False, group="loading", description="Loading")
    def load_model(self, name: str, announce: bool = True) -> None:
        """Read a library model into a numpy predictor (no TensorFlow: a tenth of a second)."""
        from core.store import load_predictor

        predictor = load_predictor(name, self.models_dir)
        if not get_current_worker().is_cancelled:  # another model was chosen meanwhile
            self.post_message(ModelLoaded(predictor, announce))

    def on_model_loaded(self, message: ModelLoaded) -> None:
        predictor = message.predictor
        self.set_current(predictor, predictor.name)
        if self._panels_built.is_set():  # else they are built with it selected
            self.library.select(predictor.name)
        if message.announce:
            self.notify(
                f"{predictor.name} ({predictor.spec.describe()}) is the current model and the "
                "quiz's opponent.",
                title="Model loaded",
            )

    def action_save_model(self) -> None:
        if self.training:
            self.notify("Wait for training to finish, or stop it, before saving.")
            return
        fresh = self._unsaved()
        if fresh is None:
            self.notify("There is no new model to save; train one first (ctrl+t).", title="Save")
            return
        from core.store import list_library

        existing = {info.name for info in list_library(self.models_dir)}
        base = "custom" if fresh.settings.edited else fresh.settings.preset
        number = 1
        while f"{base}-{number}" in existing:
            number += 1
        self._ask_name(fresh, existing, f"{base}-{number}")

    def _ask_name(self, fresh: FreshModel, existing: set[str], suggestion: str) -> None:
        from seq2add_tui.screens.dialogs import SaveModelDialog

        self.push_screen(
            SaveModelDialog(suggestion, existing, fresh_description(fresh)),
            partial(self._save_named, fresh, existing),
        )

    def _save_named(self, fresh: FreshModel, existing: set[str], name: str | None) -> None:
        if name is None:
            return
        if name not in existing:
            self.save_fresh_model(fresh, name, overwrite=False)
            return

        def replace_or_rename(yes: bool | None) -> None:
            if yes:
                self.save_fresh_model(fresh, name, overwrite=True)
            else:  # back to the name, to choose another
                self._ask_name(fresh, existing, name)

        from seq2add_tui.screens.dialogs import ConfirmDialog

        self.push_screen(
            ConfirmDialog(
                "Replace a model?",
                f"A model named {name!r} is already in the library. Replace it with the one "
                "you just trained?",
                confirm="Replace",
            ),
            replace_or_rename,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="saving", description="Saving")
    def save_fresh_model(self, fresh: FreshModel, name: str, overwrite: bool) -> None:
        """Save atomically, then load the saved files back (the current model, if it was)."""
        from core.store import load_predictor, save_model
        from core.train import saving_phase

        settings = fresh.settings
        self.post_message(TrainingUpdate(saving_phase(name)))
        save_model(
            fresh.run.model,
            settings.spec,
            name,
            root=self.models_dir,
            model_config=settings.model,
            training={
                **fresh.run.summary(),
                "preset": None if settings.edited else settings.preset,
            },
            metrics=fresh.evaluation.summary(),
            overwrite=overwrite,
            history=fresh.run.points,
        )
        self.post_message(ModelSaved(fresh, load_predictor(name, self.models_dir)))

    def on_model_saved(self, message: ModelSaved) -> None:
        name = message.predictor.name
        message.fresh.saved_as = name
        self.library.show_unsaved(None)
        self.action_refresh_models(select=name)
        note = f"Saved as {name} in {self.models_dir}."
        self.training_panel.show_saved(name)
        self.evaluation_panel.rename(FRESH_NAME, name)
        if self.current is message.fresh.predictor:
            self.set_current(message.predictor, name)  # the same model, now with a name
        elif self.current is not None:  # loaded since: it stays current, and the opponent
            note += f" {self.current_title()} stays the current model."
        self.notify(note, title="Model saved")

    def action_delete_model(self) -> None:
        info = self._selected_model("delete")
        if info is None:
            return
        if info.shipped:
            self.notify(
                f"{info.name} came with seq2add and can't be deleted.", title="Could not delete"
            )
            return
        # A toast from a moment ago (a model loaded, saved) would cover the question and its
        # buttons for seconds at 80×24; the question is what matters now.
        self.clear_notifications()
        from seq2add_tui.screens.dialogs import ConfirmDialog

        self.push_screen(
            ConfirmDialog(
                "Delete a model?",
                f"Delete {info.name!r}? Its folder {info.path} is removed; this can't be undone.",
                confirm="Delete",
            ),
            lambda yes: self._delete(info.name) if yes else None,
        )

    def _delete(self, name: str) -> None:
        from core.store import ModelError, delete_model

        try:
            delete_model(name, self.models_dir)
        except ModelError as error:
            self.notify(str(error), title="Could not delete", severity="error")
            return
        if name == self.loaded_name:
            self.set_current(None)
            note = f"Deleted {name}; it was the current model, so none is loaded now."
        else:
            note = f"Deleted {name}."
        self.action_refresh_models()
        self.notify(note, title="Model deleted")

    def action_import_model(self, typed: dict[str, str] | None = None) -> None:
        from seq2add_tui.screens.dialogs import ImportModelDialog

        self.push_screen(ImportModelDialog(typed), self._import_chosen)

    def _import_chosen(self, request: ImportRequest | None) -> None:
        if request is None:
            return
        from core.store import list_library
        from seq2add_tui.screens.dialogs import ConfirmDialog

        existing = {info.name for info in list_library(self.models_dir)}
        if request.name not in existing:
            self._start_import(request, overwrite=False)
            return
        self.push_screen(
            ConfirmDialog(
                "Replace a model?",
                f"A model named {request.name!r} is already in the library. Replace it?",
                confirm="Replace",
            ),
            # Not replaced: back to the dialog as it was, to pick another name.
            lambda yes: (
                self._start_import(request, overwrite=True)
                if yes
                else self.action_import_model(request.typed)
            ),
        )

    def _start_import(self, request: ImportRequest, overwrite: bool) -> None:
        self.notify(
            f"Importing {request.name}: loading TensorFlow takes a few seconds.", title="Import"
        )
        self.import_model(request, overwrite)

    @work(
        thread=True, exclusive=True, exit_on_error=False, group="importing", description="Importing"
    )
    def import_model(self, request: ImportRequest, overwrite: bool) -> None:
        """Rebuild the tutorial's model in Keras and save it to the library."""
        from core.tutorial import import_tutorial_model

        root = self.models_dir
        import_tutorial_model(request.files, request.name, root=root, overwrite=overwrite)
        self.post_message(
            LibraryChanged(
                select=request.name,
                note=f"Imported {request.name} ({request.files.spec.describe()}); "
                "press enter on it to load it.",
            )
        )

    def action_copy_settings(self) -> None:
        """Fill the Config form with the settings that made the current model."""
        from core.presets import PRESETS, preset_matching
        from core.train import TrainingConfig

        if self.current is None:
            self.notify("Load a model first.", title="No model")
            return
        fresh = self.fresh
        form = self.config_form
        if form is None:
            return
        if self.loaded_name is None and fresh is not None:
            settings = fresh.settings
            form.fill(settings.spec, settings.model, settings.training, settings.preset)
        else:
            info = next((i for i in self.library_infos if i.name == self.loaded_name), None)
            if info is None or info.spec is None:
                self.notify("The current model's settings are not recorded.", title="No settings")
                return
            preset = info.recorded_training.preset
            try:
                training = TrainingConfig.from_dict(
                    {k: v for k, v in info.training.items() if k != "checkpoints"}
                )
            except (SpecError, TypeError) as error:  # a hand-edited or damaged spec.json
                self.notify(
                    f"The recorded training settings can't be used: {error}", title="No settings"
                )
                return
            model = info.model or ModelConfig()
            if preset not in PRESETS:  # not recorded (an imported model): maybe it is one
                preset = preset_matching(info.spec, model, training)
            form.fill(info.spec, model, training, preset)
        self.show_panel("config")
