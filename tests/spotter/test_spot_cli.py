"""`tsfmicro spot VIDEO --out DIR` writes motion.csv and events.csv."""

from __future__ import annotations

import pandas as pd

from app.analysis.frames_csv import MOTION_COLUMNS
from app.cli import main
from app.core.events_csv import read_events_csv

from .conftest import N_FRAMES, SMILE


def test_cli_writes_both_csvs(clip, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["spot", str(clip("smile")), "--out", str(out), "--subject", "s01"]) == 0
    printed = capsys.readouterr().out
    assert "fps" in printed and "1 suggested intervals (1 micro)" in printed
    assert "sensitivity: in this video the spotter flags go-and-return movements from 0." in printed

    motion = pd.read_csv(out / "motion.csv")
    assert tuple(motion.columns) == MOTION_COLUMNS
    assert list(motion["frame"]) == list(range(N_FRAMES))
    assert abs(motion["time_s"].iloc[30] - 1.0) < 1e-6 and motion["face_ok"].all()
    assert motion["motion"].between(0, 1).sum() == motion["motion"].notna().sum() > N_FRAMES // 2
    assert SMILE.onset <= int(motion["motion"].idxmax()) <= SMILE.offset

    report = read_events_csv(out / "events.csv")  # the video path resolves relative to the CSV
    assert report.ok, report.problems
    [event] = report.accepted
    assert (event.subject, event.source, event.status) == ("s01", "model", "suggested")
    assert event.notes.startswith("learned motion spotter")
    assert not list(out.glob(".*.tmp"))  # atomic writes leave no temporaries


def test_cli_rejects_a_bad_lag(clip, tmp_path, capsys):
    assert main(["spot", str(clip("smile")), "--out", str(tmp_path), "--lag-s", "0"]) == 2
    assert "lag" in capsys.readouterr().err


def test_cli_reads_a_spotter_file_and_names_a_missing_one(clip, tmp_path, capsys):
    import dataclasses

    from app.analysis.learned_spotter import default_spotter

    bundled = default_spotter()
    quiet = dataclasses.replace(bundled, micro=dataclasses.replace(bundled.micro, theta_hi=1.0, theta_lo=1.0),
                                macro=dataclasses.replace(bundled.macro, theta_hi=1.0, theta_lo=1.0),
                                evidence_decoding=None)
    quiet.save(tmp_path / "quiet.pt")
    out = tmp_path / "out"
    assert main(["spot", str(clip("smile")), "--out", str(out), "--spotter-file", str(tmp_path / "quiet.pt")]) == 0
    assert "0 suggested intervals (0 micro)" in capsys.readouterr().out  # the bundled spotter finds the smile
    assert main(["spot", str(clip("smile")), "--out", str(out), "--spotter-file", str(tmp_path / "gone.pt")]) == 2
    assert "gone.pt" in capsys.readouterr().err
    assert main(["spot", str(clip("smile")), "--out", str(out), "--method", "flow",
                 "--spotter-file", str(tmp_path / "quiet.pt")]) == 2
    assert "--method learned" in capsys.readouterr().err
