"""A CSV cell of a megabyte (a long pasted note) is read everywhere; other parse errors name file and line."""

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.csv_rows import CsvReadError, guarded, read_rows
from app.core.events import Event
from app.core.events_csv import write_events_csv
from app.core.label_exchange import labels_for_video

BIG_NOTE = "pasted transcript " * 60_000  # about 1 MB, far over the csv module's default 128 KiB limit
APP = Path(__file__).resolve().parents[2] / "app"


def _events(video: str) -> list[Event]:
    return [Event(video, "s1", "EP01", 10, 14, 19, 30.0, "micro", "happiness", annotator="dr. a", notes=BIG_NOTE),
            Event(video, "s1", "EP02", 40, 44, 49, 30.0, "micro", "disgust", annotator="dr. a")]


def test_evaluate_reads_a_truth_csv_with_a_1mb_cell(tmp_path):
    write_events_csv(tmp_path / "truth.csv", _events("v.mp4"))
    write_events_csv(tmp_path / "pred.csv", [e.__class__(**{**e.__dict__, "notes": ""}) for e in _events("v.mp4")])
    assert (tmp_path / "truth.csv").stat().st_size > 1_000_000
    # A fresh process, as a user runs it: the limit must be raised by the reader itself.
    run = subprocess.run([sys.executable, "-m", "app.cli", "evaluate", "--truth", str(tmp_path / "truth.csv"),
                          "--pred", str(tmp_path / "pred.csv")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr and "field limit" not in run.stderr
    assert "accuracy 1.000" in run.stdout


def test_label_import_keeps_the_whole_note(tmp_path):
    video = tmp_path / "v.mp4"
    video.write_bytes(b"")
    write_events_csv(tmp_path / "labels.csv", _events("v.mp4"))
    events, report, elsewhere = labels_for_video(tmp_path / "labels.csv", video)
    assert report.ok and elsewhere == 0
    assert [e.notes for e in events] == [BIG_NOTE, ""]


def test_parse_errors_name_the_file_and_line():
    text = 'a,b\n1,2\n3,"x"y\n'
    with pytest.raises(CsvReadError, match=r"^bad\.csv: line 3: cannot be read as CSV") as caught:
        read_rows(io.StringIO(text), "bad.csv", strict=True)
    assert caught.value.line == 3 and isinstance(caught.value, ValueError)
    with pytest.raises(CsvReadError, match=r"bad\.csv: line 3"):
        list(guarded(csv.DictReader(io.StringIO(text), strict=True), "bad.csv"))


def test_every_csv_reader_in_the_app_goes_through_csv_rows():
    unguarded = []
    for path in APP.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name != "csv_rows.py" and re.search(r"csv\.(reader|DictReader)\(", text):
            if not re.search(r"from app\.core\.csv_rows import|from \.csv_rows import", text):
                unguarded.append(str(path.relative_to(APP.parent)))
    assert unguarded == []
