"""Plain box arithmetic shared by detection, subject selection and quality checks.

A box is a tuple (x0, y0, x1, y1) of floats, x1/y1 exclusive, in the pixels of some image.
"""

from __future__ import annotations

import math

Box = tuple[float, float, float, float]


def box_size(box: Box) -> float:
    """Geometric mean of width and height."""
    return math.sqrt(max(box[2] - box[0], 0.0) * max(box[3] - box[1], 0.0))


def box_center(box: Box) -> tuple[float, float]:
    return ((box[0] + box[2]) / 2.0, (box[1] + box[3]) / 2.0)


def grow_box(box: Box, margin: float) -> Box:
    """The box grown by `margin` times its width/height on every side."""
    dx = (box[2] - box[0]) * margin
    dy = (box[3] - box[1]) * margin
    return (box[0] - dx, box[1] - dy, box[2] + dx, box[3] + dy)


def clip_box(box: Box, width: int, height: int) -> Box:
    return (
        min(max(box[0], 0.0), float(width)),
        min(max(box[1], 0.0), float(height)),
        min(max(box[2], 0.0), float(width)),
        min(max(box[3], 0.0), float(height)),
    )


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two boxes (0 when they do not overlap)."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def center_distance(a: Box, b: Box) -> float:
    """Distance between the box centres, in units of the size of `a`."""
    (ax, ay), (bx, by) = box_center(a), box_center(b)
    return math.hypot(ax - bx, ay - by) / max(box_size(a), 1e-6)


def scale_ratio(a: Box, b: Box) -> float:
    """How many times larger the bigger of the two boxes is (>= 1)."""
    sa, sb = max(box_size(a), 1e-6), max(box_size(b), 1e-6)
    return max(sa, sb) / min(sa, sb)
