"""A small LRU cache of decoded frames, bounded in bytes, for stepping back and forth."""

from __future__ import annotations

from collections import OrderedDict
from typing import Optional

import numpy as np


class FrameCache:
    def __init__(self, max_bytes: int = 96 << 20):
        self.max_bytes = max_bytes
        self._frames: "OrderedDict[int, np.ndarray]" = OrderedDict()
        self._bytes = 0

    def get(self, index: int) -> Optional[np.ndarray]:
        frame = self._frames.get(index)
        if frame is not None:
            self._frames.move_to_end(index)
        return frame

    def put(self, index: int, frame: np.ndarray) -> None:
        if frame.nbytes > self.max_bytes:
            return
        old = self._frames.pop(index, None)
        if old is not None:
            self._bytes -= old.nbytes
        self._frames[index] = frame
        self._bytes += frame.nbytes
        while self._bytes > self.max_bytes:
            _, evicted = self._frames.popitem(last=False)
            self._bytes -= evicted.nbytes

    def __contains__(self, index: int) -> bool:
        return index in self._frames

    def __len__(self) -> int:
        return len(self._frames)

    def clear(self) -> None:
        self._frames.clear()
        self._bytes = 0
