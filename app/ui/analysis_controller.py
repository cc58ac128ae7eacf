"""Analysis from the window: one run at a time in a worker thread (the JobRunner's "analysis" job);
every chunk's curves are stored in the project through the document, which announces them at most 10
times a second, and when the run ends the curves become suggested events, emotions named by the pair
classifier (labels already there are kept)."""

from __future__ import annotations

from typing import Optional

import numpy as np
from PySide6.QtCore import QObject, Signal

from app.ui.document import ProjectDocument
from app.ui.job_runner import JobRunner
from app.ui.jobs import AnalysisWorker
from model.phases import PHASES

CURVES = tuple(f"p_{phase}" for phase in PHASES)  # column i of a chunk's probabilities is CURVES[i]
JOB = "analysis"


class AnalysisController(QObject):
    runStarted = Signal(dict)  # the predictor's description (device, checkpoint, model card)
    progressChanged = Signal(int, int, float)
    runEnded = Signal(str, str)  # "finished" | "cancelled" | "failed", and what to tell the user
    message = Signal(str)

    def __init__(self, document: ProjectDocument, video_path: str, jobs: JobRunner,
                 parent: Optional[QObject] = None):
        super().__init__(parent)
        self._document, self._video_path, self._jobs = document, video_path, jobs
        self.description: Optional[dict] = None
        self._mode = "fast"

    @property
    def running(self) -> bool:
        return self._jobs.running(JOB)

    def start(self, checkpoint: str, mode: str = "fast", device: Optional[str] = None) -> bool:
        if self.running:
            self.message.emit("an analysis is already running; cancel it first")
            return False
        worker = AnalysisWorker(self._video_path, self._document.fps, checkpoint, mode, device)
        self._mode = mode
        self._jobs.start_worker(JOB, worker, on_finished=self._on_finished, on_errored=self._on_worker_errored,
                                on_cancelled=self._on_worker_cancelled, on_progress=self.progressChanged.emit,
                                signals=((worker.started, self._on_worker_started),
                                         (worker.chunkReady, self._on_chunk)))
        return True

    def cancel(self) -> None:
        """Ask the run to stop (it ends with runEnded "cancelled")."""
        self._jobs.cancel(JOB)

    def stop(self) -> None:
        """Stop the run and wait for it (the project closes): nothing more is stored."""
        self._jobs.stop(JOB)

    def _on_worker_started(self, description: dict) -> None:
        self.description = description
        self.runStarted.emit(description)

    def _on_chunk(self, chunk) -> None:
        values = {name: chunk.probs[:, i] for i, name in enumerate(CURVES)}
        values["analysed"] = chunk.analysed.astype(np.float32)
        self._document.put_curves(chunk.start, values, announce_later=True)

    def _on_finished(self, events: list) -> None:
        added, skipped = self._document.add_events(events, "add model suggestions")
        self._document.set_provenance({"analysis": {**(self.description or {}), "mode": self._mode}})
        self._end("finished", f"analysis finished: {added} new suggestions ({skipped} already there)")

    def _on_worker_errored(self, text: str) -> None:
        self._end("failed", text)

    def _on_worker_cancelled(self) -> None:
        self._end("cancelled", "analysis cancelled")

    def _end(self, how: str, text: str) -> None:
        self._document.flush_curves()
        self.message.emit(text)
        self.runEnded.emit(how, text)
