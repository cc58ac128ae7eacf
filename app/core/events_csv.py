"""The training CSV: one row per labelled event, columns in `COLUMNS` order, no index column.

Writes are atomic (see `atomic.py`). Text cells that a spreadsheet would run as a formula (they
begin with `=`, `+`, `-`, `@`, a tab or a carriage return) are written with a leading `'`, which
the reader strips again, so every value round-trips unchanged (see `escape_cell`).
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from pathlib import Path
from typing import Iterable, Optional

from .atomic import atomic_write_text
from .csv_rows import read_rows
from .events import COLUMNS, EDGES, Event
from .validation import EventValidator, ValidationReport, check_header, event_problems

_TEXT_COLUMNS = ("video", "subject", "event_id", "kind", "emotion", "action_units", "source", "status",
                 "annotator", "notes")
# A cell that needs the guard: any number of quotes, then a formula character. Written with one more
# quote; read back with one quote fewer. Cells that do not match are written and read as they are.
_NEEDS_GUARD = re.compile(r"^'*[=+\-@\t\r]")
_GUARDED = re.compile(r"^'+[=+\-@\t\r]")


def escape_cell(text: str) -> str:
    return "'" + text if _NEEDS_GUARD.match(text) else text


def unescape_cell(text: str) -> str:
    return text[1:] if _GUARDED.match(text) else text


def format_number(value: Optional[float]) -> str:
    """Shortest text that reads back as the same number: 200 for 200.0, 29.97, '' for None."""
    if value is None:
        return ""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def event_to_row(event: Event) -> list[str]:
    row = []
    for name in COLUMNS:
        value = getattr(event, name)
        if name in _TEXT_COLUMNS:
            row.append(escape_cell(str(value)))
        elif name in EDGES:
            row.append(str(int(value)))
        else:
            row.append(format_number(value))
    return row


def events_to_csv_text(events: Iterable[Event]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for event in events:
        writer.writerow(event_to_row(event))
    return buffer.getvalue()


def write_events_csv(path: str | os.PathLike, events: Iterable[Event]) -> Path:
    """Write the training CSV atomically. Raises ValueError (nothing written) if an event is invalid."""
    events = list(events)
    bad = [f"event {e.event_id!r} of {e.video!r}: {reason}" for e in events for _, reason in event_problems(e)]
    if bad:
        raise ValueError(f"{path}: refusing to write {len(bad)} invalid value(s): " + "; ".join(bad[:5])
                         + ("; ..." if len(bad) > 5 else ""))
    return atomic_write_text(path, events_to_csv_text(events))


def read_events_csv(path: str | os.PathLike, *, strict: bool = False, check_videos: bool = True) -> ValidationReport:
    """Read and validate a training CSV. Relative video paths refer to the CSV's folder.

    Missing columns raise `ColumnError`; bad rows become problems (with `strict`, `ValidationError`).
    Columns beyond the schema are kept in `Event.extra` and reported once as a fix.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: file not found")
    with open(path, newline="", encoding="utf-8-sig") as handle:
        records = read_rows(handle, path)
    if not records:
        raise ValueError(f"{path}: empty file; expected a header with columns {', '.join(COLUMNS)}")
    header = [h.strip() for h in records[0]]
    extra_columns = check_header(str(path), header)
    validator = EventValidator(path, base_dir=path.parent, check_videos=check_videos)
    if extra_columns:
        validator.fix(None, None, f"column(s) {', '.join(extra_columns)} are not part of the training CSV; "
                                  "their values are kept in Event.extra only")
    for line, cells in enumerate(records[1:], start=2):  # header = line 1, as a spreadsheet numbers rows
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            validator.reject(line, None, f"row has {len(cells)} cells but the header has {len(header)}")
            continue
        cells = cells + [""] * (len(header) - len(cells))
        event = _parse_row(validator, line, dict(zip(header, cells)), extra_columns)
        if event is not None:
            validator.add(line, event)
    if strict:
        validator.report.raise_if_problems()
    return validator.report


def _parse_row(validator: EventValidator, line: int, cells: dict[str, str], extra_columns: list[str]) -> Optional[Event]:
    values: dict = {}
    failed = False
    for name in COLUMNS:
        raw = cells[name]
        try:
            values[name] = _parse_cell(name, raw)
        except ValueError as err:
            validator.reject(line, name, str(err))
            failed = True
    if failed:
        return None
    emotion = values["emotion"]
    if emotion and emotion != emotion.strip().lower():
        validator.fix(line, "emotion", f"emotion {emotion!r} read as {emotion.strip().lower()!r}")
        values["emotion"] = emotion.strip().lower()
    values["extra"] = {name: cells[name] for name in extra_columns}
    return Event(**values)


def _parse_cell(name: str, raw: str):
    if name in _TEXT_COLUMNS:
        text = unescape_cell(raw)
        return text if name in ("notes", "action_units", "annotator") else text.strip()
    text = raw.strip()
    if name in EDGES:
        return parse_frame_number(text, name)
    if name == "confidence" and not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {raw!r}")
    return number


def parse_frame_number(text: str, name: str = "frame") -> int:
    """An integer from text; '12.0' is accepted (spreadsheets write integers so), '12.5' is not."""
    if not text:
        raise ValueError(f"{name} is missing")
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{name} must be an integer frame number, got {text!r}") from None
    if not math.isfinite(number) or not number.is_integer():
        raise ValueError(f"{name} must be an integer frame number, got {text!r}")
    return int(number)
