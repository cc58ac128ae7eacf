"""When things happen: event durations drawn in frames, and per-frame intensity profiles.

An expression's profile covers frames onset..offset inclusive. It is a raised cosine rising to
exactly 1 at the apex and falling back, on a small pedestal (`PEDESTAL`), so that the onset and
offset frames already move (a measurable fraction of a pixel) and the frames just outside do
not: onset is the first frame with nonzero displacement, offset the last, and the apex the one
unique maximum.
"""

from __future__ import annotations

import math
from typing import Optional

import numpy as np

PEDESTAL = 0.05

# Limits in seconds. Micro: onset->apex 0.05-0.25 s, onset..offset (inclusive) at most 0.5 s.
MICRO_RISE_S = (0.05, 0.25)
MICRO_TOTAL_S = (0.2, 0.5)
MACRO_TOTAL_S = (0.6, 3.0)
BLINK_S = (0.1, 0.3)
TALK_S = (0.8, 2.0)
FLICKER_S = (0.1, 0.4)
GAZE_S = (0.5, 1.6)  # a glance away and back
SWEEP_S = (0.4, 1.2)  # a nod, turn or tilt of the head and back
MIN_FPS = 10.0


def _smooth(u: np.ndarray) -> np.ndarray:
    return 0.5 - 0.5 * np.cos(np.pi * np.clip(u, 0.0, 1.0))


def rise_fall(rise: int, total: int, pedestal: float = PEDESTAL) -> np.ndarray:
    """Intensity of `total` frames whose maximum (exactly 1) is frame `rise` (0-based); every
    value is > 0 and all but the apex are < 1."""
    if not (1 <= rise < total):
        raise ValueError(f"need 1 <= rise < total, got rise={rise}, total={total}")
    k = np.arange(total, dtype=np.float64)
    up = _smooth((k + 1) / (rise + 1))
    down = _smooth((total - k) / (total - rise))
    profile = np.where(k <= rise, up, down)
    return pedestal + (1.0 - pedestal) * profile


def frames_in(seconds: tuple[float, float], fps: float) -> tuple[int, int]:
    """Whole-frame counts n with lo <= n / fps <= hi (at least 1)."""
    lo = max(1, math.ceil(seconds[0] * fps - 1e-9))
    hi = max(lo, math.floor(seconds[1] * fps + 1e-9))
    return lo, hi


def draw_micro(rng: np.random.Generator, fps: float,
               total_s: Optional[tuple[float, float]] = None) -> tuple[int, int]:
    """(rise, total) in frames: onset->apex = rise / fps in 0.05-0.25 s, onset..offset inclusive
    = total / fps in 0.2-0.5 s, and the fall at least as long as the rise. With `total_s` (low, high) seconds, the
    total is drawn log-uniformly in that span (at least 3 frames: a rise, an apex, a fall) and the apex anywhere in
    its first half, so brief twitches (1/25 s and up) are as common as slower ones."""
    if total_s is not None:
        lo, hi = frames_in(total_s, fps)
        lo, hi = max(3, lo), max(3, hi)
        total = int(round(math.exp(rng.uniform(math.log(lo), math.log(hi)))))
        return int(rng.integers(1, (total - 1) // 2 + 1)), total
    rise_lo, rise_hi = frames_in(MICRO_RISE_S, fps)
    total_lo, total_hi = frames_in(MICRO_TOTAL_S, fps)
    rise = int(rng.integers(rise_lo, max(rise_lo, min(rise_hi, (total_hi - 1) // 2)) + 1))
    total = int(rng.integers(min(total_hi, max(total_lo, 2 * rise + 1)), total_hi + 1))
    return rise, total


def draw_macro(rng: np.random.Generator, fps: float) -> tuple[int, int]:
    """(rise, total) in frames: 0.6-3 s in all, the apex after 25-50 % of it."""
    total_lo, total_hi = frames_in(MACRO_TOTAL_S, fps)
    total = int(rng.integers(total_lo, total_hi + 1))
    rise = int(round(total * rng.uniform(0.25, 0.5)))
    return max(1, min(rise, total - 2)), total


def blink_profile(rng: np.random.Generator, fps: float) -> np.ndarray:
    """Eyelid closure (1 = closed) of a blink lasting 0.1-0.3 s: fast closing, slower opening."""
    lo, hi = frames_in(BLINK_S, fps)
    total = max(3, int(rng.integers(lo, hi + 1)))
    rise = max(1, min(total - 2, int(round(total * 0.35))))
    return rise_fall(rise, total, pedestal=0.1) * rng.uniform(0.85, 1.0)


def talk_profile(rng: np.random.Generator, fps: float) -> np.ndarray:
    """Mouth opening (0..1) of a burst of speech: syllables at 3-6 Hz under a smooth envelope."""
    lo, hi = frames_in(TALK_S, fps)
    total = int(rng.integers(lo, hi + 1))
    t = np.arange(total) / fps
    rate = rng.uniform(3.0, 6.0)
    phase = np.cumsum(np.full(total, rate / fps) * rng.uniform(0.7, 1.3, size=total))
    syllables = 0.5 - 0.5 * np.cos(2 * np.pi * phase)
    strength = np.interp(t, np.linspace(0, t[-1] + 1e-9, 6), rng.uniform(0.4, 1.0, size=6))
    envelope = _smooth(np.minimum(t / 0.15, (t[-1] - t) / 0.15))
    profile = syllables * strength * envelope
    profile[0] = profile[-1] = 0.0
    return profile


def flicker_profile(rng: np.random.Generator, fps: float) -> np.ndarray:
    """Brightness gain (around 1) of a lighting flicker of 0.1-0.4 s: one to three short pulses."""
    lo, hi = frames_in(FLICKER_S, fps)
    total = max(2, int(rng.integers(lo, hi + 1)))
    gain = np.ones(total)
    pulses = int(rng.integers(1, 4))
    for _ in range(pulses):
        centre = rng.uniform(0.2, 0.8) * (total - 1)
        width = max(0.6, rng.uniform(0.02, 0.06) * fps)
        depth = rng.choice([-1.0, 1.0]) * rng.uniform(0.04, 0.10)
        gain += depth * np.exp(-0.5 * ((np.arange(total) - centre) / width) ** 2)
    return np.round(gain, 4)


def gaze_profile(rng: np.random.Generator, fps: float) -> np.ndarray:
    """Gaze shift (0 straight ahead .. 1 at the glance's end) of a glance lasting 0.5-1.6 s: the eyes move in
    0.05-0.12 s (a saccade), hold, and come back as fast."""
    lo, hi = frames_in(GAZE_S, fps)
    total = max(5, int(rng.integers(lo, hi + 1)))
    move = max(1, min((total - 1) // 2, int(round(rng.uniform(0.05, 0.12) * fps))))
    t = np.arange(total, dtype=np.float64)
    up = _smooth(np.clip((t + 1) / (move + 1), 0.0, 1.0))
    down = _smooth(np.clip((total - t) / (move + 1), 0.0, 1.0))
    return np.minimum(up, down)


def sweep_profile(rng: np.random.Generator, fps: float) -> np.ndarray:
    """Weight (0 .. 1 .. 0) of a head sweep lasting 0.4-1.2 s: a smooth out-and-back movement, nonzero inside."""
    lo, hi = frames_in(SWEEP_S, fps)
    total = max(4, int(rng.integers(lo, hi + 1)))
    t = (np.arange(total) + 1.0) / (total + 1.0)
    return 0.5 - 0.5 * np.cos(2 * np.pi * t)


def fidget_profile(rng: np.random.Generator, fps: float, n_frames: int) -> np.ndarray:
    """Restless activity (0..1) over `n_frames`: smooth random drift with a time scale of 0.2-0.8 s, mostly low, now
    and then a gentle rise: the face is never quite still."""
    scale = rng.uniform(0.2, 0.8) * fps
    taps = np.exp(-0.5 * (np.arange(-3 * scale, 3 * scale + 1) / scale) ** 2)
    noise = np.convolve(rng.normal(size=n_frames + len(taps)), taps / taps.sum(), mode="same")[:n_frames]
    span = noise.max() - noise.min()
    level = (noise - noise.min()) / span if span > 0 else np.zeros(n_frames)
    return level ** 2
