"""One labelled event: the row type of the training CSV, used everywhere (GUI, import, training,
batch scoring, evaluation).

Frame numbers are 0-based indices into the decoded video (or the numerically sorted frame
folder); seconds are derived with `fps`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

# Column order of the training CSV (README "The training CSV" documents each column).
COLUMNS = (
    "video", "subject", "event_id", "onset_frame", "apex_frame", "offset_frame", "fps", "kind",
    "emotion", "action_units", "source", "status", "confidence", "annotator", "notes",
)
KINDS = ("micro", "macro")
SOURCES = ("manual", "model", "imported")
STATUSES = ("suggested", "accepted", "rejected")
# The emotion vocabulary the validator accepts (lower case; data-set spellings are mapped on import).
EMOTIONS = (
    "happiness", "surprise", "disgust", "repression", "fear", "sadness", "anger", "contempt",
    "others", "positive", "negative", "none",
)


@dataclass(frozen=True)
class Event:
    video: str
    subject: str
    event_id: str
    onset_frame: int
    apex_frame: int
    offset_frame: int
    fps: float
    kind: str = "micro"
    emotion: str = "others"
    action_units: str = ""
    source: str = "manual"
    status: str = "accepted"
    confidence: Optional[float] = None
    annotator: str = ""
    notes: str = ""
    extra: dict = field(default_factory=dict, compare=False)  # e.g. source_frame numbers from a sheet

    @property
    def duration_frames(self) -> int:
        """Inclusive length onset..offset."""
        return self.offset_frame - self.onset_frame + 1

    @property
    def duration_s(self) -> float:
        return self.duration_frames / self.fps


# -- rules of an event's frames (checked before an edit is applied) --------------------------------------

EDGES = ("onset_frame", "apex_frame", "offset_frame")  # the frame fields, in time order


class EditRefused(ValueError):
    """An edit that would make an event invalid (e.g. an onset after its apex)."""


def check_event_frames(onset: int, apex: int, offset: int, n_frames: int) -> None:
    """Refuse frames unless 0 ≤ onset ≤ apex ≤ offset < n_frames (the video's frame count)."""
    if not 0 <= onset <= apex <= offset < n_frames:
        raise EditRefused(f"frames must satisfy 0 ≤ onset ≤ apex ≤ offset < {n_frames}; "
                          f"got onset {onset}, apex {apex}, offset {offset}")
