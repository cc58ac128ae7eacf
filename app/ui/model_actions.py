"""The window's model actions (the Analysis menu): analyse with the default model or a checkpoint, run the motion
spotter, train on the project's labels, show the model card. One instance per window; `attach`
and `detach` follow the open project. Split out of the window so that it stays composition only."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Optional

import numpy as np
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from app.analysis.model_card import NOT_VALIDATED, card_lines, is_synthetic, trained_on
from app.resources import default_model_path
from app.ui.analysis_controller import AnalysisController
from app.ui.jobs import SpotterWorker, start_in_thread
from app.ui.training_job import TrainingJob, TrainingRequest

if TYPE_CHECKING:
    from app.ui.main_window import ReviewerWindow


class ModelActions(QObject):
    def __init__(self, window: "ReviewerWindow"):
        super().__init__(window)
        self._window = window
        self.analysis: Optional[AnalysisController] = None
        self.training: Optional[TrainingJob] = None
        self.last_trained_checkpoint: Optional[str] = None
        self._spotter_thread = None
        self._spotter_worker: Optional[SpotterWorker] = None

    def build_menu(self, menu_bar) -> None:
        w = self._window
        menu = menu_bar.addMenu("&Analysis")
        w._action(menu, "Analyse (default: the learned motion spotter)", lambda *_: self.run_motion_spotter(), "Ctrl+R")
        w._action(menu, "Analyse with the bundled TSFmicro model", self.analyse_with_default_model, "Ctrl+Alt+R")
        w._action(menu, "Analyse with a model checkpoint…", self._on_analyse_triggered, "Ctrl+Shift+R")
        self.full_mode_action = w._action(menu, "Full fidelity (every frame; slow on a CPU)",
                                          lambda _checked: None, checkable=True)
        w._action(menu, "Cancel analysis", self._on_cancel_triggered, Qt.Key.Key_Escape)
        menu.addSeparator()
        w._action(menu, "Run the training-free flow spotter", lambda *_: self.run_motion_spotter("flow"), "Ctrl+M")
        menu.addSeparator()
        w._action(menu, "Train on these labels…", self._on_train_triggered)
        w._action(menu, "Model card", self.show_model_card)

    # -- project lifetime --------------------------------------------------------------------------

    def attach(self) -> None:
        w = self._window
        self.analysis = AnalysisController(w.document, w.store.video["path"], self)
        self.analysis.curvesChanged.connect(w.show_curves)
        self.analysis.runStarted.connect(self._on_analysis_started)
        self.analysis.progressChanged.connect(self._on_analysis_progress)
        self.analysis.runEnded.connect(self._on_analysis_ended)
        self.analysis.message.connect(lambda text: w.statusBar().showMessage(text, 10000))
        self.training = TrainingJob(w.document, w.store.video["path"], self)
        self.training.progress.connect(lambda line: w.job_label.setText(f"training: {line[-80:]}"))
        self.training.errored.connect(self._on_training_failed)
        self.training.finished.connect(self._on_training_finished)

    def detach(self) -> None:
        """Stop whatever runs for the closing project and wait for it."""
        if self.analysis is not None:
            self.analysis.cancel()
            self.analysis.wait()
        if self.training is not None and self.training.running:
            self.training.cancel()
            self.training.wait()
        if self._spotter_worker is not None:
            self._spotter_worker.cancel()
            self._spotter_thread.wait(30000)
        self.analysis = self.training = None

    # -- analysis ------------------------------------------------------------------------------------

    def analyse(self, checkpoint: str, mode: Optional[str] = None) -> bool:
        """Start the model over the whole video in a worker thread (labels are kept)."""
        w = self._window
        if self.analysis is None:
            return False
        mode = mode or ("full" if self.full_mode_action.isChecked() else "fast")
        started = self.analysis.start(checkpoint, mode)
        if started:
            w.job_label.setText(f"analysing ({mode} mode)…")
            w.progress.setRange(0, w.document.n_frames)
            w.progress.setValue(0)
            w.progress.show()
        return started

    def analyse_with_default_model(self) -> bool:
        """The bundled default model (trained on synthetic data; the status bar and the model card say so), on
        every frame: it is small enough for full mode in real time, and its figures were measured in full mode."""
        path = default_model_path()
        if path is None:
            QMessageBox.information(self._window, "No default model", "This installation has no bundled default "
                                    "model (resources/models/default.pt). Analyse with a checkpoint of your own or "
                                    "run the motion spotter.")
            return False
        return self.analyse(str(path), mode="full")

    def _on_analyse_triggered(self) -> None:
        if self.analysis is None:
            return
        path, _ = QFileDialog.getOpenFileName(self._window, "Model checkpoint", "", "Checkpoints (*.pt);;All files (*)")
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
        self._window.device_label.setText(f"model on {description['device']} ({description['threads']} threads), "
                                          f"trained on: {trained}")

    def _on_analysis_progress(self, done: int, total: int, fps: float) -> None:
        self._window.progress.setValue(done)
        eta = (total - done) / fps if fps > 0 else 0
        self._window.job_label.setText(f"analysing: {fps:.0f} fps, {eta:.0f} s left")

    def _on_analysis_ended(self, how: str, text: str) -> None:
        self._window.progress.hide()
        self._window.job_label.clear()
        if how == "failed":
            self._window.show_error(text)

    def model_card_text(self) -> str:
        """The card of the model that analysed this video, else the bundled default model's (dialog, about box)."""
        w = self._window
        description = self.analysis.description if self.analysis is not None else None
        if description is None and w.store is not None:
            description = w.store.provenance().get("analysis")
        if description:
            title = "the model that analysed this video"
            checkpoint, card = description.get("checkpoint"), description.get("model_card", {})
        elif default_model_path() is not None:
            from model import load_checkpoint

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
        QMessageBox.information(self._window, "Model card", spotter_card_text() + "\n\n" + self.model_card_text())

    # -- motion spotter ------------------------------------------------------------------------------

    @property
    def spotter_running(self) -> bool:
        return self._spotter_worker is not None

    def run_motion_spotter(self, method: str = "learned") -> bool:
        """A motion spotter over the whole video — by default the learned one, the default analysis — its curve
        beside the model's and its intervals as suggestions (labels already there are kept)."""
        w = self._window
        if w.document is None or self._spotter_worker is not None:
            return False
        self._spotter_worker = SpotterWorker(w.store.video["path"], w.document.fps, method)
        w.device_label.setText("default analysis: the learned motion spotter, trained on: synthetic data — NOT "
                               "validated on real micro-expressions (Analysis > Model card)" if method == "learned"
                               else "the training-free flow spotter (no training data)")
        self._spotter_worker.finished.connect(self._on_spotter_finished)
        self._spotter_worker.errored.connect(w.show_error)
        self._spotter_worker.progress.connect(self._on_spotter_progress)
        self._spotter_thread = start_in_thread(self._spotter_worker, self, self._on_spotter_thread_done)
        return True

    def _on_spotter_progress(self, done: int, _total: int, fps: float) -> None:
        self._window.job_label.setText(f"motion spotter: frame {done}, {fps:.0f} fps")

    def _on_spotter_finished(self, result) -> None:
        w = self._window
        if w.document is None:
            return
        motion = np.full(w.document.n_frames, np.nan, np.float32)
        motion[: len(result.motion)] = result.motion[: w.document.n_frames]
        w.store.put_curve_chunks(0, {"motion": motion})
        w.show_curves({"motion": motion})
        added, skipped = w.document.add_events(result.events, "add motion-spotter suggestions")
        w.statusBar().showMessage(f"motion spotter: {added} new suggestions ({skipped} already there)", 10000)

    def _on_spotter_thread_done(self) -> None:
        self._spotter_thread, self._spotter_worker = None, None
        self._window.job_label.clear()

    # -- training ------------------------------------------------------------------------------------

    def train_on_labels(self, request: TrainingRequest = TrainingRequest()) -> bool:
        if self.training is None or self.training.running:
            return False
        started = self.training.start(request)
        if started:
            self._window.job_label.setText(f"training {request.model} on the accepted labels…")
        return started

    def _on_train_triggered(self) -> None:
        if self.training is None:
            return
        model, ok = QInputDialog.getItem(
            self._window, "Train on these labels",
            "Model (the full model trains at about 1 sample/s on a CPU; the tiny one is for trying the loop):",
            ["tsfmicro", "tsfmicro_tiny"], 0, False)
        if not ok:
            return
        epochs, ok = QInputDialog.getInt(self._window, "Train on these labels", "Epochs:", 30, 1, 500)
        if ok:
            self.train_on_labels(TrainingRequest(model=model, epochs=epochs))

    def _on_training_finished(self, checkpoint: str) -> None:
        w = self._window
        w.job_label.clear()
        w.statusBar().showMessage(f"training finished: {checkpoint}", 10000)
        self.last_trained_checkpoint = checkpoint
        if w.isVisible() and not os.environ.get("TSFMICRO_NO_DIALOGS"):
            answer = QMessageBox.question(w, "Training finished",
                                          f"The new model is at\n{checkpoint}\n\nAnalyse this video with it now?")
            if answer == QMessageBox.StandardButton.Yes:
                self.analyse(checkpoint)

    def _on_training_failed(self, text: str) -> None:
        self._window.job_label.clear()
        self._window.show_error(text)


def spotter_card_text() -> str:
    """The bundled learned spotter's card (the default analysis), for the model-card dialog."""
    from app.analysis.learned_spotter import SpotterError, default_spotter

    try:
        card = default_spotter().card
    except SpotterError as error:
        return f"The default analysis (learned motion spotter): {error}"
    return "\n".join(["Model card of the default analysis, the bundled learned motion spotter",
                      *card_lines(card), "", NOT_VALIDATED])
