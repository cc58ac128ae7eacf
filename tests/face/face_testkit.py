"""Helpers of the face-pipeline tests (a uniquely named module: several test folders have a conftest)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from app.face.detect import Detection

ASTRONAUT_FACE = (179.0, 83.0, 266.0, 170.0)  # HOG box in skimage's astronaut, upsample 0


class CountingDetector:
    """A real detector that counts how often it is called."""

    def __init__(self, inner):
        self.inner = inner
        self.native_face_px = inner.native_face_px
        self.calls = 0

    def detect(self, gray: np.ndarray) -> list[Detection]:
        self.calls += 1
        return self.inner.detect(gray)


def decode_with_cv2(path: Path) -> list[tuple[int, np.ndarray]]:
    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, bgr = capture.read()
        if not ok:
            break
        frames.append((len(frames), cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)))
    capture.release()
    return frames


def motion_matrix(center: tuple[float, float], angle_deg: float, scale: float, shift: tuple[float, float]) -> np.ndarray:
    """2x3 matrix rotating/scaling about `center` in the source image, then moving it by `shift`."""
    matrix = cv2.getRotationMatrix2D(center, angle_deg, scale)
    matrix[:, 2] += shift
    return matrix


def render(image: np.ndarray, matrix: np.ndarray, size: tuple[int, int] = (640, 480), background: int = 90) -> np.ndarray:
    """The image warped by `matrix` onto a plain canvas of `size` (width, height)."""
    return cv2.warpAffine(image, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=(background,) * 3)


def moving_astronaut(image: np.ndarray, n: int) -> tuple[list[tuple[int, np.ndarray]], list[np.ndarray]]:
    """n frames of 640x480 in which the astronaut translates (about +-50 px), rotates (+-8 deg)
    and scales (+-10%) smoothly; returns the frames and the true image-to-frame matrices."""
    frames, matrices = [], []
    for i in range(n):
        t = 2.0 * np.pi * i / n
        m = motion_matrix((222.0, 126.0), 8.0 * np.sin(t), 1.0 + 0.1 * np.sin(2 * t), (98.0 + 50.0 * np.sin(t), 40.0 + 25.0 * np.sin(3 * t)))
        frames.append((i, render(image, m)))
        matrices.append(m)
    return frames, matrices
