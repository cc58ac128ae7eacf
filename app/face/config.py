"""Frozen configuration of the face pipeline, serialisable to JSON for cache keys and .npz files."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from typing import Any

DETECTORS = ("hog", "mmod")
LANDMARK_MODELS = ("68", "5")
SUBJECT_POLICIES = ("largest", "leftmost", "rightmost")


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


@dataclass(frozen=True)
class DetectConfig:
    """Where and how often faces are detected.

    A full-frame scan resizes the grayscale frame so that a face of `min_face_px` frame pixels
    reaches the detector's native window (80 px for HOG, 40 px for MMOD), never letting the
    longer side of the scan image exceed `max_scan_side`. While a face is tracked, re-detection
    runs only in a region of interest: the tracked box grown by `roi_margin` of its size on each
    side, resized so the face is about `roi_face_px` pixels.

    While no face is held, full-frame scans run on every `search_every`-th frame only (the frames
    in between count as no face), so that a long stretch without a face costs a fraction of a
    scan per frame instead of a whole one.

    A new subject is chosen by the `subject` policy among the detections scoring at least
    `confident_score` (all detections when none does), so that a weak false positive cannot win
    "largest" over a clear face.
    """

    detector: str = "hog"
    every: int = 15
    search_every: int = 5
    min_face_px: float = 40.0
    max_scan_side: int = 960
    roi_face_px: float = 100.0
    roi_margin: float = 0.6
    hog_threshold: float = 0.0
    subject: str = "largest"
    match_iou: float = 0.3
    confident_score: float = 0.5

    def __post_init__(self) -> None:
        _require(self.detector in DETECTORS, f"detector must be one of {DETECTORS}, got {self.detector!r}")
        _require(self.subject in SUBJECT_POLICIES, f"subject must be one of {SUBJECT_POLICIES}, got {self.subject!r}")
        _require(self.every >= 1, f"every must be >= 1, got {self.every}")
        _require(self.search_every >= 1, f"search_every must be >= 1, got {self.search_every}")
        _require(self.min_face_px > 0, "min_face_px must be > 0")
        _require(self.max_scan_side >= 64, "max_scan_side must be >= 64")
        _require(self.roi_face_px >= 40, "roi_face_px must be >= 40")
        _require(self.roi_margin >= 0, "roi_margin must be >= 0")
        _require(0 < self.match_iou < 1, "match_iou must be in (0, 1)")


@dataclass(frozen=True)
class TrackConfig:
    """Tracking between detections by normalised cross-correlation with the face's appearance at
    the last detection; the peak correlation (at most 1) is the tracking confidence.

    Below `redetect_below` a detection is forced; below `lost_below`, when no detection confirms
    the face, the subject counts as lost. Matching runs at a scale where the face is at most
    `face_px` pixels wide, searching `search_margin` face sizes around the last position.
    """

    redetect_below: float = 0.7
    lost_below: float = 0.4
    face_px: float = 64.0
    search_margin: float = 0.5

    def __post_init__(self) -> None:
        _require(-1 <= self.lost_below <= self.redetect_below <= 1, "need -1 <= lost_below <= redetect_below <= 1")
        _require(self.face_px >= 16, "face_px must be >= 16")
        _require(0.05 <= self.search_margin <= 2, "search_margin must be in [0.05, 2]")


@dataclass(frozen=True)
class AlignConfig:
    """Canonical crop: square `crop_size`, the outer eye corners `eye_span` of the width apart,
    on a horizontal line `eye_line` of the height from the top."""

    landmarks: str = "68"
    crop_size: int = 224
    eye_span: float = 0.38
    eye_line: float = 0.36

    def __post_init__(self) -> None:
        _require(self.landmarks in LANDMARK_MODELS, f"landmarks must be one of {LANDMARK_MODELS}, got {self.landmarks!r}")
        _require(16 <= self.crop_size <= 2048, "crop_size must be in [16, 2048]")
        _require(0.05 <= self.eye_span <= 0.9, "eye_span must be in [0.05, 0.9]")
        _require(0.05 <= self.eye_line <= 0.95, "eye_line must be in [0.05, 0.95]")


@dataclass(frozen=True)
class SmoothConfig:
    """One-Euro filtering of the similarity transform (units: crop pixels and Hz).

    Defaults tuned on a noisy static astronaut clip (crop shake 4x lower than unfiltered) and a
    moving one (+-50 px, +-8 deg, +-10 %: head motion still removed to about 1 crop pixel).

    A jump of the box centre by more than `jump_frac` of the box width, or of its size by more
    than the factor `jump_scale`, between consecutive frames resets the filter.
    """

    enabled: bool = True
    min_cutoff: float = 0.5
    beta: float = 0.5
    d_cutoff: float = 1.0
    jump_frac: float = 0.5
    jump_scale: float = 1.5

    def __post_init__(self) -> None:
        _require(self.min_cutoff > 0 and self.d_cutoff > 0 and self.beta >= 0, "cutoffs must be > 0, beta >= 0")
        _require(self.jump_frac > 0 and self.jump_scale > 1, "jump_frac must be > 0 and jump_scale > 1")


@dataclass(frozen=True)
class QualityConfig:
    """A frame is `ok` when a face was found, it is no jump, the stable landmarks moved at most
    `max_jitter_px` crop pixels since the previous frame, and detection confirmed the face or
    the tracker confidence is at least `min_track_conf`."""

    max_jitter_px: float = 3.0
    min_track_conf: float = 0.6

    def __post_init__(self) -> None:
        _require(self.max_jitter_px > 0 and -1 <= self.min_track_conf <= 1, "need max_jitter_px > 0 and min_track_conf in [-1, 1]")


@dataclass(frozen=True)
class FaceConfig:
    """Everything that changes the pipeline's output (and hence the cache key)."""

    detect: DetectConfig = field(default_factory=DetectConfig)
    track: TrackConfig = field(default_factory=TrackConfig)
    align: AlignConfig = field(default_factory=AlignConfig)
    smooth: SmoothConfig = field(default_factory=SmoothConfig)
    quality: QualityConfig = field(default_factory=QualityConfig)

    def to_json(self) -> str:
        """Canonical JSON (sorted keys), stable across runs."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "FaceConfig":
        """Inverse of `to_json`; unknown keys raise ValueError."""
        return _from_dict(cls, json.loads(text))


def _from_dict(cls: type, data: dict[str, Any]) -> Any:
    known = {f.name: f for f in fields(cls)}
    unknown = set(data) - set(known)
    if unknown:
        raise ValueError(f"unknown {cls.__name__} keys: {sorted(unknown)}")
    kwargs = {}
    for name, value in data.items():
        default = getattr(cls(), name) if name in known else None
        kwargs[name] = _from_dict(type(default), value) if is_dataclass(default) else value
    return cls(**kwargs)
