"""The `tsfmicro` command line, run as a user runs it (a subprocess on real files)."""

import json
import subprocess
import sys

import cv2
import pandas as pd
import pytest

from app.resources import demo_video_path


def tsfmicro(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "app.cli", *map(str, args)], capture_output=True, text=True, cwd=cwd)


def test_info_prints_the_probe_as_json():
    out = tsfmicro("info", demo_video_path(), "--json")
    assert out.returncode == 0, out.stderr
    facts = json.loads(out.stdout)
    assert facts["frames"] == 300 and facts["frame_count_exact"]
    assert (facts["width"], facts["height"], facts["fps"], facts["codec"]) == (640, 480, 30.0, "h264")
    assert facts["duration_s"] == pytest.approx(10.0) and facts["variable_frame_rate"] is False


def test_info_table_and_bad_file(tmp_path):
    out = tsfmicro("info", demo_video_path())
    assert out.returncode == 0 and "frames" in out.stdout and "300" in out.stdout
    bogus = tmp_path / "interview.mov"
    bogus.write_bytes(b"\x00" * 1000)
    out = tsfmicro("info", bogus)
    assert out.returncode == 2
    assert "interview.mov" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.slow
def test_track_writes_csv_npz_and_contact_sheet(tmp_path):
    out = tsfmicro("track", demo_video_path(), "--out", tmp_path / "track", "--no-cache")
    assert out.returncode == 0, out.stderr
    table = pd.read_csv(tmp_path / "track" / "track.csv")
    assert len(table) == 300 and list(table["frame"]) == list(range(300))
    assert {"time_s", "face_found", "bbox_x_px", "quality_ok", "lm67_y_px"} <= set(table.columns)
    assert table["face_found"].mean() > 0.95
    sheet = cv2.imread(str(tmp_path / "track" / "contact_sheet.png"))
    assert sheet is not None and sheet.shape[0] >= 224 and sheet.shape[1] >= 224
    assert (tmp_path / "track" / "face_track.npz").stat().st_size > 0


def test_track_on_a_missing_file_names_it(tmp_path):
    out = tsfmicro("track", tmp_path / "gone.mp4", "--out", tmp_path / "o")
    assert out.returncode == 2 and "gone.mp4" in out.stderr


@pytest.mark.slow
def test_bench_reports_the_documented_keys(tmp_path):
    out = tsfmicro("bench", "--json", "--frames", "45", "--repeats", "1", "--memory", "none", "--workdir", tmp_path)
    assert out.returncode == 0, out.stderr
    figures = json.loads(out.stdout)
    assert {"decode_fps", "pipeline_fps", "pipeline_over_decode"} <= set(figures)
    assert figures["decode_fps"] > 0 and figures["pipeline_fps"] > 0
    assert figures["frames"] == 45


@pytest.mark.slow
def test_bench_gui_reports_step_latency(tmp_path):
    out = tsfmicro("bench", "--gui", "--json", "--frames", "60", "--workdir", tmp_path)
    assert out.returncode == 0, out.stderr
    figures = json.loads(out.stdout)
    assert 0 < figures["step_latency_ms_median"] <= figures["step_latency_ms_p95"]
    assert figures["step_latency_busy_ms_median"] > 0
