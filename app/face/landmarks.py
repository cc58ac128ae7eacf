"""dlib shape predictors: the 68-point iBUG model or the 5-point (eye corners + nose) model."""

from __future__ import annotations

import dlib
import numpy as np

from app.face.geometry import Box
from app.resources import dlib_model_path

_MODEL_FILES = {"68": "landmarks68", "5": "landmarks5"}


class LandmarkModel:
    """Fits K landmarks (68 or 5) inside a face box."""

    def __init__(self, kind: str = "68"):
        if kind not in _MODEL_FILES:
            raise ValueError(f"landmark model must be one of {sorted(_MODEL_FILES)}, got {kind!r}")
        self.kind = kind
        self.n_points = int(kind)
        self._predictor = dlib.shape_predictor(str(dlib_model_path(_MODEL_FILES[kind])))

    def fit(self, image: np.ndarray, box: Box) -> np.ndarray:
        """(K, 2) float32 landmark positions in the image's pixels (gray or RGB uint8 image)."""
        rect = dlib.rectangle(int(round(box[0])), int(round(box[1])), int(round(box[2])) - 1, int(round(box[3])) - 1)
        shape = self._predictor(np.ascontiguousarray(image), rect)
        return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float32)
