"""The face track of the open project: read from the project, or tracked in a worker thread on first
open (progress in the status bar) and stored in the project. The JobRunner runs the worker; closing the
project or the window stops it."""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QObject, Signal

from app.face import FaceTrack
from app.ui.document import ProjectDocument
from app.ui.job_runner import JobRunner
from app.ui.jobs import FacePipelineFactory, FaceTrackWorker, dlib_face_pipeline

JOB = "face tracking"


class FaceTracking(QObject):
    trackReady = Signal(object)  # the FaceTrack of the open project (stored, or just tracked)
    failed = Signal(str)

    def __init__(self, jobs: JobRunner, make_pipeline: Optional[FacePipelineFactory] = None,
                 parent: Optional[QObject] = None):
        super().__init__(parent)
        self._jobs = jobs
        self._make_pipeline = make_pipeline or dlib_face_pipeline
        self._document: Optional[ProjectDocument] = None

    @property
    def running(self) -> bool:
        return self._jobs.running(JOB)

    def load_or_track(self, document: ProjectDocument, video_path: str) -> None:
        """The project's stored track at once, else track the video in the background."""
        self._document = document
        track = document.face_track()
        if track is not None:
            self.trackReady.emit(track)
            return
        worker = FaceTrackWorker(video_path, fps=document.fps, make_pipeline=self._make_pipeline)
        self._jobs.show_progress(JOB, "tracking the face…", 0, document.n_frames)
        self._jobs.start_worker(JOB, worker, on_finished=self._on_tracked, on_errored=self.failed.emit,
                                on_progress=self._on_progress)

    def cancel(self) -> None:
        """Stop tracking and wait for the thread."""
        self._jobs.stop(JOB)

    def detach(self) -> None:
        self.cancel()
        self._document = None

    def _on_tracked(self, track: FaceTrack) -> None:
        if self._document is not None:
            self._document.put_face_track(track)
            self.trackReady.emit(track)

    def _on_progress(self, done: int, total: int, fps: float) -> None:
        eta = (total - done) / fps if fps > 0 else 0
        self._jobs.show_progress(JOB, f"tracking the face: {fps:.0f} fps, {eta:.0f} s left", done)
