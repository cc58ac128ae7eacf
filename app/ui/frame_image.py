"""numpy RGB frame -> QImage (built on the main thread; the QImage owns a copy)."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage


def frame_to_qimage(frame: np.ndarray) -> QImage:
    if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
        raise ValueError(f"expected an (H, W, 3) uint8 RGB frame, got {frame.dtype} {frame.shape}")
    frame = np.ascontiguousarray(frame)
    height, width = frame.shape[:2]
    return QImage(frame.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()
