"""A confusion matrix as a PNG, drawn with OpenCV (no matplotlib): rows = true class, columns =
predicted class, each cell shaded by its share of the row and labelled with its count."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import cv2
import numpy as np

from .atomic import atomic_write_bytes

_CELL = 64
_FONT = cv2.FONT_HERSHEY_SIMPLEX


def render_confusion(matrix: np.ndarray, classes: Sequence[str], title: str = "") -> np.ndarray:
    """BGR uint8 image of the matrix."""
    matrix = np.asarray(matrix)
    n = len(classes)
    if matrix.shape != (n, n):
        raise ValueError(f"matrix shape {matrix.shape} does not match {n} classes")
    label_w = 16 + max([cv2.getTextSize(c, _FONT, 0.5, 1)[0][0] for c in classes] + [40])
    top = 40 + label_w
    left = label_w + 24
    image = np.full((top + n * _CELL + 30, left + n * _CELL + 20, 3), 255, np.uint8)
    if title:
        cv2.putText(image, title, (10, 24), _FONT, 0.6, (0, 0, 0), 1, cv2.LINE_AA)
    rows = matrix.sum(axis=1, keepdims=True)
    share = np.divide(matrix, rows, out=np.zeros(matrix.shape), where=rows > 0)
    for i in range(n):
        for j in range(n):
            x, y = left + j * _CELL, top + i * _CELL
            shade = int(255 - 200 * share[i, j])
            cv2.rectangle(image, (x, y), (x + _CELL, y + _CELL), (255, shade, shade), -1)
            cv2.rectangle(image, (x, y), (x + _CELL, y + _CELL), (160, 160, 160), 1)
            text = str(int(matrix[i, j]))
            (w, h), _ = cv2.getTextSize(text, _FONT, 0.55, 1)
            color = (255, 255, 255) if share[i, j] > 0.6 else (0, 0, 0)
            cv2.putText(image, text, (x + (_CELL - w) // 2, y + (_CELL + h) // 2), _FONT, 0.55, color, 1, cv2.LINE_AA)
        cv2.putText(image, classes[i], (8, top + i * _CELL + _CELL // 2 + 5), _FONT, 0.5, (0, 0, 0), 1, cv2.LINE_AA)
    # Column labels, written vertically: draw horizontally, then rotate the strip.
    strip = np.full((_CELL * n, label_w, 3), 255, np.uint8)
    for j, name in enumerate(classes):
        cv2.putText(strip, name, (6, j * _CELL + _CELL // 2 + 5), _FONT, 0.5, (0, 0, 0), 1, cv2.LINE_AA)
    image[top - label_w:top, left:left + n * _CELL] = cv2.rotate(strip, cv2.ROTATE_90_COUNTERCLOCKWISE)
    cv2.putText(image, "true \\ predicted", (8, top - 8), _FONT, 0.45, (90, 90, 90), 1, cv2.LINE_AA)
    return image


def save_confusion_png(path: str | os.PathLike, matrix: np.ndarray, classes: Sequence[str], title: str = "") -> Path:
    ok, data = cv2.imencode(".png", render_confusion(matrix, classes, title))
    if not ok:
        raise ValueError(f"{path}: PNG encoding failed")
    return atomic_write_bytes(path, data.tobytes())
