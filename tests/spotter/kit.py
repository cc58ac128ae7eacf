"""Real test media for the motion spotter: the astronaut portrait with head motion, plus a short
local warp (mouth corners, brows or eyelids moved by a Gaussian displacement field around the
portrait's own dlib landmarks), encoded to H.264 and decoded again like any user video.

All displacements are in portrait pixels; the portrait is shown at about 0.86x in a 640x480 frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import cv2
import numpy as np

from app.face import FaceConfig, LandmarkModel
from app.face.detect import make_detector
from app.media.writer import write_video
from app.synth.moving_portrait import BACKGROUND, load_portrait, portrait_motion

SIZE = (640, 480)
FPS = 30.0

# Landmarks moved by each warp and the direction (dx, dy) per unit amplitude (y down: up is -1).
WARPS = {
    "smile": {48: (-0.4, -1.0), 54: (0.4, -1.0)},           # mouth corners up and out (AU12)
    "brows": {19: (0.0, -1.0), 24: (0.0, -1.0), 18: (0.0, -0.8), 25: (0.0, -0.8)},  # brow raise (AU1+2)
    "blink": {37: (0.0, 1.0), 38: (0.0, 1.0), 43: (0.0, 1.0), 44: (0.0, 1.0)},      # upper lids down
}


@dataclass(frozen=True)
class Warp:
    """One local movement: `kind` of WARPS, frames onset..offset inclusive, peak `amplitude_px`
    (portrait pixels) at the middle, raised-cosine profile, Gaussian radius `sigma_px`."""

    kind: str
    onset: int
    offset: int
    amplitude_px: float = 5.0
    sigma_px: float = 9.0

    def weight(self, index: int) -> float:
        if not self.onset <= index <= self.offset:
            return 0.0
        phase = (index - self.onset + 1) / (self.offset - self.onset + 2)
        return float(0.5 - 0.5 * np.cos(2 * np.pi * phase))


@lru_cache(maxsize=1)
def portrait_and_landmarks() -> tuple[np.ndarray, np.ndarray]:
    """The RGB portrait and its 68 landmarks (portrait pixels)."""
    portrait = load_portrait()
    gray = cv2.cvtColor(portrait, cv2.COLOR_RGB2GRAY)
    detections = make_detector(FaceConfig().detect).detect(gray)
    best = max(detections, key=lambda d: d.score)  # the portrait also holds a weak false detection
    return portrait, LandmarkModel("68").fit(gray, best.box)


def warp_portrait(portrait: np.ndarray, landmarks: np.ndarray, warps: list[Warp], index: int) -> np.ndarray:
    """The portrait with every warp active at `index` applied (backward mapping, cv2.remap)."""
    h, w = portrait.shape[:2]
    dx = np.zeros((h, w), np.float32)
    dy = np.zeros((h, w), np.float32)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    for warp in warps:
        gain = warp.weight(index) * warp.amplitude_px
        if gain == 0.0:
            continue
        for point, (ux, uy) in WARPS[warp.kind].items():
            px, py = landmarks[point]
            g = np.exp(-((xs - px) ** 2 + (ys - py) ** 2) / (2 * warp.sigma_px ** 2))
            dx += gain * ux * g
            dy += gain * uy * g
    if not dx.any() and not dy.any():
        return portrait
    return cv2.remap(portrait, xs - dx, ys - dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def render_frames(n_frames: int, warps: list[Warp] = (), *, seed: int = 0, drift_px: float = 12.0,
                  roll_deg: float = 2.0, zoom: float = 0.03, blank: tuple[int, int] = (0, 0)) -> Iterator[np.ndarray]:
    """RGB frames: the moving portrait with `warps`; frames in [blank[0], blank[1]) show no face."""
    portrait, landmarks = portrait_and_landmarks()
    motion = portrait_motion(portrait.shape, n_frames, SIZE, FPS, seed, drift_px, roll_deg, zoom)
    for index, matrix in enumerate(motion):
        if blank[0] <= index < blank[1]:
            yield np.full((SIZE[1], SIZE[0], 3), BACKGROUND, np.uint8)
            continue
        image = warp_portrait(portrait, landmarks, list(warps), index)
        yield cv2.warpAffine(image, matrix, SIZE, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                             borderValue=BACKGROUND)


def render_video(path: Path, n_frames: int, warps: list[Warp] = (), **kwargs) -> Path:
    """Encode `render_frames(...)` to an H.264 file at 30 fps; returns the path."""
    write_video(path, render_frames(n_frames, warps, **kwargs), fps=FPS, codec="h264", crf=20)
    return path

