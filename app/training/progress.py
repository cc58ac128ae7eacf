"""A progress bar with ETA on stderr: redrawn in place on a terminal, plain text lines otherwise (logs, pipes).

The rate is measured from this process's start, so a resumed run's ETA is not skewed by work done earlier.
"""

from __future__ import annotations

import sys
import time
from typing import Optional, TextIO

from app.core.durations import format_duration


class Progress:
    """`total` units of work (e.g. training samples over all planned epochs); `advance(n, status)` reports n more.

    On a TTY the bar is redrawn at most `tty_interval_s` apart; otherwise a line is printed at most every
    `line_interval_s` seconds (and whenever `force=True`), so logs stay short.
    """

    def __init__(self, total: float, done: float = 0.0, *, stream: Optional[TextIO] = None, enabled: bool = True,
                 width: int = 28, tty_interval_s: float = 0.2, line_interval_s: float = 30.0) -> None:
        self.total = max(float(total), 1e-9)
        self.done = float(done)
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.width = width
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.interval = tty_interval_s if self.tty else line_interval_s
        self._start_done = self.done
        self._start = time.monotonic()
        self._last_draw = -float("inf")
        self._drawn = False

    def eta_s(self) -> Optional[float]:
        elapsed = time.monotonic() - self._start
        gained = self.done - self._start_done
        if gained <= 0 or elapsed <= 0:
            return None
        return (self.total - self.done) * elapsed / gained

    def line(self, status: str = "") -> str:
        fraction = min(1.0, self.done / self.total)
        eta = self.eta_s()
        eta_text = "ETA --:--" if eta is None else f"ETA {format_duration(eta)}"
        elapsed = format_duration(time.monotonic() - self._start)
        if self.tty:
            filled = int(round(fraction * self.width))
            bar = "#" * filled + "-" * (self.width - filled)
            return f"[{bar}] {100 * fraction:5.1f}%  {elapsed} elapsed  {eta_text}  {status}"
        return f"progress {100 * fraction:5.1f}%  {elapsed} elapsed  {eta_text}  {status}"

    def advance(self, n: float = 0.0, status: str = "", force: bool = False) -> None:
        self.done += n
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last_draw < self.interval:
            return
        self._last_draw = now
        if self.tty:
            self.stream.write("\r\x1b[K" + self.line(status))
            self._drawn = True
        else:
            self.stream.write(self.line(status) + "\n")
        self.stream.flush()

    def message(self, text: str) -> None:
        """Print a line without garbling the bar."""
        if not self.enabled:
            return
        if self.tty and self._drawn:
            self.stream.write("\r\x1b[K")
            self._drawn = False
        self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.tty and self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
