"""Intensity over an event's frames: rise, a short hold, decay — drawn per event, with exact labels.

Frame 0 of a profile is the onset (the first displaced frame), the last is the offset (the last displaced frame),
and the apex is the one frame of intensity 1.0, the strict maximum. The rise and the decay are power curves
(gamma-like: concave or convex, the exponent drawn per side, so rise and fall differ) that start and end on a
pedestal, so the onset and offset frames already move; the hold droops a little, so it never ties the apex.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MICRO_SECONDS = (1 / 25, 0.5)
MACRO_SECONDS = (0.6, 3.0)
MIN_FRAMES = 3  # onset < apex < offset needs three frames (0.1 s at 30 fps: shorter micros are rendered this long)


@dataclass(frozen=True)
class Profile:
    values: tuple[float, ...]  # intensity per frame, onset..offset
    apex: int                  # index of the peak within `values`

    @property
    def n_frames(self) -> int:
        return len(self.values)


def shape_profile(n_frames: int, apex: int, hold: int, pedestal: float, rise_gamma: float, fall_gamma: float,
                  droop: float) -> Profile:
    """The profile with the given shape; requires 1 <= apex and apex + hold < n_frames - 1."""
    if not (n_frames >= MIN_FRAMES and 1 <= apex and apex + hold < n_frames - 1 and 0 < pedestal < 1):
        raise ValueError(f"no profile of {n_frames} frames with apex {apex} and hold {hold}")
    values = np.empty(n_frames)
    rise = np.arange(apex + 1) / apex
    values[:apex + 1] = pedestal + (1 - pedestal) * rise ** rise_gamma
    hold_end = 1.0 - droop
    if hold:
        values[apex + 1:apex + hold + 1] = 1.0 - droop * np.arange(1, hold + 1) / hold
    else:
        hold_end = 1.0
    start = apex + hold
    fall = np.arange(1, n_frames - start) / (n_frames - 1 - start)
    values[start + 1:] = pedestal + (min(hold_end, 1.0 - 1e-3) - pedestal) * (1 - fall) ** fall_gamma
    values[start + 1:] = np.minimum(values[start + 1:], 1.0 - 1e-3)
    values[-1] = pedestal
    return Profile(tuple(float(v) for v in values), apex)


def draw_profile(rng: np.random.Generator, fps: float, kind: str) -> Profile:
    """A random profile of a micro- (1/25-0.5 s, short hold) or macro-expression (0.6-3 s, held)."""
    low, high = MICRO_SECONDS if kind == "micro" else MACRO_SECONDS
    n = max(MIN_FRAMES, int(round(rng.uniform(low, high) * fps)))
    hold_share = rng.uniform(0.0, 0.15) if kind == "micro" else rng.uniform(0.3, 0.6)
    hold = min(int(hold_share * n), n - MIN_FRAMES)
    moving = n - 1 - hold  # frames of rise plus decay after the onset
    apex = int(np.clip(round(rng.uniform(0.25, 0.65) * moving), 1, moving - 1))
    return shape_profile(n, apex, hold, pedestal=rng.uniform(0.12, 0.25), rise_gamma=rng.uniform(0.6, 2.2),
                         fall_gamma=rng.uniform(0.6, 2.2), droop=rng.uniform(0.01, 0.04) if kind == "micro"
                         else rng.uniform(0.03, 0.1))


def bump(n_frames: int) -> np.ndarray:
    """A raised-cosine bump over n frames, nonzero on every one of them (for nuisance sweeps and blinks)."""
    t = (np.arange(n_frames) + 1) / (n_frames + 1)
    return 0.5 - 0.5 * np.cos(2 * np.pi * t)


def plateau(n_frames: int, ramp_share: float = 0.25) -> np.ndarray:
    """Smooth ramp up, hold at 1, ramp down; nonzero on every frame (gaze shifts)."""
    ramp = max(1, int(round(ramp_share * n_frames)))
    t = np.ones(n_frames)
    up = (np.arange(ramp) + 1) / (ramp + 1)
    t[:ramp] = 0.5 - 0.5 * np.cos(np.pi * up)
    t[n_frames - ramp:] = t[:ramp][::-1]
    return t
