"""Analysis from the window: one run at a time in a worker thread; curves fill in live (redraws
coalesced to 10 Hz), every chunk is stored in the project in one transaction, and when the run
ends the curves become suggested events, emotions named by the pair classifier (labels already there are kept)."""

from __future__ import annotations

from typing import Optional

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from app.ui.document import ProjectDocument
from app.ui.jobs import AnalysisWorker, start_in_thread

CURVES = ("p_none", "p_onset", "p_apex", "p_offset")
REDRAW_MS = 100


class AnalysisController(QObject):
    curvesChanged = Signal(dict)  # name -> (n_frames,) float32, only the curves that changed
    runStarted = Signal(dict)  # the predictor's description (device, checkpoint, model card)
    progressChanged = Signal(int, int, float)
    runEnded = Signal(str, str)  # "finished" | "cancelled" | "failed", and what to tell the user
    message = Signal(str)

    def __init__(self, document: ProjectDocument, video_path: str, parent: Optional[QObject] = None):
        super().__init__(parent)
        self._document, self._video_path = document, video_path
        n, stored = document.n_frames, set(document.store.curve_names())
        self.curves = {name: document.store.curve(name) if name in stored else np.full(n, np.nan, np.float32)
                       for name in (*CURVES, "analysed")}
        self.curves = {name: values if values.shape == (n,) else np.full(n, np.nan, np.float32)
                       for name, values in self.curves.items()}
        self.description: Optional[dict] = None
        self._worker: Optional[AnalysisWorker] = None
        self._thread = None
        self._dirty = False
        self._redraw = QTimer(self)
        self._redraw.setInterval(REDRAW_MS)
        self._redraw.timeout.connect(self._flush_redraw)

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self, checkpoint: str, mode: str = "fast", device: Optional[str] = None) -> bool:
        if self.running:
            self.message.emit("an analysis is already running; cancel it first")
            return False
        self._worker = AnalysisWorker(self._video_path, self._document.fps, checkpoint, mode, device)
        self._worker.started.connect(self._on_worker_started)
        self._worker.chunkReady.connect(self._on_chunk)
        self._worker.progress.connect(self.progressChanged)
        self._worker.errored.connect(self._on_worker_errored)
        self._worker.cancelled.connect(self._on_worker_cancelled)
        self._worker.finished.connect(self._on_finished)
        self._checkpoint, self._mode = checkpoint, mode
        self._thread = start_in_thread(self._worker, self, self._on_thread_done)
        self._redraw.start()
        return True

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()

    def wait(self, timeout_ms: int = 30000) -> None:
        if self._thread is not None:
            self._thread.wait(timeout_ms)

    def _on_worker_started(self, description: dict) -> None:
        self.description = description
        self.runStarted.emit(description)

    def _on_chunk(self, chunk) -> None:
        start, stop = chunk.start, chunk.stop
        values = {name: chunk.probs[:, i] for i, name in enumerate(CURVES)}
        values["analysed"] = chunk.analysed.astype(np.float32)
        self._document.store.put_curve_chunks(start, values)
        for name, column in values.items():
            self.curves[name][start:stop] = column
        self._dirty = True

    def _flush_redraw(self) -> None:
        if self._dirty:
            self._dirty = False
            self.curvesChanged.emit({name: self.curves[name] for name in (*CURVES[1:], "analysed")})

    def _on_finished(self, events: list) -> None:
        added, skipped = self._document.add_events(events, "add model suggestions")
        self._document.store.set_provenance({"analysis": {**(self.description or {}), "mode": self._mode}})
        self._end("finished", f"analysis finished: {added} new suggestions ({skipped} already there)")

    def _on_worker_errored(self, text: str) -> None:
        self._end("failed", text)

    def _on_worker_cancelled(self) -> None:
        self._end("cancelled", "analysis cancelled")

    def _end(self, how: str, text: str) -> None:
        self._redraw.stop()
        self._flush_redraw()
        self.message.emit(text)
        self.runEnded.emit(how, text)

    def _on_thread_done(self) -> None:
        self._thread, self._worker = None, None
