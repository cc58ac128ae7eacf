"""Moving a project's labels to and from training CSVs (the GUI's export and import)."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Iterable

from app.core.events import Event
from app.core.events_csv import read_events_csv, write_events_csv
from app.core.validation import ValidationReport, resolve_video


def export_labels(csv_path: str | os.PathLike, events: Iterable[Event], video_path: str | os.PathLike) -> Path:
    """Write `events` of one video as a training CSV; the video path is written relative to the
    CSV's folder (so the folder can be moved or shared as a whole), absolute across drives."""
    csv_path = Path(csv_path)
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
    report = read_events_csv(csv_path, check_videos=False)
    target = Path(video_path).resolve()
    mine: list[Event] = []
    for event in report.accepted:
        resolved = resolve_video(csv_path.parent, event.video)
        same = resolved.resolve() == target if resolved.exists() else Path(event.video).name == target.name
        if same:
            mine.append(replace(event, video=str(target)))
    return mine, report, len(report.accepted) - len(mine)
