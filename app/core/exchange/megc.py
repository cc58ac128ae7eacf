"""The MEGC spotting submission CSV: one line per spotted interval, columns `vid,pred_onset,
pred_offset,type` with type `me` (micro) or `mae` (macro). Frames are TSFmicro's 0-based positions;
`vid` is the video's name without folder or extension. The format has no apex, emotion or fps:
reading sets the apex to the middle frame and the emotion to `none`, and needs --fps.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Iterable, Optional

from app.core.atomic import atomic_write_text
from app.core.csv_rows import read_rows
from app.core.events import Event
from app.core.events_csv import parse_frame_number
from app.core.validation import Problem, ValidationReport, event_problems

from .common import ExchangeError

COLUMNS = ("vid", "pred_onset", "pred_offset", "type")
_TYPES = {"me": "micro", "mae": "macro", "micro": "micro", "macro": "macro"}


def looks_like_megc(head: str) -> bool:
    first = head.lstrip("\ufeff").splitlines()[0] if head.strip() else ""
    return {"vid", "pred_onset", "pred_offset"} <= {c.strip() for c in first.split(",")}


def video_name(video: str) -> str:
    return Path(video.replace("\\", "/")).stem or video


def write_megc(path: str | os.PathLike, events: Iterable[Event]) -> Path:
    events = sorted(events, key=lambda e: (video_name(e.video), e.onset_frame, e.offset_frame))
    bad = [f"event {e.event_id!r}: {reason}" for e in events for _, reason in event_problems(e)]
    if bad:
        raise ExchangeError(f"{path}: refusing to write invalid events: " + "; ".join(bad[:5]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for e in events:
        writer.writerow([video_name(e.video), e.onset_frame, e.offset_frame, "me" if e.kind == "micro" else "mae"])
    return atomic_write_text(path, buffer.getvalue())


def read_megc(path: str | os.PathLike, *, fps: Optional[float] = None, video: Optional[str] = None,
              subject: Optional[str] = None) -> ValidationReport:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: file not found")
    if not fps or fps <= 0:
        raise ExchangeError(f"{path}: the MEGC submission CSV carries no frame rate; give --fps")
    records = read_rows(io.StringIO(path.read_text(encoding="utf-8-sig")), path)
    header = [h.strip() for h in records[0]] if records else []
    missing = [c for c in COLUMNS[:3] if c not in header]
    if missing:
        raise ExchangeError(f"{path}: line 1: not a MEGC spotting submission: missing column(s) {', '.join(missing)} "
                            f"(expected {', '.join(COLUMNS)})")
    report = ValidationReport()
    counts: dict[str, int] = {}
    for line, cells in enumerate(records[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        row = dict(zip(header, [c.strip() for c in cells]))
        try:
            onset = parse_frame_number(row.get("pred_onset", ""), "pred_onset")
            offset = parse_frame_number(row.get("pred_offset", ""), "pred_offset")
        except ValueError as err:
            report.problems.append(Problem(str(path), line, None, str(err)))
            continue
        kind = _TYPES.get(row.get("type", "me").lower())
        if kind is None:
            report.problems.append(Problem(str(path), line, "type", f"unknown type {row['type']!r} (me or mae)"))
            continue
        vid = row.get("vid", "")
        counts[vid] = counts.get(vid, 0) + 1
        event = Event(video=video or vid, subject=subject or vid, event_id=f"{kind}{counts[vid]:03d}",
                      onset_frame=onset, apex_frame=(onset + offset) // 2 if onset <= offset else onset,
                      offset_frame=offset, fps=float(fps), kind=kind, emotion="none", source="model",
                      status="suggested", notes="apex set to the middle frame (the MEGC CSV has none)")
        found = event_problems(event)
        report.problems += [Problem(str(path), line, column, reason) for column, reason in found]
        if not found:
            report.accepted.append(event)
    return report
