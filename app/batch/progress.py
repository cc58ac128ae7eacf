"""The batch progress display on stderr: videos done, frames done, frames/s and ETA.

On a terminal one line is redrawn in place (at most 4 times a second) with a bar; elsewhere (a log file, a CI
job) a plain line is printed when a video finishes and at most every `plain_interval_s` seconds otherwise. The
ETA divides the frames still to score by the frame rate of this run so far.
"""

from __future__ import annotations

import sys
import time
from typing import Optional, TextIO

from app.core.durations import format_duration


class BatchProgress:
    def __init__(self, n_videos: int, total_frames: int, stream: Optional[TextIO] = None,
                 tty: Optional[bool] = None, plain_interval_s: float = 10.0, width: int = 24) -> None:
        self.stream = stream or sys.stderr
        self.tty = bool(tty if tty is not None else getattr(self.stream, "isatty", lambda: False)())
        self.n_videos = n_videos
        self.total_frames = max(0, total_frames)
        self.plain_interval_s = plain_interval_s
        self.width = width
        self.start = time.perf_counter()
        self.videos_done = self.errors = self.skipped = 0
        self._finished_frames = 0
        self._live: dict[int, int] = {}   # video index → frames done so far
        self._last_draw = 0.0

    @property
    def frames_done(self) -> int:
        return self._finished_frames + sum(self._live.values())

    def frames(self, index: int, done: int) -> None:
        self._live[index] = done
        self._draw()

    def skip(self, count: int = 1) -> None:
        self.videos_done += count
        self.skipped += count

    def fail(self, count: int = 1) -> None:
        """Videos that failed before any job ran (unreadable files)."""
        self.videos_done += count
        self.errors += count

    def video_done(self, index: int, status: str, frames: int, expected: int = 0) -> None:
        self._live.pop(index, None)
        self.videos_done += 1
        self.errors += status == "error"
        # a failed video counts as its expected frames, so the ETA does not wait for them
        self._finished_frames += max(frames, expected if status == "error" else 0)
        self._draw(force=True, reason="video")

    def line(self) -> str:
        elapsed = max(1e-9, time.perf_counter() - self.start)
        done = self.frames_done
        rate = done / elapsed
        left = max(0, self.total_frames - done)
        eta = left / rate if rate > 0 else float("inf")
        share = done / self.total_frames if self.total_frames else (self.videos_done / max(1, self.n_videos))
        filled = int(round(self.width * min(1.0, share)))
        bar = "#" * filled + "." * (self.width - filled)
        extra = ", ".join(x for x in (f"{self.errors} error" if self.errors else "",
                                      f"{self.skipped} skipped" if self.skipped else "") if x)
        return (f"score [{bar}] {self.videos_done}/{self.n_videos} videos{f' ({extra})' if extra else ''}  "
                f"frames {done}/{self.total_frames}  {rate:6.1f} fps  ETA {format_duration(eta)}  "
                f"elapsed {format_duration(elapsed)}")

    def _draw(self, force: bool = False, reason: str = "") -> None:
        now = time.perf_counter()
        interval = 0.25 if self.tty else self.plain_interval_s
        if not force and now - self._last_draw < interval:
            return
        self._last_draw = now
        if self.tty:
            self.stream.write("\r" + self.line() + "\x1b[K")
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\r" + self.line() + "\x1b[K\n")
            self.stream.flush()
