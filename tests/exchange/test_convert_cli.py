"""`tsfmicro convert` run as a user runs it."""

import subprocess
import sys

import pympi

from app.core.events import Event
from app.core.events_csv import read_events_csv, write_events_csv
from tests.exchange.test_eaf import ELAN_FILE


def tsfmicro(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "app.cli", *map(str, args)], capture_output=True, text=True, cwd=cwd)


def test_csv_to_eaf_and_back(tmp_path):
    (tmp_path / "clip.mp4").write_bytes(b"")
    events = [Event("clip.mp4", "s1", "e1", 3, 5, 9, 200.0, "micro", "fear", "1+2+4"),
              Event("clip.mp4", "s1", "e2", 40, 41, 90, 200.0, "macro", "anger", ""),
              Event("other.mp4", "s2", "e1", 1, 2, 3, 30.0)]
    write_events_csv(tmp_path / "train.csv", events)
    out = tsfmicro("convert", "train.csv", "clip.eaf", cwd=tmp_path)
    assert out.returncode == 2 and "2 videos" in out.stderr and not (tmp_path / "clip.eaf").exists()
    out = tsfmicro("convert", "train.csv", "clip.eaf", "--video", "clip.mp4", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "wrote clip.eaf (eaf, 2 events)" in out.stdout
    assert len(pympi.Elan.Eaf(str(tmp_path / "clip.eaf")).get_annotation_data_for_tier("micro")) == 1
    out = tsfmicro("convert", "clip.eaf", "back.csv", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    back = read_events_csv(tmp_path / "back.csv", strict=True).accepted
    assert [(e.event_id, e.onset_frame, e.apex_frame, e.offset_frame) for e in back] == [
        ("e1", 3, 5, 9), ("e2", 40, 41, 90)]


def test_elan_file_with_tier_option_and_refusals(tmp_path):
    (tmp_path / "interview7.eaf").write_text(ELAN_FILE)
    out = tsfmicro("convert", "interview7.eaf", "x.csv", cwd=tmp_path)
    assert out.returncode == 2 and "interview7.eaf" in out.stderr and "--fps" in out.stderr
    out = tsfmicro("convert", "interview7.eaf", "x.csv", "--fps", "25", "--tiers", "micro=MicroExp,apex=Apex", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert [e.onset_frame for e in read_events_csv(tmp_path / "x.csv", check_videos=False).accepted] == [25]
    (tmp_path / "x.csv").write_text("keep me\n")
    (tmp_path / "broken.eaf").write_text(ELAN_FILE[:400])
    out = tsfmicro("convert", "broken.eaf", "x.csv", "--fps", "25", cwd=tmp_path)
    assert out.returncode == 2 and "broken.eaf: not an ELAN file: XML error at line" in out.stderr
    assert "Traceback" not in out.stderr and (tmp_path / "x.csv").read_text() == "keep me\n"


def test_rejected_rows_write_nothing(tmp_path):
    (tmp_path / "sub.csv").write_text("vid,pred_onset,pred_offset,type\nv,1,5,me\nv,9,2,me\n")
    out = tsfmicro("convert", "sub.csv", "out.boris", "--fps", "30", cwd=tmp_path)
    assert out.returncode == 1 and "sub.csv, line 3" in out.stderr and "nothing written" in out.stderr
    assert not (tmp_path / "out.boris").exists()
