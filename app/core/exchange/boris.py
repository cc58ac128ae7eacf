"""BORIS projects (.boris, JSON): written with one observation per video, read back.

Written layout: subjects from the events; an ethogram with the state behaviours `micro` and
`macro` (modifier set `emotion`) and the point behaviours `micro apex` and `macro apex`; per video one MEDIA observation
whose events are [time s, subject, behaviour, modifier, comment, frame index]. A state event
occurs twice, START then STOP: START at onset / fps, STOP at (offset + 1) / fps. The comment of a
START holds `id=<event_id>; AU=<action units>; notes=<notes>`.

Reading pairs the START / STOP of each (subject, behaviour) in time order, as BORIS does; any
behaviour whose code contains 'micro' or 'macro' counts. Tabular exports are read in
`boris_table.py`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path
from typing import Iterable, Optional

from app.core.atomic import atomic_write_text
from app.core.events import EMOTIONS, KINDS, Event
from app.core.validation import Problem, ValidationReport, event_problems

from .common import ExchangeError, parse_emotion, parse_label

STATE, POINT = "State event", "Point event"
_COMMENT = re.compile(r"^(?:id=(?P<id>[^;]*);?\s*)?(?:AU=(?P<au>[^;]*);?\s*)?(?:notes=(?P<notes>.*))?$", re.S)


def _t(frame: int, fps: float) -> float:
    return round(frame / fps, 6)


def write_boris(path: str | os.PathLike, events: Iterable[Event], *, media_root: Optional[Path] = None) -> Path:
    """Write a BORIS project (atomically), one observation per video."""
    path = Path(path)
    events = sorted(events, key=lambda e: (e.video, e.onset_frame, e.event_id))
    bad = [f"event {e.event_id!r}: {reason}" for e in events for _, reason in event_problems(e)]
    if bad:
        raise ExchangeError(f"{path}: refusing to write invalid events: " + "; ".join(bad[:5]))
    subjects = sorted({e.subject for e in events})
    emotion_set = {"0": {"name": "emotion", "type": 0, "values": list(EMOTIONS)}}
    ethogram = {str(i): {"type": STATE, "key": key, "code": kind, "description": f"{kind}-expression",
                         "category": "", "modifiers": emotion_set, "excluded": "", "coding map": ""}
                for i, (kind, key) in enumerate(zip(KINDS, ("m", "M")))}
    for i, (kind, key) in enumerate(zip(KINDS, ("a", "A")), start=2):
        ethogram[str(i)] = {"type": POINT, "key": key, "code": f"{kind} apex", "description": f"apex of a {kind}-expression",
                            "category": "", "modifiers": "", "excluded": "", "coding map": ""}
    now = dt.datetime.now().replace(microsecond=0).isoformat()
    observations = {}
    for video in sorted({e.video for e in events}):
        mine = [e for e in events if e.video == video]
        _refuse_overlaps(path, mine)
        fps = mine[0].fps
        rows = []
        for e in mine:
            comment = f"id={e.event_id}; AU={e.action_units}" + (f"; notes={e.notes}" if e.notes else "")
            rows.append([_t(e.onset_frame, fps), e.subject, e.kind, e.emotion, comment, e.onset_frame])
            rows.append([_t(e.apex_frame, fps), e.subject, f"{e.kind} apex", "", "", e.apex_frame])
            rows.append([_t(e.offset_frame + 1, fps), e.subject, e.kind, e.emotion, "", e.offset_frame + 1])
        rows.sort(key=lambda r: r[0])
        length = max(e.offset_frame + 1 for e in mine) / fps
        observations[Path(video).stem or video] = {
            "file": {str(i): ([video] if i == 1 else []) for i in range(1, 9)},
            "type": "MEDIA", "date": now, "description": f"labels of {video}", "time offset": 0.0,
            "events": rows, "observation time interval": [0, 0], "independent_variables": {},
            "visualize_spectrogram": False, "visualize_waveform": False, "media_creation_date_as_offset": False,
            "media_scan_sampling_duration": 0, "image_display_duration": 1, "close_behaviors_between_videos": False,
            "media_info": {"length": {video: round(length, 6)}, "fps": {video: fps}, "hasVideo": {video: True},
                           "hasAudio": {video: False}, "offset": {"1": 0.0}},
        }
    project = {
        "time_format": "s", "project_date": now, "project_name": "TSFmicro labels",
        "project_description": "micro- and macro-expressions exported by TSFmicro Studio",
        "project_format_version": "7.0",
        "subjects_conf": {str(i): {"key": "", "name": s, "description": ""} for i, s in enumerate(subjects)},
        "behaviors_conf": ethogram, "observations": observations, "behavioral_categories": [],
        "independent_variables": {}, "coding_map": {}, "behaviors_coding_map": [], "converters": {},
    }
    return atomic_write_text(path, json.dumps(project, indent=1, ensure_ascii=False) + "\n")


def _refuse_overlaps(path: Path, events: list[Event]) -> None:
    """BORIS pairs START and STOP by alternation, so one subject cannot have two overlapping events of a kind."""
    last: dict[tuple[str, str], Event] = {}
    for e in events:
        key = (e.subject, e.kind)
        if key in last and last[key].offset_frame >= e.onset_frame:
            raise ExchangeError(f"{path}: events {last[key].event_id!r} and {e.event_id!r} of {e.video!r} overlap; "
                                "a BORIS state event cannot overlap itself for one subject")
        if key not in last or e.offset_frame > last[key].offset_frame:
            last[key] = e


def read_boris(path: str | os.PathLike, *, fps: Optional[float] = None, video: Optional[str] = None) -> ValidationReport:
    """Events of a BORIS project file. Unusable files raise ExchangeError."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: file not found")
    try:
        project = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ExchangeError(f"{path}: not a BORIS project: JSON error at line {err.lineno}, column {err.colno}: "
                            f"{err.msg}") from None
    except UnicodeDecodeError:
        raise ExchangeError(f"{path}: not a BORIS project (not UTF-8 text; a compressed .boris is not supported)")
    if not isinstance(project, dict) or not isinstance(project.get("observations"), dict):
        raise ExchangeError(f"{path}: not a BORIS project: no 'observations' object at the top level")
    ethogram = project.get("behaviors_conf") or {}
    types = {b.get("code"): b.get("type", "") for b in ethogram.values() if isinstance(b, dict)}
    report = ValidationReport()
    for obs_id, obs in project["observations"].items():
        where = f"observation {obs_id!r}"
        if not isinstance(obs, dict) or not isinstance(obs.get("events"), list):
            raise ExchangeError(f"{path}: {where}: no 'events' list")
        media = ((obs.get("file") or {}).get("1") or [None])[0]
        obs_fps = fps or _number(((obs.get("media_info") or {}).get("fps") or {}).get(media))
        if not obs_fps:
            raise ExchangeError(f"{path}: {where}: no frame rate for media {media!r} (media_info.fps); give --fps")
        rows = []
        for i, event in enumerate(obs["events"]):
            if not isinstance(event, list) or len(event) < 3 or _number(event[0]) is None:
                report.problems.append(Problem(str(path), None, f"{where}, events[{i}]",
                                               f"expected [time, subject, behaviour, ...], got {event!r}"))
                continue
            rows.append(BorisRow(f"{where}, events[{i}]", None, float(event[0]), str(event[1] or ""), str(event[2]),
                                 str(event[3] if len(event) > 3 else ""), str(event[4] if len(event) > 4 else ""),
                                 status=None))
        events_from_rows(path, rows, obs_fps, video or media or obs_id, report, types)
    return report


def _number(value) -> Optional[float]:
    try:
        number = float(str(value).split(";")[0])
    except (TypeError, ValueError):
        return None
    return number if number == number and number not in (float("inf"), float("-inf")) else None


class BorisRow:
    """One coded BORIS event (from a project or one line of a tabular export)."""

    def __init__(self, where, line, time, subject, code, modifier, comment, status):
        self.where, self.line, self.time, self.subject = where, line, time, subject
        self.code, self.modifier, self.comment, self.status = code, modifier, comment, status


def kind_of(code: str) -> Optional[str]:
    """'micro', 'Micro-expression', 'ME' give micro; 'macro', 'MaE' macro; anything else None."""
    low = code.lower()
    words = set(re.findall(r"[a-z]+", low))
    found = [k for k in KINDS if k in low] or (["micro"] if "me" in words else ["macro"] if "mae" in words else [])
    return found[0] if len(found) == 1 else None


def events_from_rows(path: Path, rows: list[BorisRow], fps: float, video: str, report: ValidationReport,
                     types: Optional[dict] = None) -> None:
    """Pair START / STOP per (subject, behaviour) in time order and add the events to `report`."""
    rows = sorted(rows, key=lambda r: r.time)
    apexes = [(r.subject, kind_of(r.code), int(round(r.time * fps))) for r in rows if "apex" in r.code.lower()]
    open_rows: dict[tuple[str, str], BorisRow] = {}
    ignored = sorted({r.code for r in rows if "apex" not in r.code.lower() and kind_of(r.code) is None})
    if ignored:
        report.fixes.append(Problem(str(path), None, None, f"behaviours not read (neither micro nor macro): "
                                                          f"{', '.join(map(repr, ignored))}"))
    for row in rows:
        kind = kind_of(row.code)
        if kind is None or "apex" in row.code.lower() or (types and types.get(row.code, STATE) != STATE):
            continue
        key = (row.subject, row.code)
        starting = row.status == "START" if row.status else key not in open_rows
        if starting:
            if key in open_rows:
                report.problems.append(_problem(path, open_rows[key], f"START of {row.code!r} without a STOP"))
            open_rows[key] = row
            continue
        start = open_rows.pop(key, None)
        if start is None:
            report.problems.append(_problem(path, row, f"STOP of {row.code!r} without a START"))
            continue
        _add_event(path, start, row, kind, fps, video, apexes, report)
    for start in open_rows.values():
        report.problems.append(_problem(path, start, f"START of {start.code!r} without a STOP"))


def _problem(path: Path, row: BorisRow, reason: str) -> Problem:
    return Problem(str(path), row.line, row.where, reason)


def _add_event(path, start: BorisRow, stop: BorisRow, kind, fps, video, apexes, report) -> None:
    onset = max(0, int(round(start.time * fps)))
    offset = max(onset, int(round(stop.time * fps)) - 1)
    inside = [f for s, k, f in apexes if s == start.subject and k in (None, kind) and onset <= f <= offset]
    apex = inside[0] if inside else (onset + offset) // 2
    match = _COMMENT.match(start.comment.strip())
    notes, units, event_id = "", "", ""
    if start.comment.strip() and match and (match.group("id") is not None or match.group("au") is not None):
        event_id, units, notes = (match.group("id") or "").strip(), (match.group("au") or "").strip(), \
            match.group("notes") or ""
    elif start.comment.strip():
        _, units, _ = parse_label(start.comment)
        notes = f"BORIS comment: {start.comment.strip()}"
    modifiers = [m for m in re.split(r"[|,]", start.modifier) if m.strip()]
    emotions = [parse_emotion(m) for m in modifiers if parse_emotion(m)]
    emotion = emotions[0] if emotions else "none"
    if modifiers and not emotions:
        notes = "; ".join(filter(None, [notes, f"BORIS modifier: {start.modifier}"]))
    count = len(report.accepted) + 1
    event = Event(video=video, subject=start.subject or Path(video).stem, event_id=event_id or f"{kind}{count:03d}",
                  onset_frame=onset, apex_frame=apex, offset_frame=offset, fps=fps, kind=kind, emotion=emotion,
                  action_units=units, source="imported", status="accepted", notes=notes)
    found = event_problems(event)
    report.problems += [_problem(path, start, reason) for _, reason in found]
    if not found:
        report.accepted.append(event)
