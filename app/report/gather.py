"""What a review report says, collected from a video (with a labels file) or a review project."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np

from app import __version__
from app.analysis.model_card import NOT_VALIDATED, is_synthetic
from app.core.events import Event
from app.core.label_exchange import labels_for_video
from app.core.project_store import PROJECT_SUFFIX, ProjectStore
from app.face.track import FaceTrack
from app.media import content_hash, open_video
from app.resources import default_model_path
from model.phases import PHASES

# The model-card entries a report shows, in this order (the card holds more: `tsfmicro card`).
CARD_SUMMARY_KEYS = ("data", "heldout_summary", "limits", "model", "class_set", "seed", "protocol", "ensemble",
                     "recalibrated_on")
CARD_VALUE_CHARS = 700
PLOTTED_PHASES = tuple(phase for phase in PHASES if phase != "none")  # p_none is not plotted
PLOTTED_CURVES = (*(f"p_{phase}" for phase in PLOTTED_PHASES), "motion")


class ReportError(ValueError):
    """The input cannot be reported on; the message names the file and the problem."""


@dataclass
class ReportData:
    source: str  # the video or project file given
    video_path: str
    n_frames: int
    fps: float
    content_hash: str
    events: list[Event]
    events_from: str  # where the events came from, in words
    video_present: bool = True
    width: Optional[int] = None
    height: Optional[int] = None
    project: Optional[str] = None
    project_meta: dict = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)
    edits: list[dict] = field(default_factory=list)  # seq, time_s, action, event_id (no before/after)
    curves: dict[str, np.ndarray] = field(default_factory=dict)  # 1-D, n_frames long
    face_ok: Optional[np.ndarray] = None
    face_track: object = None  # a FaceTrack when the project stores one
    card: list[tuple[str, str]] = field(default_factory=list)
    card_source: str = ""
    card_note: str = ""
    notes: list[str] = field(default_factory=list)  # anything the reader should know about this report
    generated_s: float = field(default_factory=time.time)
    app_version: str = __version__

    @property
    def duration_s(self) -> float:
        return self.n_frames / self.fps if self.fps > 0 else 0.0


def gather(source: str | os.PathLike, *, events_csv: Optional[str | os.PathLike] = None,
           checkpoint: Optional[str | os.PathLike] = None, with_card: bool = True) -> ReportData:
    """The report's content for a video file / frame folder, or a `*.tsfproj` project. `events_csv`
    (training CSV or any label format `tsfmicro convert` reads) gives the events; for a project it
    replaces the project's own. `checkpoint`: whose model card to show (default: the bundled model)."""
    path = Path(source)
    data = _from_project(path) if path.suffix.lower() == PROJECT_SUFFIX else _from_video(path)
    if events_csv is not None:
        _use_label_file(data, Path(events_csv))
    if with_card:
        _add_card(data, checkpoint)
    return data


def _from_video(path: Path) -> ReportData:
    with open_video(path) as video:
        info = video.probe()
    return ReportData(source=str(path), video_path=str(path.resolve()), n_frames=info.n_frames, fps=info.fps,
                      content_hash=content_hash(path), events=[], events_from="none given (use --events)",
                      width=info.width, height=info.height)


def _from_project(path: Path) -> ReportData:
    with ProjectStore.open(path) as store:
        video = store.video
        names = store.curve_names()
        curves = {name: store.curve(name) for name in PLOTTED_CURVES if name in names}
        data = ReportData(
            source=str(path), video_path=video["path"], n_frames=int(video["n_frames"]), fps=float(video["fps"]),
            content_hash=video["content_hash"], events=store.events(), events_from=f"the project {path.name}",
            video_present=not store.video_is_missing(), project=str(path.resolve()), project_meta=store.meta(),
            provenance=store.provenance(),
            edits=[{k: e[k] for k in ("seq", "time_s", "action", "event_id")} for e in store.edit_log()],
            curves={name: values for name, values in curves.items() if values.ndim == 1})
        track_bytes = store.face_track_bytes()
    if track_bytes is not None:
        try:
            data.face_track = FaceTrack.from_npz_bytes(track_bytes, str(path))
            ok = np.zeros(data.n_frames, bool)
            rows = data.face_track.frame_index.astype(int)
            inside = rows < data.n_frames
            ok[rows[inside]] = data.face_track.ok[inside]
            data.face_ok = ok
        except ValueError as err:
            data.notes.append(f"the project's face track could not be read ({err}); thumbnails were aligned anew")
    if not data.video_present:
        data.notes.append(f"the video is not at {data.video_path}; the report has no face thumbnails")
    return data


def _use_label_file(data: ReportData, labels: Path) -> None:
    if not labels.is_file():
        raise ReportError(f"{labels}: labels file not found")
    events, report, elsewhere = labels_for_video(labels, data.video_path)
    data.events, data.events_from = events, str(labels)
    if report.problems:
        data.notes.append(f"{labels}: {report.summary()}")
    if elsewhere:
        data.notes.append(f"{labels}: {elsewhere} event(s) of other videos left out")


def card_summary(card: dict) -> list[tuple[str, str]]:
    """(key, value) pairs worth filing with a report; long values shortened."""
    rows = []
    for key in CARD_SUMMARY_KEYS:
        if card.get(key) not in (None, ""):
            value = str(card[key])
            rows.append((key, value if len(value) <= CARD_VALUE_CHARS else value[:CARD_VALUE_CHARS] + " …"))
    return rows


def _add_card(data: ReportData, checkpoint: Optional[str | os.PathLike]) -> None:
    path = checkpoint or default_model_path()
    if path is None:
        data.card_note = "this installation has no bundled default model"
        return
    try:
        from model import CheckpointError, load_checkpoint  # lazy: imports torch, only to read the card

        card = load_checkpoint(path, device="cpu").model_card
    except (CheckpointError, FileNotFoundError) as err:
        data.card_note = f"the model card could not be read: {err}"
        return
    data.card, data.card_source = card_summary(card), str(path)
    if is_synthetic(card):
        data.card_note = NOT_VALIDATED
