"""Coding sheet + frame folders -> validated training-CSV events.

Dataset frame numbers (image-file numbers) become 0-based positions in the numerically sorted frame
folder (`numbered_frames`); the original numbers stay in `Event.extra` and in the notes
(`source_frame onset=46 apex=59 offset=80`). Folder layouts:
CASME II `<root>/sub01/EP02_01f/reg_img46.jpg`, SAMM `<root>/006/006_1_2/006_05562.jpg`,
CAS(ME)^3 Part A `<root>/spNO.1/a/123.jpg`. Folder names match case-insensitively, and the subject
folder may be spelled with or without zero padding (`sub01`/`sub1`, `006`/`6`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from app.media.frame_folder import frame_number, numbered_frames

from .events import Event
from .sheets import SheetFormat, SheetRecord, read_sheet
from .validation import EventValidator, ValidationReport

# Event column -> sheet field, so that problems name the sheet's own column.
_EVENT_TO_FIELD = {"subject": "subject", "event_id": "clip", "video": "clip", "onset_frame": "onset",
                   "apex_frame": "apex", "offset_frame": "offset", "emotion": "emotion",
                   "action_units": "action_units"}


class FrameFolders:
    """Finds clip folders under a frames root and maps frame numbers to positions (cached)."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        if not self.root.is_dir():
            raise FileNotFoundError(f"{self.root}: frames root folder not found")
        self._children: dict[Path, dict[str, Path]] = {}
        self._positions: dict[Path, dict[int, int]] = {}

    def _child(self, folder: Path, names: list[str]) -> Optional[Path]:
        if folder not in self._children:
            self._children[folder] = {p.name.lower(): p for p in folder.iterdir() if p.is_dir()}
        for name in names:
            found = self._children[folder].get(name.lower())
            if found is not None:
                return found
        return None

    def clip_folder(self, fmt: SheetFormat, record: SheetRecord) -> tuple[Optional[Path], str]:
        """(folder, '') or (None, reason)."""
        tried = list(dict.fromkeys(p.format(n=record.subject_number) for p in fmt.subject_folders))
        subject_dir = self._child(self.root, tried)
        if subject_dir is None:
            return None, f"no subject folder {' or '.join(tried)} under {self.root}"
        clip_dir = self._child(subject_dir, [record.clip])
        if clip_dir is None:
            return None, f"no clip folder {record.clip!r} in {subject_dir}"
        return clip_dir, ""

    def positions(self, folder: Path) -> dict[int, int]:
        """Frame number -> 0-based position in the numerically sorted folder (first file wins)."""
        if folder not in self._positions:
            table: dict[int, int] = {}
            for position, path in enumerate(numbered_frames(folder)):
                table.setdefault(frame_number(path), position)
            self._positions[folder] = table
        return self._positions[folder]


def import_sheet(dataset: str, sheet: str | os.PathLike, frames_root: str | os.PathLike,
                 out_csv: str | os.PathLike, *, strict: bool = False) -> ValidationReport:
    """Read a coding sheet and return its events, with video paths relative to `out_csv`'s folder.

    Sheet problems, a missing folder and a frame number without a file are rejected rows; fixes
    (imputed or reset apex, case, text cells) are in `report.fixes` and each event's notes.
    """
    reading = read_sheet(dataset, sheet)
    fmt = reading.format
    folders = FrameFolders(frames_root)
    csv_dir = Path(out_csv).resolve().parent
    labels = {col: reading.column_labels[f] for col, f in _EVENT_TO_FIELD.items()}
    validator = EventValidator(reading.path, base_dir=csv_dir, check_videos=True, column_names=labels)
    validator.report.problems.extend(reading.problems)
    validator.report.fixes.extend(reading.fixes)
    for record in reading.records:
        event = _event(validator, folders, fmt, record, reading.path.name, csv_dir)
        if event is not None:
            validator.add(record.line, event)
    report = validator.report
    report.problems.sort(key=lambda p: (p.line or 0))
    rejected_lines = {p.line for p in report.problems}
    report.fixes = [f for f in report.fixes if f.line is None or f.line not in rejected_lines]
    if strict:
        report.raise_if_problems()
    return report


def _event(validator: EventValidator, folders: FrameFolders, fmt: SheetFormat, record: SheetRecord,
           sheet_name: str, csv_dir: Path) -> Optional[Event]:
    folder, reason = folders.clip_folder(fmt, record)
    if folder is None:
        validator.reject(record.line, "video", reason)
        return None
    table = folders.positions(folder)
    if not table:
        validator.reject(record.line, "video", f"no numbered image files in {folder}")
        return None
    wanted = {"onset_frame": record.onset, "offset_frame": record.offset}
    if record.apex is not None:
        wanted["apex_frame"] = record.apex
    mapped: dict[str, int] = {}
    for column, number in wanted.items():
        if number in table:
            mapped[column] = table[number]
        else:
            validator.reject(record.line, column, f"no frame file numbered {number} in {folder} "
                                                  f"(its files are numbered {min(table)}..{max(table)})")
    if len(mapped) < len(wanted):
        return None
    apex = mapped.get("apex_frame", (mapped["onset_frame"] + mapped["offset_frame"]) // 2)
    notes = [f"source_frame onset={record.onset} apex={record.apex_in_sheet or '?'} offset={record.offset}"]
    notes += [reason for _, reason in record.fixes]
    return Event(
        video=_relative(folder, csv_dir), subject=record.subject,
        event_id=fmt.event_id.format(clip=record.clip, onset=record.onset, offset=record.offset),
        onset_frame=mapped["onset_frame"], apex_frame=apex, offset_frame=mapped["offset_frame"], fps=fmt.fps,
        kind=record.kind, emotion=record.emotion, action_units=record.action_units, source="imported",
        status="accepted", confidence=None, annotator=f"{fmt.title} sheet {sheet_name}", notes="; ".join(notes),
        extra={"source_onset_frame": record.onset, "source_apex_frame": record.apex_in_sheet,
               "source_offset_frame": record.offset, "sheet_line": record.line},
    )


def _relative(folder: Path, csv_dir: Path) -> str:
    try:
        return Path(os.path.relpath(folder.resolve(), csv_dir)).as_posix()
    except ValueError:  # another drive (Windows): keep it absolute
        return str(folder.resolve())
