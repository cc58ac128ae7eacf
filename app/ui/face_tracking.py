"""The face track of the open project: read from the project, or tracked in a worker thread on first
open (progress in the status bar) and stored in the project. Closing the window cancels and waits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import QObject

from app.face import FaceTrack
from app.ui.jobs import FaceTrackWorker, start_in_thread

if TYPE_CHECKING:
    from app.ui.main_window import ReviewerWindow


class FaceTracking(QObject):
    def __init__(self, window: "ReviewerWindow"):
        super().__init__(window)
        self._window = window
        self.thread = None
        self._worker: Optional[FaceTrackWorker] = None

    @property
    def running(self) -> bool:
        return self._worker is not None

    def load_or_track(self) -> None:
        w = self._window
        data = w.store.face_track_bytes()
        if data is not None:
            self.on_ready(FaceTrack.from_npz_bytes(data, str(w.store.path)), store=False)
            return
        self._worker = FaceTrackWorker(w.store.video["path"], fps=w.store.video["fps"])
        self._worker.progress.connect(self._on_progress)
        self._worker.finished.connect(self.on_ready)
        self._worker.errored.connect(w.show_error)
        w.job_label.setText("tracking the face…")
        w.progress.setRange(0, w.document.n_frames)
        w.progress.show()
        self.thread = start_in_thread(self._worker, self, self._on_thread_done)

    def on_ready(self, track: FaceTrack, store: bool = True) -> None:
        w = self._window
        if w.store is None:
            return
        w.face_track = track
        if store:
            w.store.put_face_track(track.to_npz_bytes())
        w.timeline.set_quality(track.ok)
        w._redraw()

    def _on_thread_done(self) -> None:
        if self.sender() is not None and self.sender() is not self.thread:
            return  # a cancelled thread's late signal: already handled in cancel()
        self.thread, self._worker = None, None
        self._window.progress.hide()
        self._window.job_label.clear()

    def _on_progress(self, done: int, total: int, fps: float) -> None:
        self._window.progress.setValue(done)
        eta = (total - done) / fps if fps > 0 else 0
        self._window.job_label.setText(f"tracking the face: {fps:.0f} fps, {eta:.0f} s left")

    def cancel(self) -> None:
        """Stop tracking and wait for the thread (the project closes)."""
        if self._worker is not None:
            self._worker.cancel()
        if self.thread is not None:
            self.thread.quit()
            self.thread.wait(30000)
            self._on_thread_done()
