"""The training CSV: explicit column order, lossless round trips, formula guard, atomic writes."""

import csv
import os

import pandas as pd
import pytest

from app.core.events import COLUMNS, Event
from app.core.events_csv import escape_cell, read_events_csv, unescape_cell, write_events_csv


@pytest.fixture
def video_dir(tmp_path):
    (tmp_path / "clips").mkdir()
    (tmp_path / "clips" / "a.mp4").write_bytes(b"x")
    (tmp_path / "clips" / "frames").mkdir()
    return tmp_path


def _events():
    return [
        Event("clips/a.mp4", "sub01", "e1", 10, 14, 20, 29.97, "micro", "happiness", "4+7+L10", "manual", "accepted",
              None, "anna", "=SUM(A1:A9)"),
        Event("clips/a.mp4", "sub01", "e2", 30, 30, 90, 30.0, "macro", "others", "+12", "model", "suggested", 0.8125,
              "@bob", "-5 frames, then\nback to neutral"),
        Event("clips/frames", "007", "=e3", 0, 1, 2, 200.0, "micro", "none", "", "imported", "rejected", 1.0, "",
              "'=not a formula twice"),
        Event("clips/frames", "007", "e4", 3, 4, 5, 200.0, "micro", "surprise", "R12", "manual", "accepted", 0.0, "",
              "'quoted, kept as is; ünïcode ✓"),
    ]


def test_round_trip_is_lossless_with_explicit_column_order_and_no_index(video_dir):
    path = video_dir / "train.csv"
    write_events_csv(path, _events())
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(COLUMNS)
    report = read_events_csv(path)
    assert report.ok and report.fixes == []
    assert report.accepted == _events()
    assert report.summary() == "4 events accepted, 0 rejected"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(table.columns) == list(COLUMNS)
    assert table.loc[0, "fps"] == "29.97" and table.loc[2, "fps"] == "200" and table.loc[0, "confidence"] == ""


def test_formula_cells_are_guarded_in_the_file(video_dir):
    path = video_dir / "train.csv"
    write_events_csv(path, _events())
    rows = list(csv.DictReader(open(path, encoding="utf-8", newline="")))
    assert rows[0]["notes"] == "'=SUM(A1:A9)"
    assert rows[1]["notes"].startswith("'-5 frames") and rows[1]["action_units"] == "'+12"
    assert rows[1]["annotator"] == "'@bob" and rows[2]["event_id"] == "'=e3"
    assert rows[2]["notes"] == "''=not a formula twice"
    assert rows[3]["notes"].startswith("'quoted")  # no formula character after the quote: untouched
    assert rows[0]["action_units"] == "4+7+L10" and rows[0]["onset_frame"] == "10"


@pytest.mark.parametrize("text", ["", "=1+1", "+4", "-5 frames", "@x", "\tx", "'", "'=", "''=a", "'a", "4+7", "a=b"])
def test_escape_unescape_is_a_bijection(text):
    assert unescape_cell(escape_cell(text)) == text
    assert not escape_cell(text)[:1] in ("=", "+", "-", "@", "\t")


def test_failed_replace_leaves_the_old_file_intact(video_dir, monkeypatch):
    path = video_dir / "train.csv"
    write_events_csv(path, _events()[:1])
    before = path.read_bytes()

    def refuse(src, dst):
        raise OSError("disk pulled out")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="disk pulled out"):
        write_events_csv(path, _events())
    assert path.read_bytes() == before and len(before) > 0
    assert sorted(p.name for p in video_dir.iterdir()) == ["clips", "train.csv"]  # no temp file left


def test_writer_refuses_invalid_events_and_writes_nothing(video_dir):
    path = video_dir / "train.csv"
    bad = Event("clips/a.mp4", "s", "e", 20, 25, 10, 30.0)
    with pytest.raises(ValueError, match="onset 20 is after offset 10"):
        write_events_csv(path, [bad])
    assert not path.exists()


def test_reader_accepts_a_spreadsheet_saved_csv(video_dir):
    """Excel adds a BOM and may write 12.0; columns may come in another order."""
    path = video_dir / "excel.csv"
    header = list(reversed(COLUMNS))
    row = dict(video="clips/a.mp4", subject="01", event_id="e1", onset_frame="12.0", apex_frame="13",
               offset_frame="15", fps="30", kind="micro", emotion="happiness", action_units="12", source="manual",
               status="accepted", confidence="", annotator="", notes="")
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerow([row[c] for c in header])
    report = read_events_csv(path, strict=True)
    assert report.accepted[0].onset_frame == 12 and report.accepted[0].subject == "01"
