"""The training-free motion spotter: a per-frame "motion" curve in [0, 1] from optical flow in facial
regions, and suggested intervals from it. Shown beside the model, and the fallback when no trained
model fits. Method (an optical-flow-peak / MDMD-style spotter, docs/motion_spotter.md):

1. Each aligned face crop (the face pipeline already removes most head motion) is turned grey and
   shrunk to `flow_size` px. For every frame t, Farnebäck flow from frame t−k to t, k = `lag_s`·fps.
2. A_t (R, 2): the flow's mean inside each facial region (brows, nose sides, mouth corners, chin;
   eyes only with `include_eyes`) minus the head motion there (a similarity fitted robustly to a grid
   of face blocks), in eye spans (`app.analysis.flow_regions`). A_t is how far each region moved, relative to the head, since t−k.
3. Frame score s_u = max over regions of sqrt(max(0, −A_u · A_{u+k})), in % of the eye span.
   −A_{u+k} is how far the region at u sits from where it is at u+k, so s_u is large only when frame u
   is displaced the same way from *both* u−k and u+k: a movement that went and came back within
   about 2k frames. Steady or slowly changing head motion (A_u ≈ A_{u+k}) scores 0, and a held
   expression scores only at its edges. The look-ahead makes the output k frames late.
   A brow is ignored while the eye below it scores `blink_ratio` times more (a blink drags the brow).
4. Contrast: x_u = max(0, s_u − baseline_u), baseline = median + `noise_z` robust SDs of the scores of
   the previous `baseline_s` seconds (causal, so streaming equals one pass);
   motion_u = x_u / (x_u + `half_score`).
5. Intervals: `app.analysis.proposals` (smoothing, hysteresis, duration priors) on the curve given as
   probabilities (1 − motion, 0, motion, 0).

A frame is NaN when the face is missing or not `ok` at u−k, u or u+k, and in the first and last k
frames of a run. Memory is constant: k+1 small grey crops and k+1 flow summaries.
"""

from __future__ import annotations

import math
import os
import time
from collections import deque
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, NamedTuple, Optional, Union

import cv2
import numpy as np

from app.analysis.flow_regions import (ALL_REGIONS, BLINK_PAIRS, DEFAULT_REGIONS, EYE_REGIONS, FARNEBACK, REGIONS,
                                      compensated_flow, flow_crop)
from app.analysis.proposals import ProposalConfig, curve_channels, propose_events
from app.analysis.relative_evidence import Sensitivity
from app.core.events import Event
from app.face.config import FaceConfig
from app.face.pipeline import FacePipeline, FaceResult
from app.media import open_video

NOTE = "motion spotter"


def _default_proposals() -> ProposalConfig:
    return ProposalConfig(smooth_s=0.05, theta_hi=0.5, theta_lo=0.2, min_duration_s=0.04, micro_max_s=0.5,
                          macro_max_s=4.0, long_runs="macro")


METHODS = ("learned", "flow")  # the learned spotter (bundled weights) or the training-free optical-flow spotter


@dataclass(frozen=True)
class MotionConfig:
    method: str = "learned"            # "learned": the bundled learned spotter reads region motion; "flow": training-free
    lag_s: float = 0.3                 # k in seconds; transients up to about 2k long score fully
    flow_size: int = 112               # side of the grey crop the flow runs on
    include_eyes: bool = False         # eye regions off by default: blinks would be spotted
    blink_ratio: Optional[float] = 2.0  # brow ignored while its eye moves this many times more (None = off)
    baseline_s: float = 4.0            # window of the causal baseline
    noise_z: float = 3.0               # baseline = median + noise_z robust SDs of the window's scores
    half_score: float = 0.5            # score above baseline (% eye span) that maps to motion 0.5
    proposals: ProposalConfig = field(default_factory=_default_proposals)
    spotter_file: Optional[str] = None  # method "learned": this spotter file (train-spotter's) instead of the bundled

    def __post_init__(self):
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {self.method!r}")
        if not self.lag_s > 0 or not self.baseline_s > 0 or not self.half_score > 0:
            raise ValueError("lag_s, baseline_s and half_score must be > 0")
        if self.noise_z < 0 or (self.blink_ratio is not None and not self.blink_ratio > 0):
            raise ValueError("noise_z must be >= 0 and blink_ratio None or > 0")
        if not 32 <= self.flow_size <= 512:
            raise ValueError(f"flow_size must be in [32, 512], got {self.flow_size}")

    def lag_frames(self, fps: float) -> int:
        return max(1, int(round(self.lag_s * fps)))

    @property
    def scored_regions(self) -> tuple[str, ...]:
        """The regions whose score counts (all regions are measured, for the blink guard)."""
        return DEFAULT_REGIONS + (EYE_REGIONS if self.include_eyes else ())


class MotionSample(NamedTuple):
    """One frame's output: motion in [0, 1] (NaN = not computed), the raw score in % eye span, the
    region that scored highest ('' when NaN) and the face pipeline's ok flag."""

    frame: int
    motion: float
    score: float
    region: str
    face_ok: bool


class _Crop(NamedTuple):
    gray: Optional[np.ndarray]    # (flow_size, flow_size) uint8, None when the face is not usable
    points: Optional[np.ndarray]  # (68, 2) landmarks in gray-crop pixels
    ok: bool


class MotionSpotter:
    """Streaming spotter: feed every `FaceResult` in frame order to `update`, which returns the sample
    of frame index − k once k frames of look-ahead exist (None before); `finish` returns the last k.

    Indices must be consecutive (the face pipeline yields one result per decoded frame); call `reset`
    before starting another stream or after a seek.
    """

    def __init__(self, fps: float, config: MotionConfig = MotionConfig()):
        if not (isinstance(fps, (int, float)) and math.isfinite(fps) and fps > 0):
            raise ValueError(f"fps must be a positive number, got {fps!r}")
        self.fps = float(fps)
        self.config = config
        self.k = config.lag_frames(self.fps)
        self._regions = tuple(REGIONS[name] for name in ALL_REGIONS)
        self.reset()

    def reset(self) -> None:
        self._crops: deque[_Crop] = deque(maxlen=self.k + 1)       # frames t-k .. t
        self._moves: deque[Optional[np.ndarray]] = deque(maxlen=self.k + 1)  # A_{t-k} .. A_t
        self._contrast = Contrast(self.fps, self.config)
        self._next: Optional[int] = None  # index expected next
        self._first: Optional[int] = None

    def update(self, result: FaceResult) -> Optional[MotionSample]:
        index = int(result.index)
        if self._next is not None and index != self._next:
            raise ValueError(f"frame {index} after {self._next - 1}: indices must be consecutive (reset() first)")
        if self._first is None:
            self._first = index
        self._next = index + 1
        crop = self._prepare(result)
        self._crops.append(crop)
        self._moves.append(self._move(self._crops[0], crop) if len(self._crops) == self.k + 1 else None)
        if index - self._first < self.k:
            return None
        return self._emit(index - self.k, self._moves[0], self._moves[-1], self._crops[0].ok)

    def finish(self) -> list[MotionSample]:
        """Samples of the last k frames (no look-ahead: NaN); the spotter is reset afterwards."""
        if self._first is None:
            return []
        last = self._next - 1
        start = max(self._first, last - self.k + 1)
        oks = list(self._crops)[-(last - start + 1):]
        samples = [self._emit(u, None, None, c.ok) for u, c in zip(range(start, last + 1), oks)]
        self.reset()
        return samples

    # ------------------------------------------------------------------ internals

    def _prepare(self, result: FaceResult) -> _Crop:
        prepared = flow_crop(result, self.config.flow_size)
        return _Crop(None, None, bool(result.ok)) if prepared is None else _Crop(*prepared, True)

    def _move(self, before: _Crop, now: _Crop) -> Optional[np.ndarray]:
        """A_t: (R, 2) compensated region flow from `before` (t−k) to `now` (t), in eye spans."""
        if before.gray is None or now.gray is None:
            return None
        flow = cv2.calcOpticalFlowFarneback(before.gray, now.gray, None, *FARNEBACK)
        return compensated_flow(flow, before.points, self._regions)

    def _emit(self, frame: int, back: Optional[np.ndarray], ahead: Optional[np.ndarray], ok: bool) -> MotionSample:
        if back is None or ahead is None:
            return MotionSample(frame, math.nan, math.nan, "", ok)
        score, region = frame_score(back, ahead, self.config)
        return MotionSample(frame, self._contrast.update(score), score, region, ok)


def frame_score(back: np.ndarray, ahead: np.ndarray, config: MotionConfig) -> tuple[float, str]:
    """(score in % eye span, region) of a frame u from A_u = `back` and A_{u+k} = `ahead`, both
    (len(ALL_REGIONS), 2) in eye spans: per region sqrt(max(0, −A_u · A_{u+k})), a brow dropped
    while its eye scores more than `blink_ratio` times as much, then the best scored region."""
    per_region = dict(zip(ALL_REGIONS, np.sqrt(np.maximum(0.0, -(back * ahead).sum(axis=1))) * 100.0))
    if config.blink_ratio is not None:
        for eye, brow in BLINK_PAIRS:
            if per_region[eye] > config.blink_ratio * per_region[brow]:
                per_region[brow] = 0.0
    best = max(config.scored_regions, key=lambda name: per_region[name])
    return float(per_region[best]), best


class Contrast:
    """Causal contrast normalisation of a score stream: motion = x / (x + half_score) with
    x = max(0, score − baseline), baseline from the `baseline_s` seconds of scores before it."""

    def __init__(self, fps: float, config: MotionConfig):
        self.config = config
        self._scores: deque[float] = deque(maxlen=max(1, int(round(config.baseline_s * fps))))

    def update(self, score: float) -> float:
        baseline = robust_baseline(np.fromiter(self._scores, float), self.config.noise_z)
        self._scores.append(score)
        excess = max(0.0, score - baseline)
        return excess / (excess + self.config.half_score)


def robust_baseline(scores: np.ndarray, noise_z: float) -> float:
    """median + noise_z · 1.4826 · MAD of the (m,) recent scores; 0 without any."""
    if scores.size == 0:
        return 0.0
    median = float(np.median(scores))
    return median + noise_z * 1.4826 * float(np.median(np.abs(scores - median)))


# ---------------------------------------------------------------------- whole videos


@dataclass
class SpotResult:
    """Per-frame arrays of length n (the frames read) and the suggested events."""

    fps: float
    motion: np.ndarray   # (n,) float64 in [0, 1], NaN = not computed
    score: np.ndarray    # (n,) float64, % eye span, NaN = not computed
    region: list[str]    # (n,) best region per frame ('' when NaN)
    face_ok: np.ndarray  # (n,) bool
    events: list[Event]
    seconds: float = 0.0  # wall time of the run
    sensitivity: Optional[Sensitivity] = None  # learned: what its relative evidence could see in this video
    relative: Optional[np.ndarray] = None  # learned: (n,) its micro-like relative score (`micro_like_score`)

    @property
    def curve(self) -> np.ndarray:
        return self.motion


def samples_to_arrays(samples: list[MotionSample]) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray]:
    """(motion, score, region, face_ok) of samples in frame order starting at frame 0."""
    n = samples[-1].frame + 1 if samples else 0
    motion = np.full(n, np.nan)
    score = np.full(n, np.nan)
    region = [""] * n
    face_ok = np.zeros(n, dtype=bool)
    for s in samples:
        motion[s.frame], score[s.frame], region[s.frame], face_ok[s.frame] = s.motion, s.score, s.region, s.face_ok
    return motion, score, region, face_ok


def motion_events(motion: np.ndarray, fps: float, *, video: str, subject: str = "",
                  config: MotionConfig = MotionConfig(), region: Optional[list[str]] = None) -> list[Event]:
    """Suggested events (source=model, status=suggested, notes 'motion spotter (region at apex)') from
    a (n,) motion curve, through `propose_events`."""
    events = propose_events(curve_channels(motion), fps, video=video, subject=subject, config=config.proposals, id_prefix="motion-")
    out = []
    for e in events:
        where = region[e.apex_frame] if region is not None and region[e.apex_frame] else ""
        out.append(replace(e, notes=f"{NOTE} ({where})" if where else NOTE))
    return out


def spot_video(source: Union[str, os.PathLike, "object"], config: MotionConfig = MotionConfig(), *,
               face_config: FaceConfig = FaceConfig(), fps: Optional[float] = None,
               pipeline: Optional[FacePipeline] = None, video_name: Optional[str] = None, subject: Optional[str] = None,
               on_sample: Optional[Callable[[MotionSample], None]] = None) -> SpotResult:
    """Run the face pipeline and the spotter over a whole video (a path or an open `VideoSource`).

    `fps` sets a frame folder's rate; `pipeline` reuses loaded face models; `on_sample` sees every
    sample as it is produced (progress). Events name the video `video_name` (default: its path) and
    the subject `subject` (default: the video's file stem)."""
    landmarks = (pipeline.config if pipeline is not None else face_config).align.landmarks
    if landmarks != "68":
        raise ValueError(f"the motion spotter needs the 68-point landmark model, the face config uses {landmarks}")
    owned = isinstance(source, (str, os.PathLike))
    video = open_video(source, fps=fps) if owned else source
    try:
        info = video.probe()
        name = video_name if video_name is not None else str(info.path)
        subject = subject if subject else (Path(str(info.path)).stem or "subject")
        pipeline = pipeline if pipeline is not None else FacePipeline(face_config, info.fps)
        if config.method == "learned":
            return _spot_learned(video, info.fps, pipeline, name, subject, on_sample, config.spotter_file)
        spotter = MotionSpotter(info.fps, config)
        samples: list[MotionSample] = []

        def keep(sample: Optional[MotionSample]) -> None:
            if sample is not None:
                samples.append(sample)
                if on_sample is not None:
                    on_sample(sample)

        start = time.perf_counter()
        for result in pipeline.run(video.iter_frames()):
            keep(spotter.update(result))
        for sample in spotter.finish():
            keep(sample)
        seconds = time.perf_counter() - start
    finally:
        if owned:
            video.close()
    motion, score, region, face_ok = samples_to_arrays(samples)
    events = motion_events(motion, info.fps, video=name, subject=subject, config=config, region=region)
    return SpotResult(info.fps, motion, score, region, face_ok, events, seconds)


def _spot_learned(video, fps: float, pipeline: FacePipeline, name: str, subject: str,
                  on_sample: Optional[Callable[[MotionSample], None]], spotter_file: Optional[str]) -> SpotResult:
    """The learned spotter (the bundled one, or `spotter_file`) over an open video: region motion as the frames go
    by, then the whole video's curves and events (`on_sample` sees a progress sample, motion NaN, per frame)."""
    # lazy: torch; the flow method needs none
    from app.analysis.learned_spotter import LearnedRun, default_spotter, spotter_at

    run = LearnedRun(spotter_at(spotter_file) if spotter_file else default_spotter(), fps)
    face_ok = []
    start = time.perf_counter()
    for result in pipeline.run(video.iter_frames()):
        run.update(result)
        face_ok.append(bool(result.ok))
        if on_sample is not None:
            on_sample(MotionSample(int(result.index), math.nan, math.nan, "", bool(result.ok)))
    found = run.finish(video=name, subject=subject)
    return SpotResult(fps, found.curve, found.evidence, found.region, np.asarray(face_ok, bool), found.events,
                      time.perf_counter() - start, found.sensitivity, found.relative)
