"""The per-frame CSV writer of app.core: the layout every per-frame CSV shares."""

import math
import subprocess
import sys

import pytest

from app.core.per_frame_csv import FLAG, FRAME_COLUMNS, TEXT, PerFrameCsvWriter


def test_rows_have_frame_time_face_ok_then_the_named_columns(tmp_path):
    path = tmp_path / "curves.csv"
    with PerFrameCsvWriter(path, 10.0, [("analysed", FLAG), ("p", ".3f"), ("region", TEXT)]) as out:
        out.write_rows(0, 2, [True, False], [[1, 0], [0.5, math.nan], ["mouth", ""]])
        out.write_rows(2, 1, None, [[0], [0.25], ["brows"]])
    assert path.read_text() == ("frame,time_s,face_ok,analysed,p,region\n"
                                "0,0.000000,1,1,0.500,mouth\n"
                                "1,0.100000,0,0,,\n"
                                "2,0.200000,,0,0.250,brows\n")
    assert out.rows == 3 and out.columns[:3] == FRAME_COLUMNS


def test_a_gap_between_chunks_is_refused_and_nothing_is_published(tmp_path):
    path = tmp_path / "curves.csv"
    with pytest.raises(ValueError, match="expected 2"):
        with PerFrameCsvWriter(path, 10.0, [("p", ".3f")]) as out:
            out.write_rows(0, 2, None, [[0.1, 0.2]])
            out.write_rows(3, 1, None, [[0.3]])
    assert not path.exists()


def test_imports_neither_torch_nor_the_analysis():
    code = ("import sys, app.core.per_frame_csv, app.core.curves_export\n"
            "print(sorted(m for m in sys.modules if m == 'torch' or m.startswith('app.analysis')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
