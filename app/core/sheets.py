"""The official coding sheets of CASME II, SAMM and CAS(ME)^3 Part A, read into typed records.

Handles the known quirks of the public copies and reports each fix:
- CASME II: subject ids stored as text; ApexFrame "/" (apex imputed later, mid-interval); the older
  CASME2-coding-20140508 sheet is told apart from the 2019-07-01 one by its header.
- SAMM: 13 preamble rows before the header; capitalised emotions; apex outside the interval
  (reset to mid-interval, with a warning).
- CAS(ME)^3: every cell is text (cast); "Others" vs "others" (case normalised).
Frame numbers here are the data set's image-file numbers; `sheet_import.py` maps them to positions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .events import EMOTIONS
from .validation import ColumnError, Problem

FIELDS = ("subject", "clip", "onset", "apex", "offset", "action_units", "emotion")
_APEX_PLACEHOLDERS = ("/",)
_HEADER_SEARCH_ROWS = 40
# Spellings not in a sheet's own table that still mean a vocabulary emotion.
_ALIASES = {"happy": "happiness", "sad": "sadness", "other": "others", "angry": "anger", "surprised": "surprise",
            "disgusted": "disgust", "fearful": "fear", "repressed": "repression"}


@dataclass(frozen=True)
class SheetFormat:
    key: str
    title: str
    fps: float
    header_row: int                       # where the official sheet has its header (1-based)
    columns: dict[str, str]               # field -> official header text
    emotions: dict[str, str]              # the sheet's spelling -> vocabulary
    subject_id: str                       # format of the normalised subject id, from its number
    subject_folders: tuple[str, ...]      # folder-name candidates under the frames root
    optional: dict[str, str] = field(default_factory=dict)   # optional field -> header text
    official_letters: dict[str, str] = field(default_factory=dict)  # layout check (CASME II 2019)
    official_name: str = ""
    event_id: str = "{clip}"              # unique within a video (a CAS(ME)^3 task video holds many)


_same = {e: e for e in ("happiness", "surprise", "disgust", "repression", "fear", "sadness", "others")}

FORMATS = {
    "casme2": SheetFormat(
        key="casme2", title="CASME II", fps=200.0, header_row=1,
        columns={"subject": "Subject", "clip": "Filename", "onset": "OnsetFrame", "apex": "ApexFrame",
                 "offset": "OffsetFrame", "action_units": "Action Units", "emotion": "Estimated Emotion"},
        emotions=_same, subject_id="sub{n:02d}", subject_folders=("sub{n:02d}", "sub{n}", "{n:02d}", "{n}"),
        official_letters={"subject": "A", "clip": "B", "onset": "D", "apex": "E", "offset": "F",
                          "action_units": "H", "emotion": "I"},
        official_name="CASME2-coding-20190701.xlsx",
    ),
    "samm": SheetFormat(
        key="samm", title="SAMM", fps=200.0, header_row=14,
        columns={"subject": "Subject", "clip": "Filename", "onset": "Onset Frame", "apex": "Apex Frame",
                 "offset": "Offset Frame", "action_units": "Action Units", "emotion": "Estimated Emotion"},
        optional={"kind": "Micro"},
        emotions={"Anger": "anger", "Contempt": "contempt", "Happiness": "happiness", "Surprise": "surprise",
                  "Other": "others", "Disgust": "disgust", "Fear": "fear", "Sadness": "sadness"},
        subject_id="{n:03d}", subject_folders=("{n:03d}", "{n}"),
        official_name="SAMM_Micro_FACS_Codes_v2.xlsx",
    ),
    "casme3": SheetFormat(
        key="casme3", title="CAS(ME)^3 Part A", fps=30.0, header_row=1,
        columns={"subject": "Subject", "clip": "Filename", "onset": "Onset", "apex": "Apex", "offset": "Offset",
                 "action_units": "AU", "emotion": "emotion"},
        emotions={"anger": "anger", "disgust": "disgust", "fear": "fear", "happy": "happiness", "sad": "sadness",
                  "surprise": "surprise", "others": "others"},
        subject_id="spNO.{n}", subject_folders=("spNO.{n}", "spNO.{n:02d}", "spNO{n}", "sp{n}"),
        official_name="cas(me)3_part_A_ME_label_JpgIndex_v2.xlsx", event_id="{clip}_{onset}_{offset}",
    ),
}


@dataclass
class SheetRecord:
    """One sheet row, typed. Frame numbers are image-file numbers; `apex` is None when it must be
    set to mid-interval (the reason is in `fixes`)."""

    line: int
    subject: str
    subject_number: int
    clip: str
    onset: int
    apex: Optional[int]
    offset: int
    apex_in_sheet: str
    action_units: str
    emotion: str
    kind: str = "micro"
    fixes: list[tuple[str, str]] = field(default_factory=list)  # (field, what was changed)


@dataclass
class SheetReading:
    format: SheetFormat
    path: Path
    header_row: int
    column_labels: dict[str, str]        # field -> "D (OnsetFrame)", for messages
    records: list[SheetRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    fixes: list[Problem] = field(default_factory=list)


def read_sheet(dataset: str, path: str | Path) -> SheetReading:
    """Parse one data set's coding sheet (first worksheet). Raises ColumnError for a wrong layout."""
    import openpyxl  # lazy: ~0.3 s to import; this module loads at CLI start-up (tsfmicro import's FORMATS)

    if dataset not in FORMATS:
        raise ValueError(f"unknown data set {dataset!r}; expected one of {', '.join(FORMATS)}")
    fmt = FORMATS[dataset]
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: sheet not found")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises several types for files that are not xlsx
        raise ValueError(f"{path}: cannot be read as an .xlsx workbook ({err})") from err
    try:
        rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()
    header_row, positions = _find_header(fmt, path, rows)
    header = rows[header_row - 1]
    labels = {f: f"{_letter(i)} ({str(header[i]).strip()})" for f, i in positions.items()}
    reading = SheetReading(fmt, path, header_row, labels)
    _note_layout(reading, header, positions)
    counters = {"subject": 0, "frames": 0}
    for line, row in enumerate(rows[header_row:], start=header_row + 1):
        cells = {f: (row[i] if i < len(row) else None) for f, i in positions.items()}
        if all(_blank(v) for v in cells.values()):
            continue
        record = _parse_row(reading, line, cells, counters)
        if record is not None:
            reading.records.append(record)
    if counters["subject"]:
        reading.fixes.insert(0, Problem(str(path), None, labels["subject"],
                                        f"subject stored as text in {counters['subject']} rows; parsed as integers"))
    if counters["frames"]:
        reading.fixes.insert(0, Problem(str(path), None, None,
                                        f"frame numbers stored as text in {counters['frames']} rows; cast to integers"))
    return reading


def _norm(text) -> str:
    """Header text compared without case and with runs of spaces/underscores as one space. Spaces still
    count: CASME II's "OnsetFrame" and SAMM's "Onset Frame" tell the two sheets apart."""
    return re.sub(r"[\s_]+", " ", str(text)).strip().lower() if text is not None else ""


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _find_header(fmt: SheetFormat, path: Path, rows: list[list]) -> tuple[int, dict[str, int]]:
    wanted = {f: _norm(h) for f, h in fmt.columns.items()}
    for number, row in enumerate(rows[:_HEADER_SEARCH_ROWS], start=1):
        names = [_norm(c) for c in row]
        if all(w in names for w in wanted.values()):
            positions = {f: names.index(w) for f, w in wanted.items()}
            for f, h in fmt.optional.items():
                if _norm(h) in names:
                    positions[f] = names.index(_norm(h))
            return number, positions
    expected = ", ".join(fmt.columns.values())
    hint = ""
    for other in FORMATS.values():
        if other is not fmt and any(
            all(_norm(h) in [_norm(c) for c in row] for h in other.columns.values()) for row in rows[:_HEADER_SEARCH_ROWS]
        ):
            hint = f" It looks like a {other.title} sheet: run `tsfmicro import {other.key}`."
    raise ColumnError(
        f"{path}: not a {fmt.title} coding sheet: no row among the first {_HEADER_SEARCH_ROWS} has the columns "
        f"{expected} (the official sheet has them on row {fmt.header_row}).{hint}"
    )


def _note_layout(reading: SheetReading, header: list, positions: dict[str, int]) -> None:
    fmt, file = reading.format, str(reading.path)
    if fmt.official_letters:
        official = all(_letter(positions[f]) == letter for f, letter in fmt.official_letters.items())
        if official:
            reading.fixes.append(Problem(file, None, None, f"{fmt.official_name} layout recognised by its header"))
        else:
            found = ", ".join(f"{_letter(i)} {str(header[i]).strip()}" for f, i in positions.items())
            reading.fixes.append(Problem(
                file, None, None,
                f"header differs from the {fmt.official_name} layout (found {found}): read as the older "
                "CASME2-coding-20140508 sheet, columns located by name"))
    if reading.header_row != fmt.header_row:
        reading.fixes.append(Problem(file, None, None, f"header found on row {reading.header_row}, not on row "
                                                       f"{fmt.header_row} as in {fmt.official_name}"))
    elif reading.header_row > 1:
        reading.fixes.append(Problem(file, None, None, f"{reading.header_row - 1} preamble rows skipped; "
                                                       f"header on row {reading.header_row}"))


def _parse_row(reading: SheetReading, line: int, cells: dict, counters: dict) -> Optional[SheetRecord]:
    fmt, labels = reading.format, reading.column_labels
    errors: list[tuple[str, str]] = []
    fixes: list[tuple[str, str]] = []

    def reject(f: str, reason: str) -> None:
        errors.append((f, reason))

    subject_number = _subject_number(cells["subject"])
    if subject_number is None:
        reject("subject", f"subject {cells['subject']!r} carries no subject number")
    elif isinstance(cells["subject"], str):
        counters["subject"] += 1
    clip = "" if _blank(cells["clip"]) else _text(cells["clip"])
    if not clip:
        reject("clip", "clip name (Filename) is empty")
    frames = {}
    text_frames = False
    for f in ("onset", "offset"):
        frames[f] = _frame(cells[f], f, reject)
        text_frames |= isinstance(cells[f], str)
    apex_cell = cells["apex"]
    apex_in_sheet = "" if apex_cell is None else _text(apex_cell)
    apex: Optional[int] = None
    if isinstance(apex_cell, str) and apex_cell.strip() in _APEX_PLACEHOLDERS:
        fixes.append(("apex", f"apex {apex_cell.strip()!r} in the sheet: set to mid-interval (onset+offset)//2"))
    else:
        apex = _frame(apex_cell, "apex", reject)
        text_frames |= isinstance(apex_cell, str)
    if text_frames:
        counters["frames"] += 1
    onset, offset = frames["onset"], frames["offset"]
    if onset is not None and offset is not None:
        if onset > offset:
            reject("onset", f"onset {onset} is after offset {offset}")
        elif apex is not None and not onset <= apex <= offset:
            fixes.append(("apex", f"apex {apex} outside the interval {onset}..{offset}: reset to mid-interval "
                                  "(onset+offset)//2"))
            apex = None
    emotion = _emotion(fmt, cells["emotion"], reject, fixes)
    kind = "micro"
    if "kind" in cells and isinstance(cells["kind"], str) and cells["kind"].strip().lower().startswith("macro"):
        kind = "macro"
    file = str(reading.path)
    for f, reason in errors:
        reading.problems.append(Problem(file, line, labels.get(f, f), reason))
    if errors:
        return None
    for f, reason in fixes:
        reading.fixes.append(Problem(file, line, labels.get(f, f), reason))
    return SheetRecord(
        line=line, subject=fmt.subject_id.format(n=subject_number), subject_number=subject_number, clip=clip,
        onset=onset, apex=apex, offset=offset, apex_in_sheet=apex_in_sheet,
        action_units="" if _blank(cells["action_units"]) else _text(cells["action_units"]),
        emotion=emotion, kind=kind, fixes=fixes,
    )


def _text(value) -> str:
    """Cell text; integral numbers without a decimal point (AU 4.0 -> '4')."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _subject_number(value) -> Optional[int]:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value) if float(value).is_integer() else None
    match = re.search(r"(\d+)\s*$", str(value))
    return int(match.group(1)) if match else None


def _frame(value, name: str, reject) -> Optional[int]:
    if _blank(value):
        reject(name, f"{name} frame number is missing")
        return None
    if isinstance(value, bool):
        reject(name, f"{name} frame number must be an integer, got {value!r}")
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        reject(name, f"{name} frame number must be an integer, got {value!r}")
        return None
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        reject(name, f"{name} frame number must be an integer, got {text!r}")
        return None
    if not number.is_integer():
        reject(name, f"{name} frame number must be an integer, got {text!r}")
        return None
    return int(number)


def _emotion(fmt: SheetFormat, value, reject, fixes) -> str:
    raw = "" if _blank(value) else _text(value)
    if not raw:
        reject("emotion", "emotion is empty")
        return ""
    if raw in fmt.emotions:
        return fmt.emotions[raw]
    by_case = {k.lower(): (k, v) for k, v in fmt.emotions.items()}
    key = raw.lower()
    if key in by_case:
        spelled, mapped = by_case[key]
        fixes.append(("emotion", f"emotion {raw!r} differs in case from the sheet's {spelled!r}: read as {mapped!r}"))
        return mapped
    mapped = _ALIASES.get(key, key if key in EMOTIONS else None)
    if mapped is not None:
        fixes.append(("emotion", f"emotion {raw!r} is not one of this sheet's spellings: read as {mapped!r}"))
        return mapped
    reject("emotion", f"unknown emotion {raw!r} (this sheet uses: {', '.join(fmt.emotions)})")
    return ""
