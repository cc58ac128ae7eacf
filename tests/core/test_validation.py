"""The validator behind every reader: each bad row reported with file, line, column and reason."""

import csv

import pytest

from app.core.events import COLUMNS
from app.core.events_csv import read_events_csv
from app.core.validation import ColumnError, ValidationError

GOOD = dict(video="a.mp4", subject="s1", event_id="e1", onset_frame="10", apex_frame="12", offset_frame="20",
            fps="30", kind="micro", emotion="happiness", action_units="12", source="manual", status="accepted",
            confidence="", annotator="", notes="")


def _write(path, rows, header=COLUMNS):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(c, "") for c in header])
    return path


def _row(**changes):
    return {**GOOD, **changes}


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "a.mp4").write_bytes(b"x")
    return tmp_path


CASES = [  # (changes, column, reason fragment)
    (dict(onset_frame="30"), "onset_frame", "onset 30 is after offset 20"),
    (dict(apex_frame="25"), "apex_frame", "apex 25 is outside the interval 10..20"),
    (dict(emotion="joy"), "emotion", "unknown emotion 'joy'"),
    (dict(kind="meso"), "kind", "unknown kind 'meso'"),
    (dict(source="guess"), "source", "unknown source 'guess'"),
    (dict(status="maybe"), "status", "unknown status 'maybe'"),
    (dict(onset_frame=""), "onset_frame", "onset_frame is missing"),
    (dict(apex_frame="12.5"), "apex_frame", "must be an integer frame number, got '12.5'"),
    (dict(offset_frame="ten"), "offset_frame", "must be an integer frame number, got 'ten'"),
    (dict(onset_frame="-1"), "onset_frame", "is negative"),
    (dict(fps="0"), "fps", "fps must be a positive number"),
    (dict(fps="-25"), "fps", "fps must be a positive number"),
    (dict(fps="nan"), "fps", "finite"),
    (dict(confidence="1.5"), "confidence", "number in 0..1"),
    (dict(video="missing.mp4"), "video", "video 'missing.mp4' not found"),
    (dict(subject=""), "subject", "subject is empty"),
]


@pytest.mark.parametrize("changes, column, reason", CASES)
def test_each_bad_row_is_reported_with_line_column_and_reason(folder, changes, column, reason):
    path = _write(folder / "train.csv", [_row(event_id="ok1"), _row(event_id="bad", **changes), _row(event_id="ok2")])
    report = read_events_csv(path)
    assert [e.event_id for e in report.accepted] == ["ok1", "ok2"]
    assert len(report.problems) == 1
    problem = report.problems[0]
    assert (problem.file, problem.line, problem.column) == (str(path), 3, column)
    assert reason in problem.reason
    assert report.summary().startswith(f"2 events accepted, 1 rejected: {path}, line 3, column {column}: ")
    with pytest.raises(ValidationError, match="2 events accepted, 1 rejected"):
        read_events_csv(path, strict=True)


def test_duplicate_event_id_within_a_video_but_not_across_videos(folder):
    (folder / "b.mp4").write_bytes(b"x")
    path = _write(folder / "train.csv", [_row(), _row(video="b.mp4"), _row(video="./a.mp4", onset_frame="11")])
    report = read_events_csv(path)
    assert len(report.accepted) == 2
    assert report.problems[0].line == 4 and "duplicate event_id 'e1'" in report.problems[0].reason
    assert "first on line 2" in report.problems[0].reason


def test_line_numbers_count_records_as_a_spreadsheet_does(folder):
    path = _write(folder / "train.csv", [_row(event_id="a", notes="two\nlines"), _row(event_id="b", emotion="?")])
    assert read_events_csv(path).problems[0].line == 3


def test_all_problems_of_a_row_are_reported_once_counted(folder):
    path = _write(folder / "train.csv", [_row(kind="x", emotion="y", fps="0")])
    report = read_events_csv(path)
    assert {p.column for p in report.problems} == {"kind", "emotion", "fps"} and report.rejected == 1


def test_missing_or_misspelled_column_names_the_expected_columns(folder):
    header = [c if c != "onset_frame" else "onset_frm" for c in COLUMNS]
    path = _write(folder / "train.csv", [], header=header)
    with pytest.raises(ColumnError) as err:
        read_events_csv(path)
    message = str(err.value)
    assert "missing column(s): onset_frame (found 'onset_frm'; misspelled?)" in message
    assert "Expected columns, in this order: " + ", ".join(COLUMNS) in message
    empty = folder / "empty.csv"
    empty.write_text("")
    with pytest.raises(ValueError, match="empty file"):
        read_events_csv(empty)


def test_extra_columns_are_kept_and_reported(folder):
    path = _write(folder / "train.csv", [_row(source_frame="46")], header=COLUMNS + ("source_frame",))
    report = read_events_csv(path)
    assert report.accepted[0].extra == {"source_frame": "46"}
    assert "source_frame" in report.fixes[0].reason


def test_emotion_case_is_normalised_with_a_fix(folder):
    report = read_events_csv(_write(folder / "train.csv", [_row(emotion="Happiness")]))
    assert report.accepted[0].emotion == "happiness" and report.fixes[0].line == 2


def test_video_check_can_be_turned_off(folder):
    path = _write(folder / "train.csv", [_row(video="elsewhere/x.mp4")])
    assert read_events_csv(path, check_videos=False).ok
    assert not read_events_csv(path).ok
