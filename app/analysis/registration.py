"""Pair registration: the residual head motion between the two frames of a pair, removed before the model
compares them (this project's addition, not in the paper; `PairingPolicy.register = "flow"`).

The face pipeline aligns every frame on its own, from landmarks smoothed over time, so two aligned crops of a
moving head still differ by a small shift, rotation and zoom (the stabiliser lags behind, landmarks jitter). In
the model's temporal input, apex − onset, that residual draws every edge of the face, hair and collar, and at
micro-expression amplitudes (1-5 px) it is as strong as the expression itself. Registration removes it:

1. Both crops, grey, shrunk to `REGISTRATION_SIZE` px; Farnebäck flow from the reference to the current crop.
2. The flow's mean in each block of a `GRID` x `GRID` tiling of the canonical face area (brows to chin, outer
   eye corners widened a little); a similarity transform fitted robustly to the block motions, refitted on the
   blocks it explains best (`flow_regions.head_motion`), so a block moved by an expression does not bend it.
   Then once more on the current thumbnail warped by that fit, the two fits composed (`PASSES`).
3. The current crop is warped by that similarity onto the reference crop (one bilinear warp at crop resolution,
   border pixels repeated); the reference crop is never touched, so its cached features stay valid.

What is left in apex − onset is motion relative to the head: expressions, blinks, talking, lighting. It is
identity-independent in a way the raw difference is not, which is what lets a model trained on a few faces carry
over to others. About 4 ms per pair on one CPU core.
"""

from __future__ import annotations

from typing import Optional

import cv2
import numpy as np

from app.analysis.flow_regions import FARNEBACK, box_means, head_motion
from app.face.config import AlignConfig

REGISTRATION_SIZE = 112
GRID = 8
PASSES = 2


def registration_thumb(crop: np.ndarray) -> np.ndarray:
    """Aligned RGB crop (S, S, 3) uint8 → grey (REGISTRATION_SIZE, REGISTRATION_SIZE) uint8."""
    grey = cv2.cvtColor(np.ascontiguousarray(crop), cv2.COLOR_RGB2GRAY)
    return cv2.resize(grey, (REGISTRATION_SIZE, REGISTRATION_SIZE), interpolation=cv2.INTER_AREA)


def _face_blocks(size: int, align: AlignConfig = AlignConfig()) -> np.ndarray:
    """(GRID², 4) boxes x0, y0, x1, y1 (end exclusive) tiling the canonical face area of a `size` px crop."""
    span = align.eye_span
    x0, x1 = 0.5 - 0.65 * span, 0.5 + 0.65 * span
    y0, y1 = align.eye_line - 0.35 * span, align.eye_line + 1.2 * span
    xs = np.round(np.linspace(x0, x1, GRID + 1) * size).astype(np.intp)
    ys = np.round(np.linspace(y0, min(1.0, y1), GRID + 1) * size).astype(np.intp)
    return np.array([(xs[i], ys[j], max(xs[i + 1], xs[i] + 1), max(ys[j + 1], ys[j] + 1))
                     for j in range(GRID) for i in range(GRID)], dtype=np.intp)


_BLOCKS = _face_blocks(REGISTRATION_SIZE)
# Flow is computed only on the face area and a margin around it (half the thumbnail's pixels, half the time).
_MARGIN = 8
_X0, _Y0 = np.maximum(0, _BLOCKS[:, :2].min(axis=0) - _MARGIN)
_X1, _Y1 = np.minimum(REGISTRATION_SIZE, _BLOCKS[:, 2:].max(axis=0) + _MARGIN)
_ROI_BLOCKS = _BLOCKS - np.array([_X0, _Y0, _X0, _Y0])
_CENTRES = np.column_stack([(_BLOCKS[:, 0] + _BLOCKS[:, 2] - 1) / 2.0, (_BLOCKS[:, 1] + _BLOCKS[:, 3] - 1) / 2.0])


def residual_motion(ref_thumb: np.ndarray, cur_thumb: np.ndarray) -> np.ndarray:
    """(2, 3) similarity mapping reference-thumbnail pixels to where they are in the current thumbnail: fitted,
    then refined once on the current thumbnail warped by the first fit (Farnebäck's block means are biased
    towards zero motion; the second pass brings the error from about 0.15 to 0.01 thumbnail px)."""
    motion = np.eye(3)
    moved = cur_thumb
    for _ in range(PASSES):
        flow = cv2.calcOpticalFlowFarneback(ref_thumb[_Y0:_Y1, _X0:_X1], moved[_Y0:_Y1, _X0:_X1], None, *FARNEBACK)
        motion = motion @ np.vstack([head_motion(_CENTRES, box_means(flow, _ROI_BLOCKS)), [0.0, 0.0, 1.0]])
        moved = cv2.warpAffine(cur_thumb, motion[:2], cur_thumb.shape[::-1],
                               flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE)
    return motion[:2]


def _to_crop_pixels(transform: np.ndarray, crop_size: int) -> np.ndarray:
    """A thumbnail-pixel transform → the same motion in pixels of a `crop_size` crop (pixel centres mapped as
    cv2.resize maps them: x_crop = f·(x_thumb + 0.5) − 0.5)."""
    f = crop_size / REGISTRATION_SIZE
    up = np.array([[f, 0.0, 0.5 * f - 0.5], [0.0, f, 0.5 * f - 0.5], [0.0, 0.0, 1.0]])
    down = np.linalg.inv(up)
    return (up @ np.vstack([transform, [0.0, 0.0, 1.0]]) @ down)[:2]


def crop_motion(ref_crop: np.ndarray, cur_crop: np.ndarray, ref_thumb: Optional[np.ndarray] = None,
                cur_thumb: Optional[np.ndarray] = None) -> np.ndarray:
    """(2, 3) similarity mapping `ref_crop` pixels to where they are in `cur_crop` (square crops of one size).
    Thumbnails from `registration_thumb` may be passed when already made."""
    ref_thumb = registration_thumb(ref_crop) if ref_thumb is None else ref_thumb
    cur_thumb = registration_thumb(cur_crop) if cur_thumb is None else cur_thumb
    return _to_crop_pixels(residual_motion(ref_thumb, cur_thumb), cur_crop.shape[1])


def register_crop(ref_crop: np.ndarray, cur_crop: np.ndarray, ref_thumb: Optional[np.ndarray] = None,
                  cur_thumb: Optional[np.ndarray] = None) -> np.ndarray:
    """`cur_crop` warped onto `ref_crop` (same size, RGB uint8): the head's residual motion between them removed."""
    size = cur_crop.shape[1]
    return cv2.warpAffine(cur_crop, crop_motion(ref_crop, cur_crop, ref_thumb, cur_thumb), (size, cur_crop.shape[0]),
                          flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE)
