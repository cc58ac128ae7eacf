"""Durations as people read them in progress lines: `mm:ss`, or `h:mm:ss` past an hour."""

from __future__ import annotations

import math


def format_duration(seconds: float) -> str:
    """`--:--` when unknown (NaN or infinite); negative durations count as zero."""
    if math.isnan(seconds) or math.isinf(seconds):
        return "--:--"
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
