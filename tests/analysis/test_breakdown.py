"""The spotting breakdown by face kind, renderer, face and face and kind, where false micro suggestions lie, and false
suggestions per minute (and macro suggestions per minute) on videos with nothing injected — counts worked out by hand;
also through `tsfmicro evaluate`."""

import json

import pytest

from app.analysis.breakdown import IntervalRow, VideoRow, spotting_breakdown
from app.cli import main
from app.core.events import Event
from app.core.events_csv import write_events_csv


def ev(video, onset, apex, offset, kind="micro", **kw):
    return Event(video, "s", f"e{onset}", onset, apex, offset, 30.0, kind, "happiness", **kw)


TRUTH = [ev("a.mp4", 10, 14, 19), ev("a.mp4", 100, 130, 160, kind="macro"), ev("b.mp4", 50, 54, 59)]
PRED = [ev(v, s, a, e, source="model", status="suggested") for v, s, a, e in [
    ("a.mp4", 11, 15, 20),    # hit, apex error 1
    ("a.mp4", 120, 122, 125),  # false: inside the macro and inside a head sweep
    ("a.mp4", 200, 202, 205),  # false: inside a blink
    ("a.mp4", 300, 302, 305),  # false: nothing labelled
    ("a.mp4", 18, 18, 35),     # false: IoU 0.08 with the micro it overlaps, apex inside it
    ("b.mp4", 50, 56, 59),     # hit, apex error 2
    ("c.mp4", 10, 12, 15),     # real clip, nothing injected: false, inside a gaze shift
    ("c.mp4", 500, 502, 505),  # real clip: false, nothing labelled
]] + [ev("c.mp4", 900, 930, 990, kind="macro", source="model", status="suggested"),  # real clip: a macro suggestion
      ev("a.mp4", 102, 130, 158, kind="macro", source="model", status="suggested")]  # hit (an injected video)
VIDEOS = [VideoRow("a.mp4", "testbed", "carphone", "still", 30.0, 400, 2),
          VideoRow("b.mp4", "testbed", "wolfgang", "talking", 30.0, 300, 1),
          VideoRow("c.mp4", "real", "wolfgang", "talking", 30.0, 1800, 0)]
NUISANCE = [IntervalRow("a.mp4", "blink", 198, 206), IntervalRow("a.mp4", "head", 120, 124),
            IntervalRow("c.mp4", "gaze", 0, 20)]
COUNTS = {"still": (1, 4, 0), "talking": (1, 2, 0)}
EXPECTED_WHERE = {"false_micro": 6, "inside_macro": 1, "inside_micro": 1,
                  "inside_nuisance": {"blink": 1, "gaze": 1, "head": 1}, "nothing_labelled": 2}


def _tfn(m):
    return m["tp"], m["fp"], m["fn"]


def _check(b):
    assert {k: _tfn(m) for k, m in b["micro_by_face_kind"].items()} == COUNTS
    assert b["micro_by_face_kind"]["still"]["apex_error_frames_median"] == 1
    assert b["micro_by_face_kind"]["talking"]["apex_error_frames_median"] == 2
    assert {k: _tfn(m) for k, m in b["micro_by_renderer"].items()} == {"real": (0, 2, 0), "testbed": (2, 4, 0)}
    assert {k: _tfn(m) for k, m in b["micro_by_face"].items()} == {"carphone": (1, 4, 0), "wolfgang": (1, 2, 0)}
    assert {k: _tfn(m) for k, m in b["micro_by_face_and_kind"].items()} == {
        "carphone still": (1, 4, 0), "wolfgang talking": (1, 0, 0),
        "wolfgang talking (real, nothing injected)": (0, 2, 0)}  # the real clip's false suggestions apart
    assert b["false_micro_where"] == EXPECTED_WHERE
    assert b["no_injection"] == {"videos": 1, "minutes": 1.0, "false_micro": 2, "false_micro_per_minute": 2.0,
                                 "macro": 1, "macro_per_minute": 1.0}


def test_breakdown_counts():
    _check(spotting_breakdown(TRUTH, PRED, lambda e: e.video, VIDEOS, NUISANCE))


def test_breakdown_without_videos_sidecar_keeps_the_locations():
    b = spotting_breakdown(TRUTH, PRED, lambda e: e.video, (), NUISANCE)
    assert "micro_by_face_kind" not in b and "no_injection" not in b
    assert b["false_micro_where"] == EXPECTED_WHERE


def _write_sets(tmp_path, sidecars=True):
    truth_dir, pred_dir = tmp_path / "set", tmp_path / "pred"
    truth_dir.mkdir()
    pred_dir.mkdir()
    write_events_csv(truth_dir / "labels.csv", TRUTH)
    # the predictions live elsewhere and name the same videos by another relative path
    write_events_csv(pred_dir / "pred.csv", [Event(**{**e.__dict__, "video": "../set/" + e.video}) for e in PRED])
    if sidecars:
        (truth_dir / "videos.csv").write_text(
            "video,renderer,face,face_kind,fps,n_frames,injected_events\n" +
            "".join(f"{v.key},{v.renderer},{v.face},{v.face_kind},30,{v.n_frames},{v.injected_events}\n"
                    for v in VIDEOS))
        (truth_dir / "nuisance.csv").write_text(
            "video,kind,start_frame,end_frame\n" + "".join(f"{n.key},{n.kind},{n.start},{n.end}\n" for n in NUISANCE))
    return truth_dir / "labels.csv", pred_dir / "pred.csv"


def test_evaluate_cli_reports_the_breakdown(tmp_path, capsys):
    truth, pred = _write_sets(tmp_path)
    assert main(["evaluate", "--truth", str(truth), "--pred", str(pred), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "Breakdown" in out and "2.00 per minute" in out and "inside a labelled macro 1" in out
    assert "1 macro suggestions, 1.00 per minute" in out
    assert "by face and kind:" in out and "wolfgang talking (real, nothing injected)" in out
    _check(json.loads((tmp_path / "out" / "metrics.json").read_text())["breakdown"])


def test_evaluate_cli_unchanged_without_sidecars(tmp_path, capsys):
    truth, pred = _write_sets(tmp_path, sidecars=False)
    assert main(["evaluate", "--truth", str(truth), "--pred", str(pred), "--out", str(tmp_path / "out")]) == 0
    assert "Breakdown" not in capsys.readouterr().out
    assert "breakdown" not in json.loads((tmp_path / "out" / "metrics.json").read_text())


def test_evaluate_cli_names_a_bad_sidecar(tmp_path, capsys):
    truth, pred = _write_sets(tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text("video,kind\nx,blink\n")
    assert main(["evaluate", "--truth", str(truth), "--pred", str(pred), "--nuisance", str(bad)]) == 2
    assert f"{bad}: missing column(s) start_frame, end_frame" in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["--videos", "--nuisance", "--parts"])
def test_evaluate_cli_missing_sidecar_named(tmp_path, capsys, flag):
    truth, pred = _write_sets(tmp_path)
    assert main(["evaluate", "--truth", str(truth), "--pred", str(pred), flag, str(tmp_path / "none.csv")]) == 2
    assert "none.csv: no such file" in capsys.readouterr().err


def test_parts_of_a_long_recording_are_matched_each_on_its_own(tmp_path, capsys):
    # one recording: a still part (frames 0-299) then a talking one (300-599); a suggestion straddling the cut
    truth = [ev("long.mp4", 100, 104, 109), ev("long.mp4", 290, 294, 299), ev("long.mp4", 400, 404, 409)]
    pred = [ev("long.mp4", s, a, e, source="model", status="suggested") for s, a, e in [
        (101, 104, 110),  # still part: hit
        (290, 296, 311),  # still part (its onset): false, and the micro-expression at 290 missed (IoU 10 / 22)
        (500, 502, 505),  # talking part: false
    ]]
    parts = [IntervalRow("long.mp4", "still", 0, 299), IntervalRow("long.mp4", "talking", 300, 599)]
    b = spotting_breakdown(truth, pred, lambda e: e.video, (), (), parts)
    assert {k: _tfn(m) for k, m in b["micro_by_part"].items()} == {"still": (1, 1, 1), "talking": (0, 1, 1)}
    assert "micro_by_part" not in spotting_breakdown(truth, pred, lambda e: e.video)
    # through the command: parts.csv beside the truth is picked up
    (tmp_path / "set").mkdir()
    write_events_csv(tmp_path / "set" / "labels.csv", truth)
    write_events_csv(tmp_path / "pred.csv", [Event(**{**e.__dict__, "video": "set/" + e.video}) for e in pred])
    (tmp_path / "set" / "parts.csv").write_text("video,kind,start_frame,end_frame\nlong.mp4,still,0,299\n"
                                                "long.mp4,talking,300,599\n")
    assert main(["evaluate", "--truth", str(tmp_path / "set" / "labels.csv"), "--pred", str(tmp_path / "pred.csv"),
                 "--out", str(tmp_path / "out")]) == 0
    assert "by part of a long recording:" in capsys.readouterr().out
    saved = json.loads((tmp_path / "out" / "metrics.json").read_text())["breakdown"]["micro_by_part"]
    assert {k: _tfn(m) for k, m in saved.items()} == {"still": (1, 1, 1), "talking": (0, 1, 1)}
