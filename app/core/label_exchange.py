"""Moving a project's labels to and from training CSVs and the other exchange formats (ELAN, BORIS,
MEGC; see `app.core.exchange`), chosen by the file's extension (the GUI's export and import)."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Iterable

from app.core.events import Event
from app.core.events_csv import read_events_csv, write_events_csv
from app.core.exchange import ExchangeError, read_labels, write_labels
from app.core.validation import ValidationReport, resolve_video
from app.media import open_video


def export_labels(csv_path: str | os.PathLike, events: Iterable[Event], video_path: str | os.PathLike) -> Path:
    """Write `events` of one video as a training CSV; the video path is written relative to the
    CSV's folder (so the folder can be moved or shared as a whole), absolute across drives."""
    csv_path = Path(csv_path)
    if csv_path.suffix.lower() != ".csv":
        video = str(Path(video_path).resolve())
        return write_labels(csv_path, [replace(e, video=video) for e in events])
    try:
        video = os.path.relpath(Path(video_path).resolve(), csv_path.resolve().parent)
    except ValueError:  # another drive (Windows)
        video = str(Path(video_path).resolve())
    return write_events_csv(csv_path, [replace(e, video=video) for e in events])


def labels_for_video(csv_path: str | os.PathLike, video_path: str | os.PathLike) -> tuple[list[Event], ValidationReport, int]:
    """Events of a training CSV that belong to `video_path`: those whose video resolves to the same
    file, or, when the CSV's video path does not exist here, has the same file name.

    Returns (events, the validation report of the whole CSV, number of events for other videos)."""
    csv_path = Path(csv_path)
    target = Path(video_path).resolve()
    if csv_path.suffix.lower() != ".csv":
        return _other_format_for_video(csv_path, target)
    report = read_events_csv(csv_path, check_videos=False)
    mine: list[Event] = []
    for event in report.accepted:
        resolved = resolve_video(csv_path.parent, event.video)
        same = resolved.resolve() == target if resolved.exists() else Path(event.video).name == target.name
        if same:
            mine.append(replace(event, video=str(target)))
    return mine, report, len(report.accepted) - len(mine)


def _other_format_for_video(path: Path, target: Path) -> tuple[list[Event], ValidationReport, int]:
    """ELAN / BORIS / MEGC labels for the video: all of them when the file holds one video's labels,
    else those of a video with the same file name. A file without a frame rate takes the video's."""
    try:
        report, _ = read_labels(path)
    except ExchangeError as err:
        if "--fps" not in str(err):
            raise
        with open_video(target) as video:
            report, _ = read_labels(path, fps=video.probe().fps)
    videos = {Path(e.video).name for e in report.accepted}
    mine = [e for e in report.accepted if len(videos) <= 1 or Path(e.video).name == target.name]
    return [replace(e, video=str(target)) for e in mine], report, len(report.accepted) - len(mine)
