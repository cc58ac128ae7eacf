"""Background work for the window: a QObject worker moved to a QThread, cancellable, reporting
progress and errors as signals (never a silent hang). Only numpy arrays and plain values cross
threads; the worker opens its own VideoSource."""

from __future__ import annotations

import threading
import time
from typing import Callable, Optional

from PySide6.QtCore import QObject, QThread, Signal, Slot

from app.face import FaceConfig, FacePipeline, FaceTrack
from app.media import open_video


class FaceTrackWorker(QObject):
    progress = Signal(int, int, float)  # frames done, total, fps
    finished = Signal(object)  # FaceTrack
    errored = Signal(str)
    cancelled = Signal()

    def __init__(self, video_path: str, fps: Optional[float] = None, config: FaceConfig = FaceConfig()):
        super().__init__()
        self._video_path, self._fps, self._config = video_path, fps, config
        self._cancel = False

    def cancel(self) -> None:
        self._cancel = True

    @Slot()
    def run(self) -> None:
        try:
            with open_video(self._video_path, fps=self._fps) as video:
                info = video.probe()
                pipeline = FacePipeline(self._config, info.fps, make_crops=False)
                start, done = time.perf_counter(), [0]

                def on_result(_result) -> None:
                    done[0] += 1
                    if done[0] % 32 == 0:
                        if self._cancel:
                            raise _Cancelled
                        self.progress.emit(done[0], info.n_frames, done[0] / (time.perf_counter() - start))

                track = FaceTrack.from_results(pipeline.run(video.iter_frames()), info.fps, self._config, on_result)
        except _Cancelled:
            self.cancelled.emit()
            return
        except Exception as err:  # surfaced in the window, never swallowed
            self.errored.emit(f"{self._video_path}: face tracking failed: {err}")
            return
        self.finished.emit(track)


class _Cancelled(Exception):
    pass


def start_in_thread(worker: QObject, parent: QObject, on_done: Callable[[], None]) -> QThread:
    """Run `worker.run` in a new QThread that is cleaned up when the worker ends."""
    thread = QThread(parent)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    for signal in (worker.finished, worker.errored, worker.cancelled):
        signal.connect(thread.quit)
    thread.finished.connect(on_done)
    thread.start()
    return thread


class AnalysisWorker(QObject):
    """Runs the model over a video in its own thread, chunk by chunk; cancel takes effect within
    one chunk. Chunks (frozen ChunkResults of numpy arrays) cross to the main thread as signals."""

    started = Signal(dict)  # the predictor's description: device, threads, checkpoint, model card
    chunkReady = Signal(object)  # ChunkResult
    progress = Signal(int, int, float)
    finished = Signal()
    errored = Signal(str)
    cancelled = Signal()

    def __init__(self, video_path: str, fps: float, checkpoint: str, mode: str = "fast",
                 device: Optional[str] = None, threads: Optional[int] = None):
        super().__init__()
        self._video_path, self._fps, self._checkpoint = video_path, fps, checkpoint
        self._mode, self._device, self._threads = mode, device, threads
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @Slot()
    def run(self) -> None:
        from app.analysis import AnalysisConfig, DeviceError, Predictor, analyse_video
        from model import CheckpointError

        try:
            predictor = Predictor.load(self._checkpoint, device=self._device, threads=self._threads)
        except (CheckpointError, DeviceError, OSError) as err:
            self.errored.emit(str(err))
            return
        self.started.emit(predictor.describe())
        try:
            with open_video(self._video_path, fps=self._fps) as video:
                total = video.probe().n_frames
                start, done = time.perf_counter(), 0
                for chunk in analyse_video(video, predictor, AnalysisConfig.for_mode(self._mode), cancel=self._cancel):
                    done = chunk.stop
                    self.chunkReady.emit(chunk)
                    self.progress.emit(done, total, done / max(1e-9, time.perf_counter() - start))
        except Exception as err:  # surfaced in the window, never swallowed
            self.errored.emit(f"{self._video_path}: analysis failed: {err}")
            return
        if self._cancel.is_set():
            self.cancelled.emit()
        else:
            self.finished.emit()


class SpotterWorker(QObject):
    """The training-free motion spotter over the whole video, in its own thread."""

    finished = Signal(object)  # SpotResult
    errored = Signal(str)
    cancelled = Signal()
    progress = Signal(int, int, float)

    def __init__(self, video_path: str, fps: float):
        super().__init__()
        self._video_path, self._fps = video_path, fps
        self._cancel = False

    def cancel(self) -> None:
        self._cancel = True

    @Slot()
    def run(self) -> None:
        from app.analysis.motion_spotter import spot_video

        start = time.perf_counter()

        def on_sample(sample) -> None:
            if sample.frame % 32 == 0:
                if self._cancel:
                    raise _Cancelled
                self.progress.emit(sample.frame, 0, sample.frame / max(1e-9, time.perf_counter() - start))

        try:
            result = spot_video(self._video_path, fps=self._fps, on_sample=on_sample)
        except _Cancelled:
            self.cancelled.emit()
            return
        except Exception as err:  # surfaced in the window, never swallowed
            self.errored.emit(f"{self._video_path}: motion spotter failed: {err}")
            return
        self.finished.emit(result)
