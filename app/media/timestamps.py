"""The per-frame timestamp table that the first sequential decode builds.

It makes frame indices authoritative (the container's frame count is only an estimate), detects
variable frame rate, and lets a seek be verified: after the decoder lands somewhere, the landed
frame's timestamp says which frame index it really is.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

_VFR_TOLERANCE = 0.02  # relative spread of frame intervals above which the stream counts as VFR


class TimestampTable:
    def __init__(self) -> None:
        self._pts_ms: list[float] = []
        self.complete = False
        self._lookup: Optional[dict[int, int]] = None
        self._unique = True
        self._lost: set[int] = set()

    def __len__(self) -> int:
        return len(self._pts_ms)

    def append(self, pts_ms: float) -> None:
        key = _key(pts_ms)
        if self._lookup is None:
            self._lookup = {}
        if key in self._lookup:
            self._unique = False
        else:
            self._lookup[key] = len(self._pts_ms)
        self._pts_ms.append(pts_ms)

    def append_lost(self, count: int) -> None:
        """Reserve indices for frames that damaged data swallowed (they have no timestamp)."""
        for _ in range(count):
            self._lost.add(len(self._pts_ms))
            self._pts_ms.append(float("nan"))

    def is_lost(self, index: int) -> bool:
        return index in self._lost

    def pts_ms(self, index: int) -> float:
        return self._pts_ms[index]

    @property
    def verifiable(self) -> bool:
        """True when every frame has its own timestamp, so a landing frame can be identified."""
        return self._unique and len(self._pts_ms) > 0

    def index_of(self, pts_ms: float) -> Optional[int]:
        """Frame index whose recorded timestamp equals `pts_ms` (to 0.01 ms), or None."""
        if not self.verifiable or self._lookup is None:
            return None
        return self._lookup.get(_key(pts_ms))

    def is_vfr(self) -> bool:
        if len(self._pts_ms) < 3:
            return False
        pts = np.asarray(self._pts_ms, dtype=np.float64)
        deltas = np.diff(np.sort(pts[np.isfinite(pts)]))
        deltas = deltas[deltas > 0]
        if deltas.size < 2:
            return False
        median = float(np.median(deltas))
        return bool(np.max(np.abs(deltas - median)) > _VFR_TOLERANCE * median + 1.0)

    def mean_fps(self) -> Optional[float]:
        if len(self._pts_ms) < 2:
            return None
        pts = np.asarray(self._pts_ms, dtype=np.float64)
        pts = pts[np.isfinite(pts)]
        span_ms = float(pts.max() - pts.min()) if pts.size else 0.0
        return (len(self._pts_ms) - 1) * 1000.0 / span_ms if span_ms > 0 else None


def _key(pts_ms: float) -> int:
    return int(round(pts_ms * 100))
