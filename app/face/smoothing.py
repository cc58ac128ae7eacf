"""Temporal stabilisation of the alignment transform with a One-Euro filter.

The One-Euro filter (Casiez, Roussel & Vogel, CHI 2012) is a low-pass filter whose cutoff rises
with the signal's speed: strong smoothing of landmark jitter while the head is still, little lag
when it moves. Only transform parameters are filtered, never pixels.
"""

from __future__ import annotations

import math
from typing import Optional

import numpy as np

from app.face.align import from_params, to_params
from app.face.config import SmoothConfig


def _alpha(cutoff_hz: float, dt: float) -> float:
    tau = 1.0 / (2.0 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt)


class OneEuroFilter:
    """One-Euro filter over a vector; each component gets its own speed-dependent cutoff."""

    def __init__(self, min_cutoff: float, beta: float, d_cutoff: float):
        self.min_cutoff = min_cutoff
        self.beta = beta
        self.d_cutoff = d_cutoff
        self._value: Optional[np.ndarray] = None
        self._speed: Optional[np.ndarray] = None

    def reset(self) -> None:
        self._value = None
        self._speed = None

    def __call__(self, x: np.ndarray, dt: float) -> np.ndarray:
        """Filtered value of sample `x`, taken `dt` seconds after the previous one."""
        x = np.asarray(x, dtype=np.float64)
        if self._value is None or dt <= 0:
            self._value, self._speed = x.copy(), np.zeros_like(x)
            return x.copy()
        speed = (x - self._value) / dt
        self._speed = self._speed + _alpha(self.d_cutoff, dt) * (speed - self._speed)
        cutoff = self.min_cutoff + self.beta * np.abs(self._speed)
        alpha = 1.0 / (1.0 + 1.0 / (2.0 * math.pi * cutoff * dt))
        self._value = self._value + alpha * (x - self._value)
        return self._value.copy()


class TransformStabilizer:
    """Smooths a stream of frame-to-crop similarity transforms.

    The filter works on (centre x, centre y, log scale, angle), each expressed in crop pixels
    (centre scaled by the crop scale at the last reset; log scale and angle times half the crop
    size, which is how far they move the crop's border), so one set of parameters fits all.
    """

    def __init__(self, config: SmoothConfig, crop_size: int):
        self._config = config
        self._size = crop_size
        self._filter = OneEuroFilter(config.min_cutoff, config.beta, config.d_cutoff)
        self._units: Optional[np.ndarray] = None
        self._last_time: Optional[float] = None
        self._last_angle = 0.0

    def reset(self) -> None:
        """Start afresh (new subject, or a jump the filter must not smooth over)."""
        self._filter.reset()
        self._units = None
        self._last_time = None

    def update(self, transform: np.ndarray, time_s: float) -> np.ndarray:
        """The stabilised (2, 3) transform for a raw one at time `time_s`."""
        if not self._config.enabled:
            return transform
        params = to_params(transform, self._size)
        if self._units is None:
            half = self._size / 2.0
            scale = math.exp(params[2])
            self._units = np.array([scale, scale, half, half])
        else:  # keep the angle continuous across +-pi
            params[3] = self._last_angle + math.remainder(params[3] - self._last_angle, 2.0 * math.pi)
        self._last_angle = float(params[3])
        dt = 0.0 if self._last_time is None else time_s - self._last_time
        self._last_time = time_s
        smoothed = self._filter(params * self._units, dt) / self._units
        return from_params(smoothed, self._size)
