"""Face detectors (dlib HOG and MMOD CNN) and the two ways the pipeline runs them: a full-frame
scan and a re-detection in a region of interest around the tracked face."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import cv2
import dlib
import numpy as np

from app.face.config import DetectConfig
from app.face.geometry import Box, clip_box, grow_box
from app.resources import dlib_model_path


@dataclass(frozen=True)
class Detection:
    """One detected face: box (x0, y0, x1, y1) in the coordinates of the image searched, and
    the detector's score (HOG: SVM margin; MMOD: CNN confidence)."""

    box: Box
    score: float


class FaceDetector(Protocol):
    """Finds faces at the image's own scale (no upsampling)."""

    native_face_px: float  # smallest face side, in pixels, the detector finds reliably

    def detect(self, gray: np.ndarray) -> list[Detection]: ...


class HogDetector:
    """dlib's frontal-face HOG + linear SVM detector (sliding 80x80 window)."""

    native_face_px = 80.0

    def __init__(self, threshold: float = 0.0):
        self._detector = dlib.get_frontal_face_detector()
        self._threshold = float(threshold)

    def detect(self, gray: np.ndarray) -> list[Detection]:
        # dlib reads the buffer as C-contiguous: a strided view (an ROI slice) must be copied.
        rects, scores, _ = self._detector.run(np.ascontiguousarray(gray), 0, self._threshold)
        return [Detection(_rect_box(r), float(s)) for r, s in zip(rects, scores)]


class MmodDetector:
    """dlib's MMOD CNN face detector (robust to pose, about 1 fps on a CPU at 640x480)."""

    native_face_px = 40.0

    def __init__(self) -> None:
        self._detector = dlib.cnn_face_detection_model_v1(str(dlib_model_path("mmod")))

    def detect(self, gray: np.ndarray) -> list[Detection]:
        found = self._detector(np.ascontiguousarray(gray), 0)
        return [Detection(_rect_box(d.rect), float(d.confidence)) for d in found]


def make_detector(config: DetectConfig) -> FaceDetector:
    """The detector named by `config.detector`."""
    if config.detector == "mmod":
        return MmodDetector()
    return HogDetector(config.hog_threshold)


def scan_scale(frame_shape: tuple[int, ...], detector: FaceDetector, config: DetectConfig) -> float:
    """Resize factor for a full-frame scan: faces of `min_face_px` reach the detector's native
    size, unless that makes the scan image's longer side exceed `max_scan_side`."""
    wanted = detector.native_face_px / config.min_face_px
    cap = config.max_scan_side / max(frame_shape[0], frame_shape[1])
    return min(wanted, cap)


def scan_frame(gray: np.ndarray, detector: FaceDetector, config: DetectConfig) -> list[Detection]:
    """All faces in the whole frame, boxes in frame pixels."""
    scale = scan_scale(gray.shape, detector, config)
    return _detect_scaled(gray, detector, scale, (0.0, 0.0))


def scan_roi(gray: np.ndarray, box: Box, detector: FaceDetector, config: DetectConfig) -> list[Detection]:
    """Faces in the tracked box grown by `roi_margin`, searched at `roi_face_px`; boxes in frame
    pixels. Returns [] when the region lies outside the frame."""
    height, width = gray.shape[:2]
    x0, y0, x1, y1 = (int(round(v)) for v in clip_box(grow_box(box, config.roi_margin), width, height))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return []
    face_side = max(box[2] - box[0], box[3] - box[1], 1.0)
    scale = config.roi_face_px / face_side
    return _detect_scaled(gray[y0:y1, x0:x1], detector, scale, (float(x0), float(y0)))


def _detect_scaled(gray: np.ndarray, detector: FaceDetector, scale: float, offset: tuple[float, float]) -> list[Detection]:
    if abs(scale - 1.0) > 1e-3:
        interpolation = cv2.INTER_AREA if scale < 1.0 else cv2.INTER_LINEAR
        gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=interpolation)
    ox, oy = offset
    return [
        Detection((d.box[0] / scale + ox, d.box[1] / scale + oy, d.box[2] / scale + ox, d.box[3] / scale + oy), d.score)
        for d in detector.detect(gray)
    ]


def _rect_box(rect: "dlib.rectangle") -> Box:
    return (float(rect.left()), float(rect.top()), float(rect.right() + 1), float(rect.bottom() + 1))
