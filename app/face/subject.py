"""Which face is the subject: chosen once by a policy, then followed by overlap with the tracked box."""

from __future__ import annotations

import math
from typing import Optional, Sequence

from app.face.detect import Detection
from app.face.geometry import Box, box_center, box_size, center_distance, iou, scale_ratio

_MAX_CENTER_DISTANCE = 0.5  # in face sizes; fallback when overlap alone is ambiguous
_MAX_SCALE_RATIO = 1.5


def pick_subject(detections: Sequence[Detection], policy: str, confident_score: float = -math.inf) -> Optional[Detection]:
    """The face a new track starts on: 'largest', 'leftmost' or 'rightmost' (by box centre),
    among the detections scoring at least `confident_score` (among all when none does)."""
    if not detections:
        return None
    confident = [d for d in detections if d.score >= confident_score]
    detections = confident or detections
    if policy == "largest":
        return max(detections, key=lambda d: box_size(d.box))
    if policy == "leftmost":
        return min(detections, key=lambda d: box_center(d.box)[0])
    if policy == "rightmost":
        return max(detections, key=lambda d: box_center(d.box)[0])
    raise ValueError(f"unknown subject policy {policy!r}")


def match_subject(detections: Sequence[Detection], tracked: Box, min_iou: float) -> Optional[Detection]:
    """The detection that is the tracked subject, or None.

    The best-overlapping detection wins if its IoU reaches `min_iou`; otherwise the detection
    whose centre is nearest, if it lies within half a face size and has a similar size.
    """
    if not detections:
        return None
    best = max(detections, key=lambda d: iou(d.box, tracked))
    if iou(best.box, tracked) >= min_iou:
        return best
    nearest = min(detections, key=lambda d: center_distance(tracked, d.box))
    if center_distance(tracked, nearest.box) <= _MAX_CENTER_DISTANCE and scale_ratio(tracked, nearest.box) <= _MAX_SCALE_RATIO:
        return nearest
    return None
