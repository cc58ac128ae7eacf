"""Per-frame motion of each facial region at several lags: the evidence the learned motion spotter reads.

For every frame t and lag k (`LAGS_S` in seconds, converted with the fps), A_t^k (R, 2) is the mean optical flow
of each region from frame t − k to t, minus the head's motion there, in eye spans (`flow_regions.compensated_flow`
on the 112 px grey face crop, as the training-free spotter measures it). Several lags let one reader see a
1/25 s twitch and a half-second expression alike; the lip regions let it tell speech (lips part, jaw drops) from
a lip-corner movement.

Streaming and memory-bounded: `RegionFlowStream.update` takes the face pipeline's results in frame order and keeps
the grey crops of the last k_max + 1 frames; the per-frame output is (L, R, 2) floats (66 numbers a frame).
"""

from __future__ import annotations

import math
from collections import deque

import cv2
import numpy as np

from app.analysis.flow_regions import ALL_REGIONS, FARNEBACK, REGIONS, compensated_flow, flow_crop
from app.face.pipeline import FaceResult

LAGS_S = (0.1, 0.2, 0.3)
EVIDENCE_REGIONS = ALL_REGIONS + ("lip_top", "lip_bot")
FLOW_SIZE = 112


def lag_frames(fps: float, lags_s: tuple[float, ...] = LAGS_S) -> tuple[int, ...]:
    """The lags in frames at `fps` (at least 1 frame each)."""
    return tuple(max(1, int(round(lag * fps))) for lag in lags_s)


class RegionFlowStream:
    """Feed every `FaceResult` in frame order to `update`; it returns frame t's (L, R, 2) region motion, NaN for a
    lag whose frame t − k is missing or has no usable face. Call `reset` after a seek."""

    def __init__(self, fps: float, lags_s: tuple[float, ...] = LAGS_S,
                 regions: tuple[str, ...] = EVIDENCE_REGIONS, flow_size: int = FLOW_SIZE):
        if not (math.isfinite(fps) and fps > 0):
            raise ValueError(f"fps must be a positive number, got {fps!r}")
        self.lags = lag_frames(fps, lags_s)
        self.regions = tuple(REGIONS[name] for name in regions)
        self.flow_size = flow_size
        self.reset()

    def reset(self) -> None:
        self._crops: deque = deque(maxlen=max(self.lags) + 1)  # (grey, points) or None, oldest first

    def update(self, result: FaceResult) -> np.ndarray:
        now = flow_crop(result, self.flow_size)
        self._crops.append(now)
        out = np.full((len(self.lags), len(self.regions), 2), np.nan)
        if now is None:
            return out
        for j, k in enumerate(self.lags):
            if len(self._crops) > k and (before := self._crops[-1 - k]) is not None:
                flow = cv2.calcOpticalFlowFarneback(before[0], now[0], None, *FARNEBACK)
                out[j] = compensated_flow(flow, before[1], self.regions)
        return out


def go_and_return(moves: np.ndarray, lags: tuple[int, ...]) -> np.ndarray:
    """(n, L, R) score per frame u, lag and region: sqrt(max(0, −A_u · A_{u+k})) in % eye span, large only when the
    region at u is displaced the same way from u − k and from u + k (a movement that went and came back); NaN where
    either is missing. `moves` is the (n, L, R, 2) output of a whole stream."""
    n = len(moves)
    out = np.full(moves.shape[:3], np.nan)
    for j, k in enumerate(lags):
        if n > k:
            dot = (moves[:n - k, j] * moves[k:, j]).sum(axis=-1)
            out[:n - k, j] = np.sqrt(np.maximum(0.0, -dot)) * 100.0
    return out
