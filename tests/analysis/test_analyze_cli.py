"""`tsfmicro analyze` end to end on the bundled demo video (real decode, real face pipeline, tiny checkpoint)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from app.analysis import FRAMES_CSV_COLUMNS
from app.core.events_csv import read_events_csv
from app.cli import main
from app.resources import demo_video_path

COLUMNS = ["frame", "time_s", "face_ok", "analysed", "p_none", "p_onset", "p_apex", "p_offset", "motion_score"]


def _run(*args) -> int:
    return main(["analyze", *map(str, args)])


@pytest.fixture(autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def test_writes_frames_csv_with_one_row_per_frame(tmp_path, tiny_checkpoint, capsys):
    out = tmp_path / "out"
    assert _run(demo_video_path(), "--out", out, "--checkpoint", tiny_checkpoint, "--device", "cpu",
                "--threads", "1") == 0
    captured = capsys.readouterr()
    assert "fps" in captured.err and "ETA" in captured.err  # progress on stderr
    assert "300 frames" in captured.out
    frames = pd.read_csv(out / "frames.csv")
    assert list(frames.columns) == COLUMNS == list(FRAMES_CSV_COLUMNS)
    assert len(frames) == 300 and frames["frame"].tolist() == list(range(300))
    np.testing.assert_allclose(frames["time_s"], frames["frame"] / 30.0, atol=1e-6)
    assert set(frames["face_ok"]) <= {0, 1} and set(frames["analysed"]) <= {0, 1}
    assert not ((frames["analysed"] == 1) & (frames["face_ok"] == 0)).any()
    ok = frames[frames["face_ok"] == 1]
    np.testing.assert_allclose(ok[["p_none", "p_onset", "p_apex", "p_offset"]].sum(axis=1), 1.0, atol=1e-4)
    assert frames[frames["face_ok"] == 0][["p_none", "p_onset", "p_apex", "p_offset"]].isna().all().all()
    assert 0 < frames["analysed"].mean() < 0.5  # default mode: a marked fraction of the frames
    meta = json.loads((out / "analysis.json").read_text())
    assert meta["analysis"]["mode"] == "fast" and meta["analysis"]["lag_frames"] == 5
    assert meta["frames_analysed"] == int(frames["analysed"].sum())
    assert meta["predictor"]["checkpoint"] == str(tiny_checkpoint)
    assert not list(out.glob(".*.tmp"))
    # suggested intervals from the curves, in the training CSV schema, pointing at the video
    report = read_events_csv(out / "events.csv", strict=True)
    assert meta["suggested_events"] == len(report.accepted)
    assert all(e.source == "model" and e.status == "suggested" for e in report.accepted)
    assert all(0 <= e.onset_frame <= e.apex_frame <= e.offset_frame < 300 for e in report.accepted)


def test_full_mode_analyses_every_good_frame(tmp_path, tiny_checkpoint):
    out = tmp_path / "full"
    assert _run(demo_video_path(), "--out", out, "--checkpoint", tiny_checkpoint, "--mode", "full",
                "--threads", "1", "--chunk", "50") == 0
    frames = pd.read_csv(out / "frames.csv")
    assert len(frames) == 300
    ok_pairs = (frames["face_ok"] == 1) & (frames["face_ok"].shift(5, fill_value=frames["face_ok"][0]) == 1)
    assert (frames["analysed"] == ok_pairs.astype(int)).all()


def test_the_default_analysis_is_the_learned_spotter_with_emotions_named(tmp_path, capsys):
    """No --checkpoint, no --method: the learned spotter's curve and suggestions, each emotion named by the bundled
    model's pair classifier, the spotter's card in analysis.json; the demo's micro-expressions are found."""
    from app.analysis.evaluate import interval_iou
    from app.resources import resource_path

    out = tmp_path / "spotter"
    assert _run(demo_video_path(), "--out", out, "--threads", "1") == 0
    printed = capsys.readouterr().out
    assert "default analysis: the learned motion spotter, trained on synthetic data" in printed
    motion = pd.read_csv(out / "motion.csv")
    assert len(motion) == 300 and motion["motion"].notna().sum() > 200
    meta = json.loads((out / "analysis.json").read_text())
    assert meta["method"] == "learned" and "synthetic" in meta["spotter_card"]["data"]
    # what it could see: on the demo's still portrait a movement well under the 5 % micro limit stands out
    seen = meta["sensitivity"]
    assert seen["blind"] is False and 0 < seen["floor_pct_eye_span"] < 2.5
    assert f"sensitivity: in this video the spotter flags go-and-return movements from {seen['floor_pct_eye_span']:.2f}" in printed
    events = read_events_csv(out / "events.csv", check_videos=False).accepted
    assert events and all(e.notes.startswith("learned motion spotter (") and "emotion by the pair classifier" in e.notes
                          and e.emotion != "none" and 0 <= e.confidence <= 1 for e in events)
    truth = [e for e in read_events_csv(resource_path("demo", "astronaut_demo.events.csv")).accepted if e.kind == "micro"]
    hits = [t for t in truth if any(e.kind == "micro" and interval_iou((e.onset_frame, e.offset_frame),
                                                                       (t.onset_frame, t.offset_frame)) >= 0.5
                                    for e in events)]
    assert len(hits) >= 2


def test_a_checkpoint_with_another_method_is_refused(tmp_path, tiny_checkpoint, capsys):
    assert _run(demo_video_path(), "--out", tmp_path / "o", "--checkpoint", tiny_checkpoint, "--method", "flow") == 2
    assert "--method model" in capsys.readouterr().err and not (tmp_path / "o").exists()


def test_method_model_without_a_checkpoint_uses_the_bundled_model_and_names_emotions(tmp_path, capsys):
    out = tmp_path / "default"
    assert _run(demo_video_path(), "--out", out, "--threads", "1", "--method", "model") == 0
    printed = capsys.readouterr().out
    assert "model: the bundled default model, trained on synthetic data" in printed
    assert "Not validated on real micro-expressions" in printed
    assert "mode full" in printed  # the default model is small enough to analyse every frame
    meta = json.loads((out / "analysis.json").read_text())
    assert meta["predictor"]["checkpoint"].endswith("default.pt")
    events = read_events_csv(out / "events.csv", check_videos=False).accepted
    classes = set(meta["predictor"]["class_names"])
    assert all(e.emotion in classes and e.notes.startswith("emotion by the pair classifier") for e in events)


def test_missing_default_model_asks_for_a_checkpoint(tmp_path, capsys, monkeypatch):
    import app.commands.analyze

    monkeypatch.setattr(app.commands.analyze, "default_model_path", lambda: None)
    assert _run(demo_video_path(), "--out", tmp_path / "o", "--method", "model") == 2
    err = capsys.readouterr().err
    assert "--checkpoint FILE is required" in err and "no bundled default model" in err
    assert not (tmp_path / "o").exists()


def test_bad_inputs_exit_2_naming_the_file(tmp_path, tiny_checkpoint, capsys):
    missing_video = tmp_path / "no_such_video.mp4"
    assert _run(missing_video, "--out", tmp_path / "a", "--checkpoint", tiny_checkpoint) == 2
    assert "no_such_video.mp4" in capsys.readouterr().err

    not_a_video = tmp_path / "notes.mp4"
    not_a_video.write_text("hello")
    assert _run(not_a_video, "--out", tmp_path / "b", "--checkpoint", tiny_checkpoint) == 2
    assert "notes.mp4" in capsys.readouterr().err

    corrupt = tmp_path / "corrupt.pt"
    corrupt.write_bytes(b"garbage" * 50)
    assert _run(demo_video_path(), "--out", tmp_path / "c", "--checkpoint", corrupt) == 2
    assert str(corrupt) in capsys.readouterr().err

    missing_ckpt = tmp_path / "missing.pt"
    assert _run(demo_video_path(), "--out", tmp_path / "d", "--checkpoint", missing_ckpt) == 2
    err = capsys.readouterr().err
    assert str(missing_ckpt) in err and "file not found" in err
    assert not any((tmp_path / name / "frames.csv").exists() for name in "abcd")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_without_cuda_exits_2(tmp_path, tiny_checkpoint, capsys):
    assert _run(demo_video_path(), "--out", tmp_path / "o", "--checkpoint", tiny_checkpoint, "--device", "cuda") == 2
    assert "CUDA is not available" in capsys.readouterr().err


def test_failure_mid_run_leaves_the_previous_csv_intact(tmp_path, tiny_checkpoint, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "frames.csv").write_text("previous results\n")
    from app.analysis import frames_csv

    real_write, calls = frames_csv.FramesCsvWriter.write, []

    def failing_write(self, chunk):
        calls.append(chunk.start)
        if len(calls) == 2:
            raise OSError("disk full (simulated)")
        return real_write(self, chunk)

    monkeypatch.setattr(frames_csv.FramesCsvWriter, "write", failing_write)
    with pytest.raises(OSError, match="disk full"):
        _run(demo_video_path(), "--out", out, "--checkpoint", tiny_checkpoint, "--threads", "1")
    assert (out / "frames.csv").read_text() == "previous results\n"
    assert sorted(p.name for p in out.iterdir()) == ["frames.csv"]  # no temporary file left behind
