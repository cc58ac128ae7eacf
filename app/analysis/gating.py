"""Which frames the model analyses: a stride, a cheap motion gate and a cost budget (the default "fast" mode).

The motion score of frame t is the mean absolute grey-level difference (0-255 scale) between 32×32 thumbnails
of the aligned crops of the pair's frames, r(t) and t, over the inner face (the crop's border is left out, where
alignment jitter and background dominate). It costs about 0.05 ms a frame and needs no model.

`Gate.decide` is called once per frame, in order. A frame is analysed when all of these hold:

1. both crops of the pair are good (`ok`), so a pair exists at all;
2. t is on the stride grid (t % stride == 0);
3. with the motion gate on: the score exceeds the running baseline (an exponential moving mean of the score)
   by `gate_z` running mean absolute deviations — or no frame has been analysed for `max_gap_s` (keep-alive, so
   the spotting head receives evidence at least that often while a face is visible);
4. with a budget: a token is available. Tokens accrue at `budget_pairs_per_s` per second of video up to
   `burst_s` seconds' worth, so a burst of motion is analysed densely while the long-run cost stays bounded.

All state is a handful of floats, so the decision for frame t depends only on frames ≤ t and is the same however
the stream is cut into chunks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import cv2
import numpy as np

THUMB_SIZE = 32
THUMB_MARGIN = 4  # thumbnail pixels left out on each side: 4/32 of the crop, mostly background and hair


def motion_thumbnail(crop: np.ndarray) -> np.ndarray:
    """Aligned RGB crop (S, S, 3) uint8 → inner-face grey thumbnail (24, 24) float32, 0..255."""
    grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    small = cv2.resize(grey, (THUMB_SIZE, THUMB_SIZE), interpolation=cv2.INTER_AREA)
    return small[THUMB_MARGIN:-THUMB_MARGIN, THUMB_MARGIN:-THUMB_MARGIN].astype(np.float32)


def motion_score(reference: np.ndarray, current: np.ndarray) -> float:
    """Mean absolute difference of two thumbnails from `motion_thumbnail`."""
    return float(np.mean(np.abs(current - reference)))


@dataclass(frozen=True)
class GatingPolicy:
    """Knobs of the frame selection; see the module docstring. `stride` None derives it from fps."""

    stride: Optional[int] = 1
    motion_gate: bool = False
    gate_z: float = 1.0
    baseline_s: float = 2.0
    max_gap_s: float = 0.5
    budget_pairs_per_s: Optional[float] = None
    burst_s: float = 1.0
    stride_hz: float = 15.0  # with stride None: the stride is round(fps / stride_hz), at least 1

    def __post_init__(self) -> None:
        if self.stride is not None and (isinstance(self.stride, bool) or not isinstance(self.stride, int) or self.stride < 1):
            raise ValueError(f"stride must be an integer >= 1, got {self.stride!r}")
        if self.baseline_s <= 0 or self.max_gap_s <= 0 or self.burst_s <= 0 or self.stride_hz <= 0:
            raise ValueError("baseline_s, max_gap_s, burst_s and stride_hz must be positive")
        if self.budget_pairs_per_s is not None and self.budget_pairs_per_s <= 0:
            raise ValueError("budget_pairs_per_s must be positive (or None for no budget)")

    def resolved_stride(self, fps: float) -> int:
        return self.stride if self.stride is not None else max(1, round(fps / self.stride_hz))

    def describe(self, fps: float) -> dict:
        """Plain values for provenance."""
        return {
            "stride": self.resolved_stride(fps),
            "motion_gate": self.motion_gate,
            "gate_z": self.gate_z,
            "baseline_s": self.baseline_s,
            "max_gap_s": self.max_gap_s,
            "budget_pairs_per_s": self.budget_pairs_per_s,
            "burst_s": self.burst_s,
        }


class Gate:
    """Stateful per-frame decision for one stream at `fps`."""

    def __init__(self, policy: GatingPolicy, fps: float) -> None:
        self.policy = policy
        self.stride = policy.resolved_stride(fps)
        self._alpha = min(1.0, 1.0 / (policy.baseline_s * fps))
        self._max_gap = max(1, round(policy.max_gap_s * fps))
        self._token_rate = None if policy.budget_pairs_per_s is None else policy.budget_pairs_per_s / fps
        self._capacity = None if policy.budget_pairs_per_s is None else max(1.0, policy.budget_pairs_per_s * policy.burst_s)
        self._tokens = self._capacity
        self._mean: Optional[float] = None
        self._deviation = 0.0
        self._last_analysed: Optional[int] = None

    def _update_baseline(self, score: float) -> tuple[float, float]:
        """Returns the baseline (mean, deviation) *before* this score, then folds the score in."""
        if self._mean is None:
            self._mean = score
        before = (self._mean, self._deviation)
        self._deviation += self._alpha * (abs(score - self._mean) - self._deviation)
        self._mean += self._alpha * (score - self._mean)
        return before

    def decide(self, t: int, pair_ok: bool, score: float) -> bool:
        """Whether the model analyses frame t, given that its pair is valid and its motion score (NaN if not)."""
        if self._tokens is not None:
            self._tokens = min(self._capacity, self._tokens + self._token_rate)
        if not pair_ok:
            return False
        moving = True
        if self.policy.motion_gate and math.isfinite(score):
            mean, deviation = self._update_baseline(score)
            moving = score > mean + self.policy.gate_z * deviation
        if t % self.stride:
            return False
        stale = self._last_analysed is None or t - self._last_analysed >= self._max_gap
        if self.policy.motion_gate and not (moving or stale):
            return False
        if self._tokens is not None:
            if self._tokens < 1.0:
                return False
            self._tokens -= 1.0
        self._last_analysed = t
        return True
