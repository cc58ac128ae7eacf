"""Render a still portrait into a video with gentle, smooth head motion.

Used for the bundled demo video and the benchmarks. The motion (a few pixels of drift, a degree
or two of roll, a little zoom) is a sum of slow sines, so it is smooth and repeatable by seed.
"""

from __future__ import annotations

from typing import Iterator

import cv2
import numpy as np

from app.resources import resource_path

BACKGROUND = (40, 40, 48)  # RGB fill outside the portrait


def load_portrait(name: str = "astronaut.jpg") -> np.ndarray:
    """A bundled public-domain portrait as RGB uint8."""
    path = resource_path("faces", name)
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise ValueError(f"{path}: cannot be decoded as an image")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def portrait_motion(
    portrait_shape: tuple[int, ...],
    n_frames: int,
    size: tuple[int, int] = (640, 480),
    fps: float = 30.0,
    seed: int = 0,
    drift_px: float = 12.0,
    roll_deg: float = 2.0,
    zoom: float = 0.03,
    *,
    centre: tuple[float, float] | None = None,
    scale: float | None = None,
    target: tuple[float, float] | None = None,
) -> Iterator[np.ndarray]:
    """Yield one (2, 3) affine matrix per frame mapping portrait pixels to frame pixels.

    The portrait point `centre` (default: the portrait's centre) is the pivot of roll and zoom and
    sits at frame point `target` (default: the frame's centre) plus the drift; `scale` is the base
    scale (default: the whole portrait fits the frame with a small margin).
    """
    width, height = size
    rng = np.random.default_rng(seed)
    periods_s = rng.uniform(2.5, 7.0, size=4)
    phases = rng.uniform(0, 2 * np.pi, size=4)
    scale0 = 0.92 * min(width / portrait_shape[1], height / portrait_shape[0]) if scale is None else float(scale)
    centre = np.array([portrait_shape[1] / 2, portrait_shape[0] / 2] if centre is None else centre, dtype=float)
    target = np.array([width / 2, height / 2] if target is None else target, dtype=float)
    for i in range(n_frames):
        t = i / fps
        wave = np.sin(2 * np.pi * t / periods_s + phases)
        angle = roll_deg * wave[2]
        matrix = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), angle, scale0 * (1 + zoom * wave[3]))
        matrix[:, 2] += target - centre + drift_px * wave[:2]
        yield matrix


def moving_portrait_frames(
    portrait: np.ndarray,
    n_frames: int,
    size: tuple[int, int] = (640, 480),
    fps: float = 30.0,
    seed: int = 0,
    drift_px: float = 12.0,
    roll_deg: float = 2.0,
    zoom: float = 0.03,
) -> Iterator[np.ndarray]:
    """Yield `n_frames` RGB frames of `size` (width, height) showing `portrait` moving gently."""
    width, height = size
    for matrix in portrait_motion(portrait.shape, n_frames, size, fps, seed, drift_px, roll_deg, zoom):
        yield cv2.warpAffine(portrait, matrix, (width, height), flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_CONSTANT, borderValue=BACKGROUND)
