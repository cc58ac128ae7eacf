"""`tsfmicro score` end to end with real worker processes: real decoding, the real face pipeline, the motion
spotter fallback and a tiny checkpoint (random weights)."""

from __future__ import annotations

import csv
import json

import cv2
import pytest

from app.analysis import FRAMES_CSV_COLUMNS
from app.analysis.frames_csv import MOTION_COLUMNS
from app.cli import main
from app.core.events_csv import read_events_csv

from .conftest import temporaries, tree_bytes


def score(*args) -> int:
    return main(["score", *map(str, args)])


def summary(out):
    with open(out / "summary.csv", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def motion_run(input_tree, tmp_path_factory):
    """The motion-spotter fallback (no --checkpoint) over the input folder, 1 worker."""
    out = tmp_path_factory.mktemp("score_motion") / "out"
    code = score(input_tree, "--out", out, "--workers", 1)
    return out, code


@pytest.fixture(scope="module")
def model_run(input_tree, tiny_checkpoint, tmp_path_factory):
    """The tiny checkpoint over a glob of the three good clips, 1 worker with 1 thread."""
    out = tmp_path_factory.mktemp("score_model") / "out"
    code = score(input_tree / "**" / "p0*.mp4", "--out", out, "--checkpoint", tiny_checkpoint, "--device", "cpu",
                 "--workers", 1, "--threads", 1)
    return out, code


def test_motion_fallback_scores_a_folder_and_reports_bad_videos(motion_run, input_tree, capsys):
    out, code = motion_run
    assert code == 1  # two videos failed
    rows = summary(out)
    assert list(rows[0]) == ["path", "output", "status", "frames", "events", "seconds", "fps", "error",
                             "floor_pct_eye_span", "warning"]
    by_output = {row["output"]: row for row in rows}
    assert sorted(by_output) == ["broken", "empty_room", "p01__day1", "p01__day2", "p02"]
    assert by_output["broken"]["status"] == "error" and "broken.mp4" in by_output["broken"]["error"]
    assert by_output["empty_room"]["status"] == "error" and "no usable face" in by_output["empty_room"]["error"]
    for name in ("p01__day1", "p01__day2", "p02"):
        row = by_output[name]
        assert row["status"] == "ok" and row["frames"] == "60" and float(row["fps"]) > 0 and row["error"] == ""
        # the learned spotter's sensitivity, a warning where it is over the 5 % micro limit (here the synthetic clip
        # on the real talking carphone man); done.json keeps it for resumes
        floor = float(row["floor_pct_eye_span"])
        assert floor > 0 and ("cannot see faint micro-expressions" in row["warning"]) == (floor > 5.0)
        marker = json.loads((out / name / "done.json").read_text())
        assert marker["sensitivity"]["floor_pct_eye_span"] == pytest.approx(float(row["floor_pct_eye_span"]), abs=0.01)
        assert sorted(p.name for p in (out / name).iterdir()) == ["curves.png", "done.json", "events.csv",
                                                                 "frames.csv"]
        with open(out / name / "frames.csv", newline="") as f:
            frames = list(csv.reader(f))
        assert tuple(frames[0]) == MOTION_COLUMNS and len(frames) == 61
        report = read_events_csv(out / name / "events.csv", check_videos=True)
        assert len(report.accepted) == int(row["events"]) and report.ok, report.summary()
        assert all(e.source == "model" and e.status == "suggested" for e in report.accepted)
        image = cv2.imread(str(out / name / "curves.png"))
        assert image is not None and image.shape[1] == 1200
    assert not (out / "broken").exists() and not (out / "empty_room").exists()
    assert sum(int(by_output[n]["events"]) for n in ("p01__day1", "p01__day2", "p02")) >= 1
    run = json.loads((out / "run.json").read_text())
    assert run["engine"] == "local" and run["workers"] == 1 and run["settings"]["engine"] == "motion"
    assert temporaries(out) == []


def test_a_resumed_motion_run_keeps_each_videos_sensitivity(motion_run, input_tree, tmp_path):
    import shutil

    out = tmp_path / "out"
    shutil.copytree(motion_run[0], out)
    before = {row["output"]: row["floor_pct_eye_span"] for row in summary(out)}
    assert score(input_tree, "--out", out, "--workers", 1, "--resume") == 1  # the two bad videos fail again
    rows = {row["output"]: row for row in summary(out)}
    for name in ("p01__day1", "p01__day2", "p02"):
        assert rows[name]["status"] == "skipped" and rows[name]["floor_pct_eye_span"] == before[name] != ""


def test_motion_fallback_says_so(input_tree, tmp_path, capsys):
    code = score(input_tree / "p02.mp4", "--out", tmp_path / "out")
    captured = capsys.readouterr()
    assert code == 0
    assert "motion spotter" in captured.out and "no --checkpoint" in captured.out
    assert "videos" in captured.err and "fps" in captured.err and "ETA" in captured.err  # progress on stderr


def test_model_outputs_follow_analyze(model_run):
    out, code = model_run
    assert code == 0
    rows = summary(out)
    assert [r["output"] for r in rows] == ["p01__day1", "p01__day2", "p02"] and {r["status"] for r in rows} == {"ok"}
    with open(out / "p02" / "frames.csv", newline="") as f:
        frames = list(csv.reader(f))
    assert tuple(frames[0]) == FRAMES_CSV_COLUMNS and len(frames) == 61
    events = read_events_csv(out / "p02" / "events.csv", check_videos=True).accepted
    assert all(e.source == "model" and e.status == "suggested" and e.subject == "p02" for e in events)
    marker = json.loads((out / "p02" / "done.json").read_text())
    assert marker["settings"]["engine"] == "model" and marker["frames"] == 60


def test_two_workers_give_byte_identical_outputs(model_run, input_tree, tiny_checkpoint, tmp_path):
    out1, _ = model_run
    out2 = tmp_path / "out"
    assert score(input_tree / "**" / "p0*.mp4", "--out", out2, "--checkpoint", tiny_checkpoint, "--device", "cpu",
                 "--workers", 2, "--threads", 1) == 0
    assert json.loads((out2 / "run.json").read_text())["workers"] == 2
    assert len(json.loads((out2 / "run.json").read_text())["worker_stats"]) == 2
    first, second = tree_bytes(out1), tree_bytes(out2)
    assert len(first) == 12 and first == second


def test_motion_two_workers_identical_whatever_the_thread_count(motion_run, input_tree, tmp_path):
    """The motion spotter's numbers do not depend on OpenCV's thread count: 1 worker x 2 threads (the run above,
    on 2 cores) and 2 workers x 1 thread write the same bytes."""
    out1, _ = motion_run
    out2 = tmp_path / "out"
    assert score(input_tree, "--out", out2, "--workers", 2) == 1
    assert tree_bytes(out1) == tree_bytes(out2)


def test_resume_skips_done_videos_and_recomputes_for_another_checkpoint(model_run, input_tree, tiny_checkpoint,
                                                                       other_checkpoint, tmp_path, capsys):
    out, _ = model_run
    pattern = input_tree / "**" / "p0*.mp4"
    before = tree_bytes(out)
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*.csv") if p.parent != out}
    assert score(pattern, "--out", out, "--checkpoint", tiny_checkpoint, "--device", "cpu", "--resume",
                 "--threads", 1) == 0
    rows = summary(out)
    assert [r["status"] for r in rows] == ["skipped"] * 3 and [r["frames"] for r in rows] == ["60"] * 3
    assert tree_bytes(out) == before and all(p.stat().st_mtime_ns == t for p, t in mtimes.items())
    # one folder damaged (its marker gone) → only that video is scored again
    (out / "p02" / "done.json").unlink()
    assert score(pattern, "--out", out, "--checkpoint", tiny_checkpoint, "--device", "cpu", "--resume",
                 "--threads", 1) == 0
    assert [r["status"] for r in summary(out)] == ["skipped", "skipped", "ok"]
    assert tree_bytes(out) == before
    # another checkpoint: every video is scored again, with other numbers
    assert score(pattern, "--out", out, "--checkpoint", other_checkpoint, "--device", "cpu", "--resume",
                 "--threads", 1) == 0
    assert [r["status"] for r in summary(out)] == ["ok"] * 3
    after = tree_bytes(out)
    assert after["p02/frames.csv"] != before["p02/frames.csv"]
    # and back: the first checkpoint's outputs are recomputed identically
    assert score(pattern, "--out", out, "--checkpoint", tiny_checkpoint, "--device", "cpu", "--resume",
                 "--threads", 1) == 0
    assert tree_bytes(out) == before


def test_list_file_with_a_missing_entry(input_tree, tmp_path, capsys):
    listing = tmp_path / "videos.txt"
    listing.write_text(f"{input_tree / 'p02.mp4'}\n{tmp_path / 'gone.mp4'}\n")
    assert score(listing, "--out", tmp_path / "out") == 1
    rows = summary(tmp_path / "out")
    assert [(r["output"], r["status"]) for r in rows] == [("p02", "ok"), ("gone", "error")]
    assert "no such file" in rows[1]["error"]


def test_usage_errors(tmp_path, capsys):
    assert score(tmp_path / "nothing", "--out", tmp_path / "out") == 2
    assert score(tmp_path, "--out", tmp_path / "out", "--checkpoint", tmp_path / "missing.pt") == 2
    assert score(tmp_path, "--workers", 0) == 2
    assert "error" in capsys.readouterr().err


def test_unloadable_checkpoint_stops_the_batch(input_tree, tmp_path, capsys):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    assert score(input_tree / "p02.mp4", "--out", tmp_path / "out", "--checkpoint", bad) == 2
    assert "could not start" in capsys.readouterr().err


def test_checkpoint_default_scores_with_the_bundled_model(input_tree, tmp_path, capsys):
    out = tmp_path / "out"
    assert score(input_tree / "p02.mp4", "--out", out, "--checkpoint", "default", "--device", "cpu",
                 "--threads", 1) == 0
    assert "with checkpoint default.pt" in capsys.readouterr().out
    events = read_events_csv(out / "p02" / "events.csv", check_videos=False).accepted
    assert all(e.source == "model" for e in events)
