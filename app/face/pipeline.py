"""The streaming face pipeline: frames in, one `FaceResult` (with the aligned crop) out per frame.

Nothing but the current frame is held; memory stays flat however long the video.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Iterator, Optional

import cv2
import numpy as np

from app.face.align import apply_transform, fit_similarity, stable_indices, template_points, warp_crop
from app.face.config import FaceConfig
from app.face.detect import FaceDetector, make_detector
from app.face.landmarks import LandmarkModel
from app.face.locate import FaceLocator, Location
from app.face.quality import frame_ok, is_jump, landmark_jitter
from app.face.smoothing import TransformStabilizer


@dataclass(frozen=True, eq=False)
class FaceResult:
    """The pipeline's output for one frame.

    box (4,) x0, y0, x1, y1 and landmarks (K, 2) are in frame pixels; transform (2, 3) maps frame
    pixels to crop pixels; crop is the aligned RGB uint8 face. All four are None when no face
    was found. det_score is NaN unless a detection confirmed the face this frame; track_conf is
    the template-tracking correlation (NaN without a running track); jitter_px is NaN without a previous frame.
    """

    index: int
    found: bool
    crop: Optional[np.ndarray]
    box: Optional[np.ndarray]
    landmarks: Optional[np.ndarray]
    transform: Optional[np.ndarray]
    detected: bool
    det_score: float
    track_conf: float
    jitter_px: float
    jump: bool
    ok: bool


def _no_face(index: int, location: Optional[Location] = None) -> FaceResult:
    detected = location.detected if location else False
    track_conf = location.track_conf if location else math.nan
    return FaceResult(index, False, None, None, None, None, detected, math.nan, track_conf, math.nan, False, False)


def check_frame(index: object, frame: object, previous_index: Optional[int]) -> int:
    """Validate one `(index, frame)` item; returns the index as int, raises ValueError otherwise."""
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
        raise ValueError(f"frame index must be an int, got {type(index).__name__}")
    index = int(index)
    if previous_index is not None and index <= previous_index:
        raise ValueError(f"frame indices must increase: {index} after {previous_index}")
    if frame is None:
        return index
    if not isinstance(frame, np.ndarray):
        raise ValueError(f"frame {index}: expected a numpy array, got {type(frame).__name__}")
    if frame.dtype != np.uint8:
        raise ValueError(f"frame {index}: expected dtype uint8, got {frame.dtype}")
    if frame.ndim != 3 or frame.shape[2] != 3 or frame.shape[0] < 16 or frame.shape[1] < 16:
        raise ValueError(f"frame {index}: expected an RGB array of shape (H, W, 3) with H, W >= 16, got {frame.shape}")
    return index


class FacePipeline:
    """Detect, track, fit landmarks, align and rate every frame of a stream.

    Models are loaded once here; each `run` starts from a clean state, so one pipeline can
    process several videos in turn (not concurrently). `detector` and `landmark_model` may be
    passed in to share loaded models (they must match `config`).
    """

    def __init__(
        self,
        config: FaceConfig = FaceConfig(),
        fps: float = 30.0,
        *,
        detector: Optional[FaceDetector] = None,
        landmark_model: Optional[LandmarkModel] = None,
        make_crops: bool = True,
    ):
        if not isinstance(config, FaceConfig):
            raise ValueError(f"config must be a FaceConfig, got {type(config).__name__}")
        if not (isinstance(fps, (int, float)) and math.isfinite(fps) and fps > 0):
            raise ValueError(f"fps must be a positive number, got {fps!r}")
        if landmark_model is not None and landmark_model.kind != config.align.landmarks:
            raise ValueError(f"landmark model is {landmark_model.kind}-point, config asks for {config.align.landmarks}")
        self.config = config
        self.fps = float(fps)
        self.make_crops = make_crops
        self._detector = detector if detector is not None else make_detector(config.detect)
        self._landmarks = landmark_model if landmark_model is not None else LandmarkModel(config.align.landmarks)
        self._stable = stable_indices(config.align.landmarks)
        self._template = template_points(config.align)

    def run(self, frames: Iterable[tuple[int, Optional[np.ndarray]]]) -> Iterator[FaceResult]:
        """Yield one FaceResult per `(index, frame_or_None)`; None (a damaged frame) gives a
        not-found result and the run goes on. Indices must increase; frames must be RGB uint8."""
        cfg = self.config
        locator = FaceLocator(self._detector, cfg.detect, cfg.track)
        stabilizer = TransformStabilizer(cfg.smooth, cfg.align.crop_size)
        last_index: Optional[int] = None
        last_box = None  # box of the last frame with a face, while the subject is held
        last_points = None  # stable landmarks in crop pixels, previous frame only
        for item in frames:
            index, frame = item
            index = check_frame(index, frame, last_index)
            consecutive = last_index is not None and index == last_index + 1
            last_index = index
            if frame is None:
                last_points = None
                yield _no_face(index)
                continue
            gray = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
            location = locator.locate(gray)
            if location.box is None:
                stabilizer.reset()
                last_box = last_points = None
                yield _no_face(index, location)
                continue
            box = location.box
            landmarks = self._landmarks.fit(gray, box)
            jump = is_jump(last_box, box, cfg.smooth)
            if location.acquired or jump:
                stabilizer.reset()
            raw = fit_similarity(landmarks[self._stable], self._template)
            transform = stabilizer.update(raw, index / self.fps)
            points = apply_transform(transform, landmarks[self._stable])
            jitter = landmark_jitter(last_points if consecutive and not location.acquired else None, points)
            last_box, last_points = box, points
            crop = warp_crop(frame, transform, cfg.align.crop_size) if self.make_crops else None
            ok = frame_ok(True, jump, jitter, location.det_score, location.track_conf, cfg.quality)
            yield FaceResult(
                index=index,
                found=True,
                crop=crop,
                box=np.asarray(box, dtype=np.float32),
                landmarks=landmarks,
                transform=transform.astype(np.float32),
                detected=location.detected,
                det_score=location.det_score,
                track_conf=location.track_conf,
                jitter_px=jitter,
                jump=jump,
                ok=ok,
            )
