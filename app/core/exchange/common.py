"""Shared pieces of the label exchange formats: frame <-> time conversion, reading free-text
labels (an emotion and action units typed in another tool) and the errors every reader raises.

Times are derived from frame indices and fps only: frame f starts at f / fps seconds, and an
event covering frames onset..offset (inclusive) spans [onset / fps, (offset + 1) / fps). Reading
rounds to the nearest frame boundary, so writing and reading again returns the same frames.
"""

from __future__ import annotations

import math
import re
from typing import Optional

from app.core.events import EMOTIONS


class ExchangeError(ValueError):
    """A file that cannot be used as a whole (wrong layout, not parseable). The message names the
    file and the line or element."""


def frame_to_ms(frame: int, fps: float) -> int:
    """Start of `frame` in whole milliseconds (ELAN's time unit)."""
    return int(math.floor(frame * 1000.0 / fps + 0.5))


def ms_to_boundary(ms: float, fps: float) -> int:
    """The frame boundary nearest to `ms` (the index of the frame starting there)."""
    return int(math.floor(ms * fps / 1000.0 + 0.5))


def span_to_frames(start_ms: float, end_ms: float, fps: float) -> tuple[int, int]:
    """Inclusive (onset, offset) frames of a time span; a span shorter than a frame is one frame."""
    onset = max(0, ms_to_boundary(start_ms, fps))
    return onset, max(onset, ms_to_boundary(end_ms, fps) - 1)


def frame_at_ms(ms: float, fps: float) -> int:
    """The frame shown at time `ms`."""
    return max(0, int(math.floor(ms * fps / 1000.0 + 1e-9)))


_SYNONYMS = {
    "happy": "happiness", "joy": "happiness", "surprised": "surprise", "disgusted": "disgust",
    "sad": "sadness", "angry": "anger", "afraid": "fear", "fearful": "fear", "scared": "fear",
    "other": "others", "repressed": "repression", "contemptuous": "contempt", "neutral": "none",
}
_AU_TOKEN = re.compile(r"^(?:AUs?\s*[:=]?\s*)?([LRBTU]?\d+[A-E]?(?:\s*[+,]\s*(?:AU)?[LRBTU]?\d+[A-E]?)*)$", re.I)


def parse_emotion(text: str) -> Optional[str]:
    """The vocabulary emotion a word stands for (case-insensitive, common spellings), else None."""
    word = text.strip().lower()
    if word in EMOTIONS:
        return word
    return _SYNONYMS.get(word)


def parse_label(text: str) -> tuple[str, str, list[str]]:
    """(emotion, action_units, leftovers) from an annotation such as 'happiness | AU 6+12',
    'Happy; AU6+AU12' or '4+7'. Parts separated by '|' or ';'; unknown parts are returned as
    leftovers (the caller keeps them in the notes). No emotion found gives 'none'."""
    emotion, units, leftovers = None, "", []
    for part in re.split(r"[|;]", text or ""):
        part = part.strip()
        if not part:
            continue
        found = parse_emotion(part)
        match = _AU_TOKEN.match(part)
        if found is not None and emotion is None:
            emotion = found
        elif match and not units:
            units = "+".join(re.sub(r"^AU", "", u.strip(), flags=re.I) for u in re.split(r"[+,]", match.group(1)))
        else:
            leftovers.append(part)
    return emotion or "none", units, leftovers


def format_label(emotion: str, action_units: str) -> str:
    """The annotation text written for an event: 'happiness' or 'happiness | AU 6+12'."""
    return f"{emotion} | AU {action_units}" if action_units else emotion
