"""The window's model actions (the Analysis menu): analyse with the default model or a checkpoint, run the motion
spotter, train on the project's labels, show the model card. One instance per window; `attach(document,
video_path)` and `detach()` follow the open project. Its work runs as jobs of the window's JobRunner (which
also shows their progress); what it has to say goes out as signals: `message` for the status bar, `failed`
for the error banner, `warned` for the banner too (a finished spotter run that could not see faint
micro-expressions), `modelDescribed` for the model label. It knows nothing of the window itself."""

from __future__ import annotations

import os
from typing import Optional

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

from app.analysis.model_card import NOT_VALIDATED, card_lines, is_synthetic, trained_on
from app.resources import default_model_path
from app.ui.analysis_controller import AnalysisController
from app.ui.document import ProjectDocument
from app.ui.job_runner import JobRunner
from app.ui.jobs import SpotterWorker
from app.ui.menus import add_action
from app.ui.training_job import TrainingJob, TrainingRequest

SPOTTER_JOB = "spotter"


class ModelActions(QObject):
    message = Signal(str, int)  # text for the status bar, how long to show it (ms)
    failed = Signal(str)  # an error to show in the window
    warned = Signal(str)  # a finished analysis that could not see what it looks for: shown like an error
    modelDescribed = Signal(str)  # which model analyses (or analysed) the video, and what it was trained on

    def __init__(self, dialog_parent: QWidget, jobs: JobRunner):
        super().__init__(dialog_parent)
        self._dialog_parent, self._jobs = dialog_parent, jobs
        self._document: Optional[ProjectDocument] = None
        self._video_path: Optional[str] = None
        self.analysis: Optional[AnalysisController] = None
        self.training: Optional[TrainingJob] = None
        self.last_trained_checkpoint: Optional[str] = None

    def build_menu(self, menu_bar) -> None:
        menu, parent = menu_bar.addMenu("&Analysis"), self._dialog_parent
        add_action(parent, menu, "Analyse (default: the learned motion spotter)",
                   lambda *_: self.run_motion_spotter(), "Ctrl+R")
        add_action(parent, menu, "Analyse with the bundled TSFmicro model", self.analyse_with_default_model,
                   "Ctrl+Alt+R")
        add_action(parent, menu, "Analyse with a model checkpoint…", self._on_analyse_triggered, "Ctrl+Shift+R")
        self.full_mode_action = add_action(parent, menu, "Full fidelity (every frame; slow on a CPU)",
                                           lambda _checked: None, checkable=True)
        add_action(parent, menu, "Cancel analysis", self._on_cancel_triggered, Qt.Key.Key_Escape)
        menu.addSeparator()
        add_action(parent, menu, "Run the training-free flow spotter", lambda *_: self.run_motion_spotter("flow"),
                   "Ctrl+M")
        menu.addSeparator()
        add_action(parent, menu, "Train on these labels…", self._on_train_triggered)
        add_action(parent, menu, "Model card", self.show_model_card)
        self.menu = menu

    # -- project lifetime (the window's JobRunner stops the project's jobs before `detach`) ------------

    def attach(self, document: ProjectDocument, video_path: str) -> None:
        self._document, self._video_path = document, video_path
        self.analysis = AnalysisController(document, video_path, self._jobs, self)
        self.analysis.runStarted.connect(self._on_analysis_started)
        self.analysis.progressChanged.connect(self._on_analysis_progress)
        self.analysis.runEnded.connect(self._on_analysis_ended)
        self.analysis.message.connect(lambda text: self.message.emit(text, 10000))
        self.training = TrainingJob(document, video_path, self._jobs, self)
        self.training.progress.connect(lambda line: self._jobs.show_progress("training", f"training: {line[-80:]}"))
        self.training.errored.connect(self._on_training_failed)
        self.training.finished.connect(self._on_training_finished)

    def detach(self) -> None:
        self.analysis = self.training = None
        self._document = self._video_path = None

    # -- analysis ------------------------------------------------------------------------------------

    def analyse(self, checkpoint: str, mode: Optional[str] = None) -> bool:
        """Start the model over the whole video in a worker thread (labels are kept)."""
        if self.analysis is None:
            return False
        mode = mode or ("full" if self.full_mode_action.isChecked() else "fast")
        started = self.analysis.start(checkpoint, mode)
        if started:
            self._jobs.show_progress("analysis", f"analysing ({mode} mode)…", 0, self._document.n_frames)
        return started

    def analyse_with_default_model(self) -> bool:
        """The bundled default model (trained on synthetic data; the status bar and the model card say so), on
        every frame: it is small enough for full mode in real time, and its figures were measured in full mode."""
        path = default_model_path()
        if path is None:
            QMessageBox.information(self._dialog_parent, "No default model", "This installation has no bundled "
                                    "default model (resources/models/default.pt). Analyse with a checkpoint of your "
                                    "own or run the motion spotter.")
            return False
        return self.analyse(str(path), mode="full")

    def _on_analyse_triggered(self) -> None:
        if self.analysis is None:
            return
        path, _ = QFileDialog.getOpenFileName(self._dialog_parent, "Model checkpoint", "",
                                              "Checkpoints (*.pt);;All files (*)")
        if path:
            self.analyse(path)

    def _on_cancel_triggered(self) -> None:
        if self.analysis is not None and self.analysis.running:
            self.analysis.cancel()

    def _on_analysis_started(self, description: dict) -> None:
        card = description.get("model_card", {})
        if is_synthetic(card):  # the long story is in Analysis > Model card
            trained = "synthetic data — NOT validated on real micro-expressions (Analysis > Model card)"
        else:
            text = trained_on(card)
            trained = text if len(text) <= 90 else text[:89] + "…"
        self.modelDescribed.emit(f"model on {description['device']} ({description['threads']} threads), "
                                 f"trained on: {trained}")

    def _on_analysis_progress(self, done: int, total: int, fps: float) -> None:
        eta = (total - done) / fps if fps > 0 else 0
        self._jobs.show_progress("analysis", f"analysing: {fps:.0f} fps, {eta:.0f} s left", done)

    def _on_analysis_ended(self, how: str, text: str) -> None:
        self._jobs.clear_progress("analysis")
        if how == "failed":
            self.failed.emit(text)

    def model_card_text(self) -> str:
        """The card of the model that analysed this video, else the bundled default model's (dialog, about box)."""
        description = self.analysis.description if self.analysis is not None else None
        if description is None and self._document is not None:
            description = self._document.provenance().get("analysis")
        if description:
            title = "the model that analysed this video"
            checkpoint, card = description.get("checkpoint"), description.get("model_card", {})
        elif default_model_path() is not None:
            from model import load_checkpoint  # lazy: imports torch, which the window loads only to analyse

            title, checkpoint = "the bundled default model", str(default_model_path())
            card = load_checkpoint(checkpoint).model_card
        else:
            return ("No model has analysed this video yet, and this installation has no bundled default model. "
                    "Analyse with a checkpoint of your own (Analysis menu) or use the training-free motion spotter.")
        lines = [f"Model card of {title}", f"checkpoint: {checkpoint}"]
        lines += card_lines(card) if card else ["(its checkpoint has no card)"]
        if is_synthetic(card):
            lines += ["", NOT_VALIDATED]
        return "\n".join(lines)

    def show_model_card(self) -> None:
        QMessageBox.information(self._dialog_parent, "Model card",
                                spotter_card_text() + "\n\n" + self.model_card_text())

    # -- motion spotter ------------------------------------------------------------------------------

    @property
    def spotter_running(self) -> bool:
        return self._jobs.running(SPOTTER_JOB)

    def run_motion_spotter(self, method: str = "learned") -> bool:
        """A motion spotter over the whole video — by default the learned one, the default analysis — its curve
        beside the model's and its intervals as suggestions (labels already there are kept)."""
        if self._document is None or self.spotter_running:
            return False
        worker = SpotterWorker(self._video_path, self._document.fps, method)
        self.modelDescribed.emit(LEARNED_DESCRIPTION if method == "learned"
                                 else "the training-free flow spotter (no training data)")
        self._jobs.start_worker(SPOTTER_JOB, worker, on_finished=self._on_spotter_finished,
                                on_errored=self.failed.emit, on_progress=self._on_spotter_progress)
        return True

    def _on_spotter_progress(self, done: int, _total: int, fps: float) -> None:
        self._jobs.show_progress(SPOTTER_JOB, f"motion spotter: frame {done}, {fps:.0f} fps")

    def _on_spotter_finished(self, result) -> None:
        document = self._document
        if document is None:
            return
        motion = np.full(document.n_frames, np.nan, np.float32)
        motion[: len(result.motion)] = result.motion[: document.n_frames]
        document.put_curves(0, {"motion": motion})
        added, skipped = document.add_events(result.events, "add motion-spotter suggestions")
        self.message.emit(f"motion spotter: {added} new suggestions ({skipped} already there)", 10000)
        seen = result.sensitivity
        if seen is not None:  # the learned spotter: what it could see in this video stays in the model label
            self.modelDescribed.emit(f"{seen.brief()} · {LEARNED_DESCRIPTION}")  # first: a narrow bar clips the end
            if seen.blind:
                self.warned.emit(f"The motion spotter {seen.describe()}.")

    # -- training ------------------------------------------------------------------------------------

    def train_on_labels(self, request: TrainingRequest = TrainingRequest()) -> bool:
        if self.training is None or self.training.running:
            return False
        started = self.training.start(request)
        if started:
            self._jobs.show_progress("training", f"training {request.model} on the accepted labels…")
        return started

    def _on_train_triggered(self) -> None:
        if self.training is None:
            return
        model, ok = QInputDialog.getItem(
            self._dialog_parent, "Train on these labels",
            "Model (the full model trains at about 1 sample/s on a CPU; the tiny one is for trying the loop):",
            ["tsfmicro", "tsfmicro_tiny"], 0, False)
        if not ok:
            return
        epochs, ok = QInputDialog.getInt(self._dialog_parent, "Train on these labels", "Epochs:", 30, 1, 500)
        if ok:
            self.train_on_labels(TrainingRequest(model=model, epochs=epochs))

    def _on_training_finished(self, checkpoint: str) -> None:
        self._jobs.clear_progress("training")
        self.message.emit(f"training finished: {checkpoint}", 10000)
        self.last_trained_checkpoint = checkpoint
        if self._dialog_parent.isVisible() and not os.environ.get("TSFMICRO_NO_DIALOGS"):
            answer = QMessageBox.question(self._dialog_parent, "Training finished",
                                          f"The new model is at\n{checkpoint}\n\nAnalyse this video with it now?")
            if answer == QMessageBox.StandardButton.Yes:
                self.analyse(checkpoint)

    def _on_training_failed(self, text: str) -> None:
        self._jobs.clear_progress("training")
        self.failed.emit(text)


LEARNED_DESCRIPTION = ("default analysis: the learned motion spotter, trained on: synthetic data — NOT validated on "
                       "real micro-expressions (Analysis > Model card)")


def spotter_card_text() -> str:
    """The bundled learned spotter's card (the default analysis), for the model-card dialog."""
    from app.analysis.learned_spotter import CONFIDENCE_NOTE, SpotterError, default_spotter  # lazy: imports torch

    try:
        card = default_spotter().card
    except SpotterError as error:
        return f"The default analysis (learned motion spotter): {error}"
    return "\n".join(["Model card of the default analysis, the bundled learned motion spotter",
                      *card_lines(card), "", CONFIDENCE_NOTE, "", NOT_VALIDATED])
