"""`tsfmicro import` as a user runs it."""

import subprocess
import sys

from app.core.events_csv import read_events_csv

from .sheet_kit import CASME2_2019_HEADER, frame_folder, write_sheet


def tsfmicro(*args):
    return subprocess.run([sys.executable, "-m", "app.cli", *map(str, args)], capture_output=True, text=True)


def test_import_writes_the_csv_prints_fixes_and_rejections(tmp_path):
    root = tmp_path / "Cropped"
    frame_folder(root / "sub04" / "EP12_01f", [f"reg_img{n}.jpg" for n in range(270, 281)])
    sheet = write_sheet(tmp_path / "CASME2-coding-20190701.xlsx", [
        CASME2_2019_HEADER,
        ["04", "EP12_01f", None, 270, "/", 280, None, "4", "disgust"],
        ["09", "EP01_01", None, 1, 2, 3, None, "4", "disgust"],
    ])
    out = tmp_path / "train.csv"
    run = tsfmicro("import", "casme2", sheet, "--frames-root", root, "--out", out)
    assert run.returncode == 1, run.stderr                     # one row rejected: the CSV holds the rest
    assert "apex '/' in the sheet" in run.stdout and "1 event accepted, 1 rejected" in run.stdout
    assert "line 3" in run.stderr and "no subject folder sub09" in run.stderr
    (event,) = read_events_csv(out, strict=True).accepted
    assert (event.onset_frame, event.apex_frame, event.offset_frame, event.video) == (0, 5, 10, "Cropped/sub04/EP12_01f")

    strict_out = tmp_path / "strict.csv"
    run = tsfmicro("import", "casme2", sheet, "--frames-root", root, "--out", strict_out, "--strict")
    assert run.returncode == 1 and not strict_out.exists()

    run = tsfmicro("import", "samm", sheet, "--frames-root", root, "--out", out)
    assert run.returncode == 2 and "not a SAMM coding sheet" in run.stderr and "Traceback" not in run.stderr
