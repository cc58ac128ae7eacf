"""One video → `OUT/<name>/frames.csv, events.csv, curves.png, done.json`, and the worker-side model cache.

`score_video(job, models, progress)` is the whole per-video job, the same in every engine: it only reads the
video and the loaded models and writes the output folder, so local processes and Ray actors produce the same
bytes. Each file is written atomically (temporary file + rename; frames.csv is streamed) and done.json last, after
the old marker and any stale temporary files were removed (`marker.clear_partial`). A video that cannot be scored
(unreadable, corrupt, no face in any frame) gives `JobResult(status="error", error=reason)`; nothing is published
for it. `WorkerModels` holds what a worker loads once — the checkpoint's predictor and the face models — and
sets the worker's thread counts (torch and OpenCV).
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, NamedTuple, Optional

import cv2
import numpy as np

from app.analysis.frames_csv import FramesCsvWriter, write_motion_csv
from app.analysis.suggest import suggest_events
from app.batch.marker import OUTPUT_FILES, clear_partial, write_done
from app.batch.plot import render_curves_png
from app.batch.settings import MODEL, ScoreSettings
from app.core.atomic import atomic_write_bytes
from app.core.label_exchange import export_labels
from app.face import FacePipeline, LandmarkModel, make_detector
from app.media import EmptyVideoError, VideoError, open_video
from app.media.hashing import file_sha256
from model import PHASES

ProgressFn = Callable[[int, int], None]  # (frames done, frames total) of the current video


class NoFaceError(ValueError):
    """The face pipeline found no usable face in any frame of the video."""


@dataclass(frozen=True)
class JobSpec:
    index: int           # position in the batch (input order)
    video: str           # absolute path
    out_dir: str         # OUT/<name>
    video_sha256: str    # `app.media.content_hash` of the video
    settings: ScoreSettings


@dataclass(frozen=True)
class JobResult:
    index: int
    status: str          # "ok" or "error" ("skipped" is decided before a job is sent)
    frames: int = 0
    events: int = 0
    seconds: float = 0.0
    error: str = ""
    worker: str = ""
    sensitivity: Optional[dict] = None  # the learned spotter's `Sensitivity.as_dict()`

    @property
    def fps(self) -> float:
        return self.frames / self.seconds if self.seconds > 0 else 0.0


def quiet_opencv() -> None:
    """OpenCV's own warnings (e.g. FFMPEG failing on a corrupt file) would garble the progress line; the job
    reports such failures itself."""
    with contextlib.suppress(AttributeError):
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)


def import_engine() -> float:
    """Import the heavy libraries a worker needs beyond this module's own (OpenCV, dlib and the motion spotters):
    torch and the model's analysis engine; returns the seconds it took. Part of a worker's start-up, measured apart
    from loading the models."""
    start = time.perf_counter()
    # lazy: what this function loads and times, in the workers only (the parent process never imports torch)
    import torch  # noqa: F401

    import app.analysis.pipeline  # noqa: F401
    import app.analysis.predictor  # noqa: F401
    return time.perf_counter() - start


class WorkerModels:
    """What one worker loads once and reuses for every video: the predictor (MODEL settings) and the face
    detector + landmark model. `face_config` is the face settings videos are analysed with: the checkpoint's (its
    contract) with MODEL settings, else the settings'. `load_s` is the time loading them took (library imports
    excluded: see `import_engine`)."""

    def __init__(self, settings: ScoreSettings, threads: int) -> None:
        import_engine()
        start = time.perf_counter()
        import torch  # lazy: torch in the workers only (import_engine loaded it), never in the parent

        self.settings = settings
        self.threads = max(1, int(threads))
        torch.set_num_threads(self.threads)
        cv2.setNumThreads(self.threads)
        quiet_opencv()

        self.predictor = None
        if settings.engine == MODEL:
            from app.analysis import Predictor  # lazy: imports torch, as above

            digest = file_sha256(settings.checkpoint)
            if digest != settings.checkpoint_sha256:
                raise RuntimeError(f"{settings.checkpoint}: differs on this machine (sha256 {digest[:12]}, expected "
                                   f"{settings.checkpoint_sha256[:12]}); every worker must see the same file")
            self.predictor = Predictor.load(settings.checkpoint, device=settings.device, threads=self.threads,
                                            batch_size=settings.batch_size)
        self.face_config = settings.face_config() if self.predictor is None else self.predictor.face_config
        self.detector = make_detector(self.face_config.detect)
        self.landmarks = LandmarkModel(self.face_config.align.landmarks)
        self.load_s = time.perf_counter() - start

    def face_pipeline(self, fps: float):
        return FacePipeline(self.face_config, fps, detector=self.detector, landmark_model=self.landmarks)

    def describe(self) -> dict:
        out = {"threads": self.threads, "load_s": round(self.load_s, 3)}
        if self.predictor is not None:
            out["device"] = str(self.predictor.device)
        return out


_CACHE: dict[tuple, WorkerModels] = {}


def worker_models(settings: ScoreSettings, threads: int) -> WorkerModels:
    """The process's `WorkerModels` for these settings, loaded on first use only."""
    key = (settings, threads)
    if key not in _CACHE:
        _CACHE.clear()  # one set of models per worker
        _CACHE[key] = WorkerModels(settings, threads)
    return _CACHE[key]


def _reason(error: BaseException) -> str:
    if isinstance(error, (VideoError, NoFaceError)):
        return str(error)
    return f"{type(error).__name__}: {error}"


def score_video(job: JobSpec, models: WorkerModels, progress: Optional[ProgressFn] = None,
                worker: str = "") -> JobResult:
    """Score one video (see the module docstring). Never raises for a bad video; KeyboardInterrupt and
    SystemExit pass through (the outputs being written are then discarded by their atomic writers)."""
    start = time.perf_counter()
    out = Path(job.out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        clear_partial(out)
        run = _score_model if job.settings.engine == MODEL else _score_motion
        scored = run(job, models, out, progress or (lambda done, total: None))
        write_done(out, video_sha256=job.video_sha256, settings=job.settings.describe(),
                   settings_key=job.settings.key, frames=scored.frames, events=scored.events, fps=scored.fps,
                   source_name=Path(job.video).name, sensitivity=scored.sensitivity)
    except Exception as error:  # one bad video must not stop the batch
        with contextlib.suppress(OSError):
            out.rmdir()  # only when empty: a folder is left only where there are outputs
        return JobResult(job.index, "error", seconds=time.perf_counter() - start, error=_reason(error), worker=worker)
    return JobResult(job.index, "ok", scored.frames, scored.events, time.perf_counter() - start, worker=worker,
                     sensitivity=scored.sensitivity)


def _publish_events_and_plot(job: JobSpec, out: Path, events, curves, fps: float, face_ok: np.ndarray,
                             warning: str = "") -> None:
    export_labels(out / OUTPUT_FILES[1], events, Path(job.video))
    engine = "model" if job.settings.engine == MODEL else "motion spotter"
    title = f"{warning + ':  ' if warning else ''}{Path(job.video).name}  ({engine}; {len(events)} suggested events)"
    atomic_write_bytes(out / OUTPUT_FILES[2], render_curves_png(curves, fps, events, face_ok, title))


def _check_faces(video: str, face_ok: np.ndarray) -> None:
    if len(face_ok) and not face_ok.any():
        raise NoFaceError(f"{video}: no usable face in any of its {len(face_ok)} frames")


class _Scored(NamedTuple):
    frames: int
    events: int
    fps: float
    sensitivity: Optional[dict] = None  # the learned spotter's, as `Sensitivity.as_dict()`


def _score_model(job: JobSpec, models: WorkerModels, out: Path, progress: ProgressFn) -> _Scored:
    with open_video(job.video) as video:
        info = video.probe()
        if not info.fps > 0:
            raise ValueError(f"{job.video}: the video has no frame rate")
        with FramesCsvWriter(out / OUTPUT_FILES[0], info.fps) as csv_out:

            def on_chunk(chunk) -> None:
                csv_out.write(chunk)
                progress(csv_out.rows, max(info.n_frames, csv_out.rows))

            found = suggest_events(video, "model", predictor=models.predictor, config=job.settings.analysis_config(),
                                   face_config=models.face_config, face_pipeline=models.face_pipeline(info.fps),
                                   video_name=job.video, subject=Path(job.video).stem, on_chunk=on_chunk)
            if csv_out.rows == 0:
                raise EmptyVideoError(job.video, "no decodable frame")
            _check_faces(job.video, found.face_ok)  # inside the block: frames.csv is not published
    curves = found.probs
    activity = 1.0 - curves[:, PHASES.index("none")].astype(np.float64)
    colours = {"onset": (0, 160, 0), "apex": (0, 0, 220), "offset": (200, 0, 160)}
    plot = {"activity (1 - p_none)": (activity, (60, 60, 60)),
            **{f"p_{phase}": (curves[:, PHASES.index(phase)], colour) for phase, colour in colours.items()}}
    _publish_events_and_plot(job, out, found.events, plot, info.fps, found.face_ok)
    return _Scored(csv_out.rows, len(found.events), float(info.fps))


def _score_motion(job: JobSpec, models: WorkerModels, out: Path, progress: ProgressFn) -> _Scored:
    config = job.settings.motion_config()
    with open_video(job.video) as video:
        info = video.probe()
        if not info.fps > 0:
            raise ValueError(f"{job.video}: the video has no frame rate")
        total = max(1, info.n_frames)

        def on_sample(sample) -> None:
            if sample.frame % 32 == 31:
                progress(sample.frame + 1, max(total, sample.frame + 1))

        result = suggest_events(video, config.method, config=config, face_config=models.face_config,
                                face_pipeline=models.face_pipeline(info.fps), video_name=job.video,
                                subject=Path(job.video).stem, on_sample=on_sample, name=False).spot
    n = len(result.motion)
    if n == 0:
        raise EmptyVideoError(job.video, "no decodable frame")
    _check_faces(job.video, result.face_ok)
    progress(n, n)
    write_motion_csv(out / OUTPUT_FILES[0], result)
    motion = np.asarray(result.motion, np.float64)
    score = np.asarray(result.score, np.float64)
    finite = score[np.isfinite(score)]
    top = max(1.0, float(np.percentile(finite, 99))) if finite.size else 1.0
    plot = {"motion": (motion, (0, 0, 220)), f"score / {top:.2f} % eye span": (score / top, (150, 150, 150))}
    seen = result.sensitivity
    _publish_events_and_plot(job, out, result.events, plot, result.fps, result.face_ok,
                             seen.brief() if seen is not None and seen.blind else "")
    return _Scored(n, len(result.events), float(result.fps), seen.as_dict() if seen is not None else None)
