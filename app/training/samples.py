"""Training data: the training CSV → events → (onset crop, apex crop, label) samples.

- Only `status = accepted` events train; the others are counted and reported.
- Each video (file or frame folder) goes through the face pipeline once; its track is cached by content hash.
- An event whose onset or apex frame has no face is skipped and reported (file, event, frame), never silently.
- Key frames may be re-selected (`reselect.py`) before the pair is stored; only the chosen pair's crops are kept
  (uint8, the face pipeline's crop size), so memory is about 2 × 150 KB per sample at 224 px.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional

import numpy as np

from app.core.events import Event
from app.core.events_csv import read_events_csv
from app.core.validation import resolve_video
from app.face import FaceConfig
from app.training.classes import ClassMap
from app.training.crops import VideoCrops
from app.training.reselect import CASME_WINDOW_SCALE, reselect
from app.media.hashing import file_sha256

Log = Callable[[str], None]


class TrainingDataError(ValueError):
    """The training data cannot be used; the message names the file and the reason."""


@dataclass(frozen=True)
class TrainingData:
    csv_path: Path
    csv_sha256: str
    events: tuple[Event, ...]  # accepted events (all emotions, `none` included)
    unreviewed: tuple[Event, ...]  # status `suggested`: neither event nor non-event (ignored by the spotting head)
    videos: dict[str, Path]  # event.video as written → resolved path
    notes: tuple[str, ...]  # what was left out and why, for the log and the model card


@dataclass(frozen=True, eq=False)
class PairSample:
    event: Event
    video: Path
    label: int
    onset_frame: int  # the frames actually used (after re-selection)
    apex_frame: int
    onset: np.ndarray = field(repr=False)  # (S, S, 3) uint8 RGB aligned crop
    apex: np.ndarray = field(repr=False)

    @property
    def subject(self) -> str:
        return self.event.subject


@dataclass(frozen=True)
class Skipped:
    video: Path
    event_id: str
    reason: str

    def __str__(self) -> str:
        return f"{self.video}: event {self.event_id}: {self.reason}"


def load_training_csv(path: str | os.PathLike, *, skip_invalid: bool = False) -> TrainingData:
    """Read and validate the training CSV. Rejected rows stop the run (every problem listed) unless
    `skip_invalid`, which leaves them out and lists them in `notes`."""
    path = Path(path)
    try:
        report = read_events_csv(path, check_videos=True)
    except (FileNotFoundError, ValueError) as error:  # ColumnError is a ValueError
        raise TrainingDataError(str(error)) from error
    notes = [f"{path}: {report.summary(limit=0)}"] + [f"fixed: {fix}" for fix in report.fixes]
    if report.problems:
        listing = [f"rejected: {p}" for p in report.problems]
        if not skip_invalid:
            raise TrainingDataError("\n".join([f"{path}: {report.rejected} row(s) rejected; fix them or pass "
                                               "--skip-invalid to train without them", *listing]))
        notes += listing
    events = [e for e in report.accepted if e.status == "accepted"]
    by_status = Counter(e.status for e in report.accepted if e.status != "accepted")
    for status, n in sorted(by_status.items()):
        notes.append(f"left out {n} event(s) with status {status!r} (only accepted events train)")
    if not events:
        raise TrainingDataError(f"{path}: no accepted events to train on")
    videos = {e.video: resolve_video(path.parent, e.video) for e in events}
    unreviewed = tuple(e for e in report.accepted if e.status == "suggested")
    return TrainingData(path, file_sha256(path), tuple(events), unreviewed, videos, tuple(notes))


def build_samples(
    data: TrainingData,
    classes: ClassMap,
    *,
    reselect_mode: str = "off",
    window_scale: float = CASME_WINDOW_SCALE,
    face_config: FaceConfig = FaceConfig(),
    cache_dir: Optional[str | os.PathLike] = None,
    log: Log = lambda message: None,
    on_video: Callable[[int, int], None] = lambda done, total: None,
) -> tuple[list[PairSample], list[Skipped]]:
    """Crop pairs of every classifiable event, in CSV order; events without a face at onset or apex are skipped."""
    by_video: dict[str, list[Event]] = defaultdict(list)
    unclassified: Counter = Counter()
    for event in data.events:
        if classes.label(event.emotion) is None:
            unclassified[event.emotion] += 1
        else:
            by_video[event.video].append(event)
    for emotion, n in sorted(unclassified.items()):
        log(f"left out {n} event(s) with emotion {emotion!r}: not in the class set ({classes.describe()})")
    samples: dict[int, PairSample] = {}
    skipped: list[Skipped] = []
    order = {id(e): i for i, e in enumerate(data.events)}
    for done, (video, events) in enumerate(by_video.items(), start=1):
        path = data.videos[video]
        with VideoCrops(path, events[0].fps, face_config, cache_dir) as crops:
            for event in events:
                sample = _sample(event, path, crops, classes, reselect_mode, window_scale, skipped)
                if sample is not None:
                    samples[order[id(event)]] = sample
        on_video(done, len(by_video))
    for item in skipped:
        log(f"skipped: {item}")
    return [samples[i] for i in sorted(samples)], skipped


def _sample(event: Event, path: Path, crops: VideoCrops, classes: ClassMap, mode: str, scale: float,
            skipped: list[Skipped]) -> Optional[PairSample]:
    missing = [f"{name} frame {frame}" for name, frame in (("onset", event.onset_frame), ("apex", event.apex_frame))
               if frame >= crops.n_frames]
    if missing:
        skipped.append(Skipped(path, event.event_id, f"{' and '.join(missing)} beyond the video's "
                                                     f"{crops.n_frames} frames"))
        return None
    no_face = [f"{name} frame {frame}" for name, frame in (("onset", event.onset_frame), ("apex", event.apex_frame))
               if crops.crop(frame) is None]
    if no_face:
        skipped.append(Skipped(path, event.event_id, f"no face found at {' and '.join(no_face)}"))
        return None
    onset, apex = reselect(event.onset_frame, event.apex_frame, crops.crop, mode, scale)
    return PairSample(event, path, classes.label(event.emotion), onset, apex, crops.crop(onset), crops.crop(apex))


def class_counts(samples: Iterable[PairSample], classes: ClassMap) -> dict[str, int]:
    counts = Counter(s.label for s in samples)
    return {name: counts.get(i, 0) for i, name in enumerate(classes.names)}
