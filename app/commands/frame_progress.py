"""One stderr line for commands that walk a video: frames done of all, speed and ETA."""

from __future__ import annotations

import sys
import time
from typing import Optional


class FrameProgress:
    """Refreshed in place at most twice a second (and at the last frame); `analysed` adds the share
    of frames the model saw, for `analyze`."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total = label, total
        self.start = time.perf_counter()
        self.done = self.analysed = 0
        self._last = 0.0

    def update(self, frames: int, analysed: Optional[int] = None) -> None:
        self.done += frames
        if analysed is not None:
            self.analysed += analysed
        now = time.perf_counter()
        if now - self._last < 0.5 and self.done < self.total:
            return
        self._last = now
        rate = self.done / max(1e-9, now - self.start)
        eta = max(0.0, (self.total - self.done) / rate) if rate > 0 else float("inf")
        share = f"  analysed {100.0 * self.analysed / max(1, self.done):5.1f} %" if analysed is not None else ""
        print(f"\r{self.label}: frame {self.done}/{self.total}  {rate:6.1f} fps  ETA {eta:6.0f} s{share}",
              end="", file=sys.stderr, flush=True)

    def finish(self) -> None:
        print(file=sys.stderr)

    @property
    def elapsed_s(self) -> float:
        return time.perf_counter() - self.start
