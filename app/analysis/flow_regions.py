"""Facial regions of interest on an aligned face crop, and the head-motion-compensated mean optical
flow inside each.

A region is a box around a group of the 68 dlib landmarks, grown by margins measured in eye spans
(the distance between the outer eye corners, points 36 and 45), so regions scale with the face.
Residual head motion (what the crop alignment leaves: drift, roll and zoom the stabiliser lags
behind, and the small crop jumps when a re-detection moves the landmarks) is removed by fitting a
similarity transform (shift, rotation, scale) to the flow at the rigid reference points, the nose
bridge and tip (27-30) and the eye corners (36, 39, 42, 45), which expressions hardly move, and
subtracting the motion it predicts for each region.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import cv2
import numpy as np

from app.face.align import apply_transform, fit_similarity
from app.face.pipeline import FaceResult


@dataclass(frozen=True)
class Region:
    """Landmark `points` (68-point indices) and margins (left, top, right, bottom) in eye spans;
    a negative margin shrinks the box."""

    name: str
    points: tuple[int, ...]
    margins: tuple[float, float, float, float]


# Image left/right ("_l" is the left side of the picture, the subject's right).
REGIONS = {
    r.name: r
    for r in (
        Region("brow_l", (17, 18, 19, 20, 21), (0.03, 0.18, 0.03, -0.04)),
        Region("brow_r", (22, 23, 24, 25, 26), (0.03, 0.18, 0.03, -0.04)),
        Region("eye_l", (36, 37, 38, 39, 40, 41), (0.03, 0.05, 0.03, 0.05)),
        Region("eye_r", (42, 43, 44, 45, 46, 47), (0.03, 0.05, 0.03, 0.05)),
        Region("nose_l", (31,), (0.12, 0.07, 0.01, 0.05)),
        Region("nose_r", (35,), (0.01, 0.07, 0.12, 0.05)),
        Region("mouth_l", (48,), (0.09, 0.09, 0.07, 0.09)),
        Region("mouth_r", (54,), (0.07, 0.09, 0.09, 0.09)),
        Region("chin", (7, 8, 9), (0.02, 0.16, 0.02, -0.03)),
        Region("lip_top", (50, 51, 52), (0.02, 0.04, 0.02, 0.0)),
        Region("lip_bot", (56, 57, 58), (0.02, 0.0, 0.02, 0.04)),
    )
}
# Farnebäck settings for ~112 px face crops: pyramid scale, levels, window, iterations, poly_n, poly_sigma, flags.
FARNEBACK = (0.5, 3, 11, 3, 5, 1.1, 0)
GRID = 6          # the head's motion is fitted to a GRID x GRID tiling of the face
GRID_WIDEN = 0.15  # the tiling reaches this many eye spans beyond the outer eye corners
DEFAULT_REGIONS = ("brow_l", "brow_r", "nose_l", "nose_r", "mouth_l", "mouth_r", "chin")
EYE_REGIONS = ("eye_l", "eye_r")
ALL_REGIONS = DEFAULT_REGIONS + EYE_REGIONS
BLINK_PAIRS = (("eye_l", "brow_l"), ("eye_r", "brow_r"))  # (eye, the brow above it)


def flow_crop(result: FaceResult, size: int) -> Optional[tuple[np.ndarray, np.ndarray]]:
    """(grey (size, size) uint8 aligned face crop, its (68, 2) landmarks in crop pixels) of a face-pipeline result;
    None when the frame has no usable face."""
    if not result.ok or result.crop is None or result.landmarks is None or result.transform is None:
        return None
    if len(result.landmarks) != 68:
        raise ValueError("region motion needs the 68-point landmark model")
    crop = result.crop
    gray = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY) if crop.ndim == 3 else crop
    scale = size / gray.shape[1]
    if gray.shape[:2] != (size, size):
        gray = cv2.resize(gray, (size, size), interpolation=cv2.INTER_AREA)
    return gray, apply_transform(result.transform, result.landmarks) * scale


def eye_span(points: np.ndarray) -> float:
    """Distance between the outer eye corners (points 36 and 45) of (68, 2) landmarks."""
    return float(np.hypot(*(points[45] - points[36])))


def region_boxes(points: np.ndarray, regions: tuple[Region, ...], shape: tuple[int, int]) -> np.ndarray:
    """(R, 4) int boxes x0, y0, x1, y1 (end exclusive, at least 1 px, clipped to an image of
    `shape` (h, w)) of `regions` around (68, 2) landmarks given in that image's pixels."""
    points = np.asarray(points, dtype=np.float64)
    if points.shape != (68, 2):
        raise ValueError(f"regions need the 68 landmarks as a (68, 2) array, got {points.shape}")
    span = eye_span(points)
    h, w = shape
    boxes = np.empty((len(regions), 4), dtype=np.intp)
    for i, region in enumerate(regions):
        group = points[list(region.points)]
        left, top, right, bottom = (m * span for m in region.margins)
        x0 = int(np.clip(np.floor(group[:, 0].min() - left), 0, w - 1))
        y0 = int(np.clip(np.floor(group[:, 1].min() - top), 0, h - 1))
        x1 = int(np.clip(np.ceil(group[:, 0].max() + right), x0 + 1, w))
        y1 = int(np.clip(np.ceil(group[:, 1].max() + bottom), y0 + 1, h))
        boxes[i] = (x0, y0, x1, y1)
    return boxes


def box_means(flow: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """(R, 2) mean (dx, dy) of a (h, w, 2) float32 flow inside each of the (R, 4) boxes."""
    integral = cv2.integral(np.ascontiguousarray(flow, dtype=np.float32), sdepth=cv2.CV_64F)  # (h+1, w+1, 2)
    x0, y0, x1, y1 = boxes.T
    sums = integral[y1, x1] - integral[y0, x1] - integral[y1, x0] + integral[y0, x0]
    area = ((x1 - x0) * (y1 - y0)).astype(np.float64)
    return sums / area[:, None]


def grid_boxes(points: np.ndarray, shape: tuple[int, int], n: int = GRID) -> np.ndarray:
    """(n*n, 4) boxes tiling the face from the brows to just above the chin bottom, between the
    outer eye corners widened by `GRID_WIDEN` eye spans on each side."""
    points = np.asarray(points, dtype=np.float64)
    span = eye_span(points)
    x0 = min(points[36, 0], points[45, 0]) - GRID_WIDEN * span
    x1 = max(points[36, 0], points[45, 0]) + GRID_WIDEN * span
    y0 = points[17:27, 1].min() - 0.05 * span
    y1 = points[8, 1] - 0.05 * span
    xs, ys = np.linspace(x0, x1, n + 1), np.linspace(y0, y1, n + 1)
    h, w = shape
    boxes = np.array([(xs[i], ys[j], xs[i + 1], ys[j + 1]) for j in range(n) for i in range(n)])
    boxes = np.round(boxes).astype(np.intp)
    boxes[:, [0, 2]] = np.clip(boxes[:, [0, 2]], 0, w)
    boxes[:, [1, 3]] = np.clip(boxes[:, [1, 3]], 0, h)
    boxes[:, 2] = np.maximum(boxes[:, 2], np.minimum(boxes[:, 0] + 1, w))
    boxes[:, 0] = np.minimum(boxes[:, 0], boxes[:, 2] - 1)
    boxes[:, 3] = np.maximum(boxes[:, 3], np.minimum(boxes[:, 1] + 1, h))
    boxes[:, 1] = np.minimum(boxes[:, 1], boxes[:, 3] - 1)
    return boxes


def head_motion(centres: np.ndarray, moves: np.ndarray, rounds: int = 2, keep: float = 0.6) -> np.ndarray:
    """(2, 3) similarity fitted to block motions (N, 2) at `centres` (N, 2), robustly: refit
    `rounds` times on the `keep` share of blocks that the previous fit explains best, so a few
    blocks moved by an expression or a blink do not bend the head's motion."""
    chosen = np.arange(len(centres))
    head = fit_similarity(centres, centres + moves)
    n_keep = max(3, int(round(keep * len(centres))))
    for _ in range(rounds):
        residual = np.hypot(*(apply_transform(head, centres) - centres - moves).T)
        chosen = np.argsort(residual, kind="stable")[:n_keep]
        head = fit_similarity(centres[chosen], centres[chosen] + moves[chosen])
    return head


def compensated_flow(flow: np.ndarray, points: np.ndarray, regions: tuple[Region, ...]) -> np.ndarray:
    """(R, 2) mean flow of each region minus the head motion there, in eye spans.

    `flow` (h, w, 2) is defined on the grid of the image whose (68, 2) landmarks are `points`. The
    head motion is a similarity transform fitted robustly to the mean flow of a grid of face blocks."""
    boxes = np.vstack([region_boxes(points, regions, flow.shape[:2]), grid_boxes(points, flow.shape[:2])])
    means = box_means(flow, boxes)
    centres = _centres(boxes)
    r = len(regions)
    head = head_motion(centres[r:], means[r:])
    expected = apply_transform(head, centres[:r]) - centres[:r]
    return (means[:r] - expected) / eye_span(points)


def _centres(boxes: np.ndarray) -> np.ndarray:
    """(N, 2) centres of (N, 4) pixel boxes (end exclusive): where a box's mean position lies."""
    return np.column_stack([(boxes[:, 0] + boxes[:, 2] - 1) / 2.0, (boxes[:, 1] + boxes[:, 3] - 1) / 2.0])
