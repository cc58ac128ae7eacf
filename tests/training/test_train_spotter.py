"""`tsfmicro train-spotter` end to end on a small synthetic set rendered here: region motion measured through the
real face pipeline, a network trained, the decoding chosen and the confidence fitted on validation videos, the
figures of a test set written into the card; a test-only set refused as training or validation data."""

from __future__ import annotations

import pytest

from app.analysis.learned_spotter import LearnedSpotter
from app.cli import main
from app.core.test_only import write_test_only_marker
from app.synth.dataset import synthesize_dataset

SMALL = dict(duration_s=4.0, size=(320, 240), faces=["astronaut"])


@pytest.fixture(scope="module")
def sets(tmp_path_factory):
    root = tmp_path_factory.mktemp("spotter_sets")
    train = synthesize_dataset(root / "train", 3, seed=11, micro_s=(0.04, 0.5), **SMALL)
    val = synthesize_dataset(root / "val", 2, seed=12, **SMALL)
    return root, train, val


def test_trains_chooses_on_validation_and_records_what_it_was_made_from(sets, tmp_path, capsys):
    root, train, val = sets
    out = tmp_path / "spotter.pt"
    assert main(["train-spotter", str(train), "--val", str(val), "--test", str(val), "--out", str(out),
                 "--epochs", "3", "--hidden", "8", "--cache", str(root / "cache"), "--data-note", "synthetic test"]) == 0
    printed = capsys.readouterr().out
    assert "decoding chosen on validation" in printed and "micro F1" in printed and "macro F1" in printed
    spotter = LearnedSpotter.load(out)
    card = spotter.card
    assert card["data"] == "synthetic test" and card["train_videos"] == 3 and card["epochs"] == 3
    assert str(train) in card["train_csv"] and str(val) in card["val_csv"] and "sha256" in card["val_csv"]
    assert any(key.startswith("test ") and "micro F1" in value for key, value in card.items())
    assert spotter.micro.theta_hi in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
    assert spotter.macro.merge_gap_s in (0.0, 0.5, 1.0, 1.5)  # chosen there too, and saved
    assert spotter.macro.theta_hi in (0.5, 0.6, 0.7, 0.8, 0.9) and spotter.macro.smooth_s in (0.0, 0.2, 0.4)
    assert spotter.macro.macro_max_s == 4.0 and "0.5–4.0 s long" in card["decoding"]  # a macro-expression's length
    rates = [y for _, y in spotter.macro_calibration]  # macro confidence table fitted there (may be empty: few videos)
    assert rates == sorted(rates) and all(0.0 <= y <= 1.0 for y in rates)
    assert list(root.joinpath("cache").glob("region_motion_*.npz"))  # measured once, then read back
    # relative-evidence intervals by default (their confidence table: tests/spotter/test_learned_spotter.py)
    assert spotter.evidence_decoding is not None and "relative-evidence" in card["decoding"]


def test_no_evidence_trains_the_network_alone(sets, tmp_path):
    root, train, val = sets
    out = tmp_path / "network_only.pt"
    assert main(["train-spotter", str(train), "--val", str(val), "--out", str(out), "--epochs", "2", "--hidden", "8",
                 "--cache", str(root / "cache"), "--no-evidence"]) == 0
    spotter = LearnedSpotter.load(out)
    assert spotter.evidence_decoding is None and spotter.evidence_calibration == ()


def test_members_train_an_ensemble_from_successive_seeds(sets, tmp_path, capsys):
    root, train, val = sets
    out = tmp_path / "ensemble.pt"
    assert main(["train-spotter", str(train), "--val", str(val), "--out", str(out), "--epochs", "2", "--hidden", "8",
                 "--members", "2", "--seed", "5", "--cache", str(root / "cache")]) == 0
    assert "member 2/2 (seed 6)" in capsys.readouterr().out
    spotter = LearnedSpotter.load(out)
    assert len(spotter.net.members) == 2 and spotter.card["members"] == 2
    assert main(["train-spotter", str(train), "--val", str(val), "--out", str(out), "--members", "0"]) == 2
    assert "--members" in capsys.readouterr().err


def test_threads_sets_torch_threads_and_a_bad_count_is_refused(sets, tmp_path, capsys):
    import torch

    root, train, val = sets
    before = torch.get_num_threads()
    wanted = 2 if before == 1 else 1  # a count other than the current one
    try:
        assert main(["train-spotter", str(train), "--val", str(val), "--out", str(tmp_path / "s.pt"), "--epochs", "1",
                     "--hidden", "4", "--threads", str(wanted), "--cache", str(root / "cache")]) == 0
        assert torch.get_num_threads() == wanted
    finally:
        torch.set_num_threads(before)
    assert main(["train-spotter", str(train), "--val", str(val), "--out", str(tmp_path / "s.pt"), "--threads", "0"]) == 2
    assert "--threads" in capsys.readouterr().err


def test_a_test_only_set_is_refused_for_training_and_validation(sets, tmp_path, capsys):
    root, train, val = sets
    write_test_only_marker(val.parent, "test only")
    try:
        for args in ([str(val), "--val", str(train)], [str(train), "--val", str(val)]):
            assert main(["train-spotter", *args, "--out", str(tmp_path / "s.pt"), "--epochs", "1",
                         "--cache", str(root / "cache")]) == 2
            err = capsys.readouterr().err
            assert str(val) in err and "test-only" in err
        assert not (tmp_path / "s.pt").exists()
    finally:
        (val.parent / "TEST_ONLY_DO_NOT_TRAIN.txt").unlink()


def test_retest_measures_a_spotter_again_and_its_card_says_how(sets, tmp_path, capsys, monkeypatch):
    import dataclasses
    import sys

    import torch

    root, train, val = sets
    trained = tmp_path / "trained.pt"
    assert main(["train-spotter", str(train), "--val", str(val), "--out", str(trained), "--epochs", "2",
                 "--hidden", "8", "--cache", str(root / "cache")]) == 0
    # a file made before per-stretch backgrounds: no such setting stored, its card describing the whole video's
    data = torch.load(trained, weights_only=True)
    for key in ("stretch_ratio", "stretch_s", "min_stretch_s"):
        del data["evidence_decoding"][key]
    before = LearnedSpotter.load(trained)
    data["card"]["decoding"] = dataclasses.replace(before, evidence_decoding=dataclasses.replace(
        before.evidence_decoding, stretch_ratio=0.0)).decoding_summary()
    torch.save(data, trained)
    old = LearnedSpotter.load(trained)
    assert old.evidence_decoding.stretch_ratio == 3.0  # read with today's decoding ...
    assert "same activity" not in old.card["decoding"]  # ... which its card does not describe
    capsys.readouterr()
    out = tmp_path / "retested.pt"
    argv = ["retest-spotter", str(trained), "--test", str(val), "--out", str(out), "--cache", str(root / "cache")]
    monkeypatch.setattr(sys, "argv", ["tsfmicro", *argv])  # as the console script sees it
    assert main(argv) == 0
    assert "micro F1" in capsys.readouterr().out
    again = LearnedSpotter.load(out)
    card = again.card
    assert card["retested_with"].startswith(f"tsfmicro retest-spotter {trained}")
    assert "as trained" in card["retested_on"]
    assert card["decoding"] == again.decoding_summary()  # describes the decoding the file is read with now
    tests = [key for key in card if key.startswith("test ")]
    assert tests == [f"test {val.parent.name}/{val.name}"] and "micro F1" in card[tests[0]]
    assert card["train_csv"] == old.card["train_csv"] and card["command_line"] == old.card["command_line"]
    assert again.calibration == old.calibration and again.evidence_calibration == old.evidence_calibration
    for a, b in zip(again.net.state_dict().values(), old.net.state_dict().values()):
        assert torch.equal(a, b)
    # a file that is not a spotter: an error naming it, nothing written
    bad = tmp_path / "notes.pt"
    bad.write_text("not a spotter")
    assert main(["retest-spotter", str(bad), "--test", str(val), "--out", str(tmp_path / "x.pt")]) == 2
    assert str(bad) in capsys.readouterr().err and not (tmp_path / "x.pt").exists()
    # a test CSV that is not there: named, nothing written
    missing = tmp_path / "none" / "labels.csv"
    assert main(["retest-spotter", str(trained), "--test", str(missing), "--out", str(tmp_path / "y.pt"),
                 "--cache", str(root / "cache")]) == 2
    assert str(missing) in capsys.readouterr().err and not (tmp_path / "y.pt").exists()
