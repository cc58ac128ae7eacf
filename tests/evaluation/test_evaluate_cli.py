"""`tsfmicro evaluate` as a user runs it: printed metrics, named rules, saved files."""

import json
import subprocess
import sys

import cv2

from app.core.events import Event
from app.core.events_csv import write_events_csv


def tsfmicro(*args):
    return subprocess.run([sys.executable, "-m", "app.cli", *map(str, args)], capture_output=True, text=True)


def test_evaluate_prints_and_saves_metrics(tmp_path):
    (tmp_path / "truth").mkdir()
    (tmp_path / "pred").mkdir()
    def ev(video, event_id, onset, offset, emotion, kind="micro", **kw):
        return Event(video, "s1", event_id, onset, (onset + offset) // 2, offset, 30.0, kind, emotion, **kw)
    truth = [ev("../v.mp4", "EP01", 10, 19, "happiness"), ev("../v.mp4", "EP02", 40, 49, "disgust"),
             ev("../v.mp4", "EP03", 100, 160, "others", kind="macro"),
             ev("../v.mp4", "EP04", 300, 309, "disgust", status="rejected")]
    # The prediction CSV lives elsewhere: its relative path names the same video.
    pred = [ev("../v.mp4", "model-11", 11, 20, "happiness", source="model", status="suggested", confidence=0.9),
            ev("../v.mp4", "model-41", 41, 50, "happiness", source="model", status="suggested", confidence=0.7),
            ev("../v.mp4", "model-200", 200, 209, "others", source="model", status="suggested", confidence=0.6)]
    write_events_csv(tmp_path / "truth" / "truth.csv", truth)
    write_events_csv(tmp_path / "pred" / "pred.csv", pred)
    out = tmp_path / "report"
    run = tsfmicro("evaluate", "--truth", tmp_path / "truth" / "truth.csv", "--pred", tmp_path / "pred" / "pred.csv",
                   "--out", out)
    assert run.returncode == 0, run.stderr
    assert "IoU >= 0.5" in run.stdout and "pooled over videos" in run.stdout
    assert "ignored 1 events with status 'rejected'" in run.stdout
    metrics = json.loads((out / "metrics.json").read_text())
    assert {k: metrics["spotting"]["micro"][k] for k in ("tp", "fp", "fn")} == {"tp": 2, "fp": 1, "fn": 0}
    assert {k: metrics["spotting"]["macro"][k] for k in ("tp", "fp", "fn")} == {"tp": 0, "fp": 0, "fn": 1}
    assert metrics["spotting"]["overall"]["f1"] == 4 / 6
    rec = metrics["recognition"]
    assert (rec["n"], rec["pairs_by_iou"], rec["accuracy"]) == (2, 2, 0.5)
    assert rec["classes"] == ["happiness", "disgust"] and rec["confusion"] == [[1, 0], [1, 0]]
    assert "UAR 0.500 (mean recall)" in run.stdout
    image = cv2.imread(str(out / "confusion.png"))
    assert image is not None and image.shape[0] > 100
    assert (out / "confusion.csv").read_text().splitlines()[1] == "happiness,1,0"
    assert len((out / "spotting_matches.csv").read_text().splitlines()) == 1 + 4


def test_evaluate_names_a_bad_file(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("video,subject\n")
    run = tsfmicro("evaluate", "--truth", bad, "--pred", bad)
    assert run.returncode == 2 and "bad.csv: missing column(s)" in run.stderr and "Traceback" not in run.stderr


def test_evaluate_a_spotter_on_the_demo_and_a_missing_truth_file(tmp_path):
    """--spotter learned runs the default analysis on every video of the truth CSV and scores it; its predictions
    are saved; a missing truth file is named."""
    import shutil

    from app.resources import resource_path

    shutil.copy(resource_path("demo", "astronaut_demo.mp4"), tmp_path / "astronaut_demo.mp4")
    shutil.copy(resource_path("demo", "astronaut_demo.events.csv"), tmp_path / "truth.csv")
    out = tmp_path / "out"
    done = tsfmicro("evaluate", "--truth", tmp_path / "truth.csv", "--spotter", "learned", "--out", out)
    assert done.returncode == 0, done.stderr
    assert "evaluating the learned motion spotter" in done.stdout and "micro" in done.stdout
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["spotter"] == "learned" and metrics["spotting"]["micro"]["tp"] >= 2
    # the demo is a still portrait: the spotter did not warn, and the check says so
    assert metrics["sensitivity"]["warned"]["videos"] == 0 and metrics["sensitivity"]["not_warned"]["videos"] == 1
    assert "not warned: 1 videos" in done.stdout
    # how far its labelled micro-expressions stood out of the rest of the demo's motion
    stand_out, micro = metrics["stand_out"]["all"], metrics["spotting"]["micro"]
    assert stand_out["videos"] == 1 and stand_out["micro"] == micro["tp"] + micro["fn"]
    assert stand_out["found_of_standing"] + stand_out["found_of_rest"] == micro["tp"]
    assert stand_out["stand_out"] >= stand_out["found_of_standing"]
    assert 0 < stand_out["ceiling"]["tp"] <= stand_out["micro"] and 0 < stand_out["ceiling"]["f1"] <= 1
    assert "How far the labelled micro-expressions stand out" in done.stdout
    assert (out / "pred_spotting.csv").is_file()
    missing = tsfmicro("evaluate", "--truth", tmp_path / "nope.csv", "--spotter", "flow")
    assert missing.returncode == 2 and "nope.csv" in missing.stderr


def test_evaluate_measures_a_spotter_file_instead_of_the_bundled_one(tmp_path):
    """--spotter-file: a spotter train-spotter wrote is the one measured (here the bundled one made to suggest
    nothing); a missing file is named; the option needs --spotter learned."""
    import dataclasses
    import shutil

    from app.analysis.learned_spotter import LearnedSpotter
    from app.resources import default_spotter_path, resource_path

    shutil.copy(resource_path("demo", "astronaut_demo.mp4"), tmp_path / "astronaut_demo.mp4")
    shutil.copy(resource_path("demo", "astronaut_demo.events.csv"), tmp_path / "truth.csv")
    bundled = LearnedSpotter.load(default_spotter_path())
    never = dataclasses.replace(bundled, micro=dataclasses.replace(bundled.micro, theta_hi=1.0, theta_lo=1.0),
                                macro=dataclasses.replace(bundled.macro, theta_hi=1.0, theta_lo=1.0),
                                evidence_decoding=None)
    never.save(tmp_path / "never.pt")
    out = tmp_path / "out"
    done = tsfmicro("evaluate", "--truth", tmp_path / "truth.csv", "--spotter", "learned",
                    "--spotter-file", tmp_path / "never.pt", "--out", out)
    assert done.returncode == 0, done.stderr
    assert "never.pt" in done.stdout
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["spotter_file"].endswith("never.pt")
    assert metrics["spotting"]["micro"]["tp"] == 0 and metrics["spotting"]["micro"]["fp"] == 0
    assert "stand_out" not in metrics  # no relative evidence, no score to read
    missing = tsfmicro("evaluate", "--truth", tmp_path / "truth.csv", "--spotter", "learned",
                       "--spotter-file", tmp_path / "gone.pt")
    assert missing.returncode == 2 and "gone.pt" in missing.stderr and "Traceback" not in missing.stderr
    flow = tsfmicro("evaluate", "--truth", tmp_path / "truth.csv", "--spotter", "flow",
                    "--spotter-file", tmp_path / "never.pt")
    assert flow.returncode == 2 and "--spotter learned" in flow.stderr
