"""Per-frame quality measures and the rule that turns them into one `ok` flag."""

from __future__ import annotations

import math
from typing import Optional

import numpy as np

from app.face.config import QualityConfig, SmoothConfig
from app.face.geometry import Box, center_distance, scale_ratio


def landmark_jitter(previous: Optional[np.ndarray], current: np.ndarray) -> float:
    """RMS displacement, in crop pixels, of the stable landmarks between two consecutive aligned
    frames (NaN without a previous frame). Stable points should not move in a stabilised crop:
    what remains is landmark noise plus head motion the alignment failed to remove."""
    if previous is None:
        return math.nan
    return float(np.sqrt(np.mean(np.sum((current - previous) ** 2, axis=1))))


def is_jump(previous: Optional[Box], current: Box, config: SmoothConfig) -> bool:
    """True when the box centre moved more than `jump_frac` of the face size, or the face size
    changed by more than the factor `jump_scale`, since the previous frame with a face."""
    if previous is None:
        return False
    return center_distance(previous, current) > config.jump_frac or scale_ratio(previous, current) > config.jump_scale


def frame_ok(found: bool, jump: bool, jitter_px: float, det_score: float, track_conf: float, config: QualityConfig) -> bool:
    """The quality rule (see `QualityConfig`). NaN jitter (first frame of a run) does not fail."""
    if not found or jump:
        return False
    if not math.isnan(jitter_px) and jitter_px > config.max_jitter_px:
        return False
    confirmed = not math.isnan(det_score)
    return confirmed or (not math.isnan(track_conf) and track_conf >= config.min_track_conf)
