"""`tsfmicro evaluate --checkpoint`: a model run on a labelled set by the app's own analysis, scored beside the
motion spotter, with recognition on the labelled intervals; and `tsfmicro card`. The checkpoint is the tiny model
with random weights: these tests check the code path and the bookkeeping, never accuracy."""

import csv
import json
import shutil
import subprocess
import sys

from app.resources import demo_video_path


def tsfmicro(*args):
    return subprocess.run([sys.executable, "-m", "app.cli", *map(str, args)], capture_output=True, text=True)


def test_a_checkpoint_is_run_on_every_labelled_video_and_scored(tmp_path, tiny_checkpoint):
    demo = demo_video_path()
    shutil.copy(demo, tmp_path / demo.name)
    truth = tmp_path / "truth.csv"
    rows = list(csv.DictReader(open(demo.with_name("astronaut_demo.events.csv"), newline="")))
    for row in rows:
        row["emotion"] = "disgust"  # not one of the tiny model's classes
    rows[0]["emotion"] = "surprise"  # one it knows
    with open(truth, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    out = tmp_path / "report"
    run = tsfmicro("evaluate", "--truth", truth, "--checkpoint", tiny_checkpoint, "--out", out,
                   "--cache", tmp_path / "cache", "--threads", "1")
    assert run.returncode == 0, run.stderr
    for section in ("Model:", "Motion spotter (training-free baseline):", "Recognition on the labelled intervals"):
        assert section in run.stdout
    metrics = json.loads((out / "metrics.json").read_text())
    summary = metrics["summary"]
    assert summary["videos"] == 1 and summary["events"] == len(rows) and summary["analysis_mode"] == "full"
    assert {"model_micro_f1", "motion_spotter_micro_f1", "recognition_uf1"} <= set(summary)
    # Recognition: only the interval whose emotion is one of the model's classes; the rest are listed.
    recognised = list(csv.DictReader(open(out / "pred_recognition.csv", newline="")))
    assert [r["event_id"] for r in recognised] == [rows[0]["event_id"]] and summary["recognition_n"] == 1
    assert recognised[0]["emotion"] in ("negative", "positive", "surprise", "others", "repression")
    assert run.stdout.count("is not one of the model's classes") == len(rows) - 1
    # Spotting: the model's suggestions carry the emotion the pair classifier gave them.
    for row in csv.DictReader(open(out / "pred_spotting.csv", newline="")):
        assert row["source"] == "model" and row["status"] == "suggested"
        assert row["emotion"] == "none" or row["notes"].startswith("emotion by the pair classifier")
    assert (out / "pred_motion_spotter.csv").is_file() and (out / "spotting_matches.csv").is_file()


def test_bad_checkpoint_and_card_messages_name_the_file(tmp_path, tiny_checkpoint):
    bad = tmp_path / "broken.pt"
    bad.write_bytes(b"not a checkpoint")
    truth = demo_video_path().with_name("astronaut_demo.events.csv")
    run = tsfmicro("evaluate", "--truth", truth, "--checkpoint", bad)
    assert run.returncode == 2 and str(bad) in run.stderr
    card = tsfmicro("card", tiny_checkpoint)
    assert card.returncode == 0 and "data: none (random weights)" in card.stdout
    as_json = json.loads(tsfmicro("card", tiny_checkpoint, "--json").stdout)
    assert as_json["purpose"] == "tests" and as_json["checkpoint"] == str(tiny_checkpoint)
    assert tsfmicro("card", bad).returncode == 2
