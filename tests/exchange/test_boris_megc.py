"""BORIS projects (written and read), BORIS's tabular export read back, the MEGC submission CSV."""

import json

import pytest

from app.core.events import Event
from app.core.exchange import ExchangeError, read_labels, write_labels

EVENTS = [
    Event("a.mp4", "sub01", "e1", 10, 14, 20, 30.0, "micro", "happiness", "6+12", notes="check; again"),
    Event("a.mp4", "sub01", "e2", 12, 13, 18, 30.0, "macro", "disgust", "9"),
    Event("a.mp4", "sub01", "e3", 100, 150, 200, 30.0, "macro", "surprise", ""),
    Event("b.mp4", "sub02", "e1", 5, 6, 7, 25.0, "micro", "none", ""),
]


def key(events):
    return sorted((e.video, e.subject, e.event_id, e.kind, e.onset_frame, e.apex_frame, e.offset_frame, e.emotion,
                   e.action_units, e.notes) for e in events)


def test_boris_project_is_json_with_every_event_and_reads_back(tmp_path):
    write_labels(tmp_path / "labels.boris", EVENTS)
    project = json.loads((tmp_path / "labels.boris").read_text())
    assert set(project["observations"]) == {"a", "b"}
    assert {s["name"] for s in project["subjects_conf"].values()} == {"sub01", "sub02"}
    codes = {b["code"]: b["type"] for b in project["behaviors_conf"].values()}
    assert codes["micro"] == codes["macro"] == "State event" and codes["micro apex"] == "Point event"
    obs = project["observations"]["a"]
    assert obs["file"]["1"] == ["a.mp4"] and obs["media_info"]["fps"] == {"a.mp4": 30.0}
    states = [e for e in obs["events"] if e[2] in ("micro", "macro")]
    assert len(states) == 6  # START and STOP of three events
    assert [0.333333, "sub01", "micro", "happiness", "id=e1; AU=6+12; notes=check; again", 10] in obs["events"]
    assert [0.7, "sub01", "micro", "happiness", "", 21] in obs["events"]  # STOP after the last frame
    report, fmt = read_labels(tmp_path / "labels.boris")
    assert fmt == "boris" and report.ok and key(report.accepted) == key(EVENTS)


def test_overlapping_events_of_one_kind_cannot_be_boris_states(tmp_path):
    clash = [EVENTS[0], Event("a.mp4", "sub01", "e9", 15, 16, 30, 30.0, "micro")]
    with pytest.raises(ExchangeError, match="'e1' and 'e9'.*overlap"):
        write_labels(tmp_path / "x.boris", clash)
    assert not (tmp_path / "x.boris").exists()


# BORIS 8's "Export events" as TSV: one line per START / STOP / POINT.
TABLE = """Observation id\tObservation date\tDescription\tObservation duration\tObservation type\tSource\tTime offset (s)\tMedia duration (s)\tFPS\tSubject\tBehavior\tBehavioral category\tModifier #1\tBehavior type\tTime\tMedia file name\tImage index\tImage file path\tComment
obs7\t2024-03-01 10:00:00\t\t12.000\tMedia file(s)\tplayer #1:interview7.mp4\t0.0\t12.000\t25.000\tP07\tME\t\tHappy\tSTART\t1.000\tinterview7.mp4\t25\tNA\tAU6+12
obs7\t2024-03-01 10:00:00\t\t12.000\tMedia file(s)\tplayer #1:interview7.mp4\t0.0\t12.000\t25.000\tP07\tapex\t\t\tPOINT\t1.160\tinterview7.mp4\t29\tNA\t
obs7\t2024-03-01 10:00:00\t\t12.000\tMedia file(s)\tplayer #1:interview7.mp4\t0.0\t12.000\t25.000\tP07\tME\t\tHappy\tSTOP\t1.400\tinterview7.mp4\t35\tNA\t
obs7\t2024-03-01 10:00:00\t\t12.000\tMedia file(s)\tplayer #1:interview7.mp4\t0.0\t12.000\t25.000\tP07\tgaze away\t\t\tSTART\t2.000\tinterview7.mp4\t50\tNA\t
obs7\t2024-03-01 10:00:00\t\t12.000\tMedia file(s)\tplayer #1:interview7.mp4\t0.0\t12.000\t25.000\tP07\tmacro expression\t\tsad\tSTART\t5.000\tinterview7.mp4\t125\tNA\t
obs7\t2024-03-01 10:00:00\t\t12.000\tMedia file(s)\tplayer #1:interview7.mp4\t0.0\t12.000\t25.000\tP07\tmacro expression\t\tsad\tSTOP\t7.000\tinterview7.mp4\t175\tNA\t
"""


def test_boris_tabular_export_imports(tmp_path):
    path = tmp_path / "obs7.tsv"
    path.write_text(TABLE)
    report, fmt = read_labels(path)
    assert fmt == "boris-table" and report.ok, report.problems
    micro, macro = sorted(report.accepted, key=lambda e: e.onset_frame)
    assert (micro.kind, micro.onset_frame, micro.apex_frame, micro.offset_frame) == ("micro", 25, 29, 34)
    assert (micro.emotion, micro.action_units, micro.subject, micro.video) == ("happiness", "6+12", "P07", "interview7.mp4")
    assert (macro.kind, macro.onset_frame, macro.offset_frame, macro.emotion) == ("macro", 125, 174, "sadness")
    assert any("'gaze away'" in f.reason for f in report.fixes)
    as_csv = tmp_path / "obs7.csv"
    as_csv.write_text(TABLE.replace("\t", ","))
    assert read_labels(as_csv)[1] == "boris-table"


def test_boris_table_problems_name_the_line(tmp_path):
    path = tmp_path / "obs7.tsv"
    lines = TABLE.splitlines()
    path.write_text("\n".join(lines[:4] + lines[5:6]) + "\n")  # the macro START has no STOP
    report, _ = read_labels(path)
    assert len(report.accepted) == 1
    (problem,) = report.problems
    assert problem.line == 5 and "START of 'macro expression' without a STOP" in problem.reason
    path.write_text("Observation id\tSubject\tComment\nobs\tP\tx\n")
    with pytest.raises(ExchangeError, match=r"obs7.tsv: line 1: not a BORIS event export: missing column\(s\) Behavior"):
        read_labels(path)


def test_bad_boris_project_names_line_and_element(tmp_path):
    path = tmp_path / "p.boris"
    path.write_text('{"observations": {\n "o1": {"events": [[1.0, "", "micro", "", ""],\n oops]}}}')
    with pytest.raises(ExchangeError, match=r"p.boris: not a BORIS project: JSON error at line 3, column 2"):
        read_labels(path)
    path.write_text(json.dumps({"observations": {"o1": {"file": {"1": ["v.mp4"]}, "media_info": {"fps": {"v.mp4": 25}},
                                                        "events": [[1.0, "", "micro", "", ""], ["x"]]}}}))
    report, _ = read_labels(path)
    assert [p.column for p in report.problems] == ["observation 'o1', events[1]", "observation 'o1', events[0]"]


def test_megc_submission_round_trip(tmp_path):
    write_labels(tmp_path / "sub.csv", EVENTS, "megc")
    text = (tmp_path / "sub.csv").read_text().splitlines()
    assert text[0] == "vid,pred_onset,pred_offset,type" and "a,10,20,me" in text and "a,100,200,mae" in text
    report, fmt = read_labels(tmp_path / "sub.csv", fps=30)
    assert fmt == "megc" and report.ok
    assert sorted((e.video, e.kind, e.onset_frame, e.offset_frame) for e in report.accepted) == sorted(
        (e.video[0], e.kind, e.onset_frame, e.offset_frame) for e in EVENTS)
    (tmp_path / "bad.csv").write_text("vid,pred_onset,pred_offset,type\na,30,20,me\na,x,4,me\n")
    report, _ = read_labels(tmp_path / "bad.csv", fps=30)
    assert [(p.line, p.reason) for p in report.problems] == [
        (2, "onset 30 is after offset 20"), (3, "pred_onset must be an integer frame number, got 'x'")]
    with pytest.raises(ExchangeError, match="give --fps"):
        read_labels(tmp_path / "sub.csv")
