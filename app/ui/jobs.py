"""Background work for the window: a QObject worker moved to a QThread, cancellable, reporting
progress and errors as signals (never a silent hang). Only numpy arrays and plain values cross
threads; each worker opens its own VideoSource.

Connect worker signals only to methods of QObjects that live in the main thread: Qt then queues
the call to the main thread. A lambda or plain function has no receiver object and would run in
the worker thread, where it must not touch widgets or the project's SQLite connection."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, Protocol

import numpy as np
from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from app.analysis.config import AnalysisConfig
from app.analysis.suggest import suggest_events
from app.face import FaceConfig, FacePipeline, FaceResult, FaceTrack
from app.media import open_video

PROGRESS_EVERY = 32  # frames between progress signals (and cancel checks)


class _Cancelled(Exception):
    pass


class Worker(QObject):
    """A job run in a thread: `work()` returns the result; errors and cancellation become signals."""

    progress = Signal(int, int, float)  # frames done, total (0 if unknown), fps
    finished = Signal(object)
    errored = Signal(str)
    cancelled = Signal()
    what = "job"

    def __init__(self, video_path: str):
        super().__init__()
        self._video_path = video_path
        self._cancel = threading.Event()
        self._start = time.perf_counter()

    def cancel(self) -> None:
        self._cancel.set()

    def work(self) -> object:
        raise TypeError(f"{type(self).__name__} must define work()")

    def tick(self, done: int, total: int = 0) -> None:
        """Call once per frame: every PROGRESS_EVERY frames, stop if cancelled and report progress."""
        if done % PROGRESS_EVERY == 0:
            if self._cancel.is_set():
                raise _Cancelled
            self.progress.emit(done, total, done / max(1e-9, time.perf_counter() - self._start))

    @Slot()
    def run(self) -> None:
        self._start = time.perf_counter()
        try:
            result = self.work()
        except _Cancelled:
            self.cancelled.emit()
            return
        except Exception as err:  # surfaced in the window, never swallowed
            self.errored.emit(f"{self._video_path}: {self.what} failed: {err}")
            return
        if self._cancel.is_set():
            self.cancelled.emit()
        else:
            self.finished.emit(result)


class FacePipelineLike(Protocol):
    def run(self, frames: Iterable[tuple[int, Optional[np.ndarray]]]) -> Iterator[FaceResult]: ...


FacePipelineFactory = Callable[[FaceConfig, float], FacePipelineLike]  # (config, fps) -> a pipeline


def dlib_face_pipeline(config: FaceConfig, fps: float) -> FacePipeline:
    """The real pipeline (dlib detection and landmarks), without crops: the window keeps the track only."""
    return FacePipeline(config, fps, make_crops=False)


class FaceTrackWorker(Worker):
    """The face track of a whole video. `make_pipeline(config, fps)` builds the pipeline that runs over
    its frames: by default the real dlib one; tests that are not about tracking inject a fast one."""

    what = "face tracking"

    def __init__(self, video_path: str, fps: Optional[float] = None, config: FaceConfig = FaceConfig(),
                 make_pipeline: FacePipelineFactory = dlib_face_pipeline):
        super().__init__(video_path)
        self._fps, self._config, self._make_pipeline = fps, config, make_pipeline

    def work(self) -> FaceTrack:
        with open_video(self._video_path, fps=self._fps) as video:
            info = video.probe()
            pipeline = self._make_pipeline(self._config, info.fps)
            done = [0]

            def on_result(_result) -> None:
                done[0] += 1
                self.tick(done[0], info.n_frames)

            return FaceTrack.from_results(pipeline.run(video.iter_frames()), info.fps, self._config, on_result)


class SpotterWorker(Worker):
    """A motion spotter over the whole video: "learned" (the default analysis) or "flow" (training-free)."""

    what = "motion spotter"

    def __init__(self, video_path: str, fps: float, method: str = "learned"):
        super().__init__(video_path)
        self._fps, self._method = fps, method

    def work(self):
        """The spotter's result, its suggestions' emotions named by the bundled model (`app.analysis.suggest`, as
        `tsfmicro analyze` does)."""
        found = suggest_events(self._video_path, self._method, fps=self._fps, cancel=self._cancel,
                               on_sample=lambda sample: self.tick(sample.frame))
        if found.cancelled:
            raise _Cancelled
        return found.spot


class AnalysisWorker(Worker):
    """The model over a video, chunk by chunk; cancel takes effect within one batch of pairs. Chunks (frozen
    ChunkResults of numpy arrays) cross to the main thread as signals."""

    what = "analysis"
    started = Signal(dict)  # the predictor's description: device, threads, checkpoint, model card
    chunkReady = Signal(object)  # ChunkResult

    def __init__(self, video_path: str, fps: float, checkpoint: str, mode: str = "fast",
                 device: Optional[str] = None, threads: Optional[int] = None):
        super().__init__(video_path)
        self._fps, self._checkpoint = fps, checkpoint
        self._mode, self._device, self._threads = mode, device, threads

    def work(self) -> list:
        """The curves stream out as chunks; the result is the suggested events, each emotion named by the pair
        classifier (labels are the window's business: it adds these beside them)."""
        from app.analysis import Predictor  # lazy: torch loads when an analysis starts, not with the window

        predictor = Predictor.load(self._checkpoint, device=self._device, threads=self._threads)  # errors name the file
        self.started.emit(predictor.describe())
        with open_video(self._video_path, fps=self._fps) as video:
            total = video.probe().n_frames

            def on_chunk(chunk) -> None:
                self.chunkReady.emit(chunk)
                self.progress.emit(chunk.stop, total, chunk.stop / max(1e-9, time.perf_counter() - self._start))

            return suggest_events(video, "model", fps=self._fps, predictor=predictor,
                                  config=AnalysisConfig.for_mode(self._mode), face_config=predictor.face_config,
                                  video_name=self._video_path,
                                  subject=Path(self._video_path).stem, on_chunk=on_chunk, cancel=self._cancel).events


def start_in_thread(worker: QObject, parent: QObject, on_done: Callable[[], None]) -> QThread:
    """Run `worker.run` in a new QThread that is cleaned up when the worker ends."""
    thread = QThread(parent)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    for signal in (worker.finished, worker.errored, worker.cancelled):
        # Direct: quit() is thread-safe, and a queued call would never arrive while the main thread
        # blocks in wait() when the window closes mid-run.
        signal.connect(thread.quit, Qt.ConnectionType.DirectConnection)
    thread.finished.connect(on_done)
    thread.start()
    return thread
