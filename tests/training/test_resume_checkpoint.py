"""Resume equivalence (interrupted runs, Ctrl-C included, continue to the same result) and the checkpoint's
contents (loads with `load_checkpoint`, carries the model card, runs in the analysis `Predictor`)."""

from __future__ import annotations

import itertools
import json
import signal
import subprocess
import sys
import time

import pytest
import torch

from app.analysis import Predictor
from app.analysis.contract import ModelContract
from app.training.calibrate import GRID
from app.training import Trainer
from app.training.state import ResumeError, partial_path
from conftest import with_
from model import load_checkpoint


def _states_equal(a, b) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def _assert_same_result(path_a, path_b):
    a, b = load_checkpoint(path_a), load_checkpoint(path_b)
    assert _states_equal(a.model.state_dict(), b.model.state_dict())
    assert _states_equal(a.spotting_head.state_dict(), b.spotting_head.state_dict())
    for key in ("metrics", "fold_metrics", "spotting_head", "class_counts"):
        assert a.model_card[key] == b.model_card[key], key


class Interrupt:
    """An epoch hook that presses Ctrl-C after the given (stage, fold, epoch)."""

    def __init__(self, stage, fold, epoch):
        self.at = (stage, fold, epoch)

    def __call__(self, stage, fold, epoch):
        if (stage, fold, epoch) == self.at:
            raise KeyboardInterrupt


def test_interrupted_and_resumed_runs_equal_the_uninterrupted_run(tmp_path, dataset, tiny_config):
    whole = Trainer(dataset, tmp_path / "whole.pt", tiny_config).run()
    assert whole.checkpoint.exists() and not partial_path(whole.checkpoint).exists()

    out = tmp_path / "resumed.pt"
    with pytest.raises(KeyboardInterrupt):  # mid-run: after epoch 1 of the second fold
        Trainer(dataset, out, tiny_config, on_epoch_end=Interrupt("fold", 1, 1)).run()
    assert partial_path(out).exists() and not out.exists()
    with pytest.raises(ResumeError, match="--resume"):  # a plain re-run refuses to overwrite the saved state
        Trainer(dataset, out, tiny_config).run()
    with pytest.raises(ResumeError, match="epochs"):  # other settings: refused, the difference named
        Trainer(dataset, out, with_(tiny_config, epochs=3), resume=True).run()
    with pytest.raises(KeyboardInterrupt):  # interrupted again, while training the final model
        Trainer(dataset, out, tiny_config, resume=True, on_epoch_end=Interrupt("final", -1, 1)).run()
    Trainer(dataset, out, tiny_config, resume=True).run()
    assert out.exists() and not partial_path(out).exists()
    _assert_same_result(whole.checkpoint, out)


@pytest.mark.slow
def test_ctrl_c_on_the_command_line_then_resume(tmp_path, dataset, tiny_config):
    out = tmp_path / "cli.pt"
    args = [sys.executable, "-m", "app.cli", "train", dataset, "--out", out, "--model", "tsfmicro_tiny",
            "--epochs", "6", "--max-folds", "1", "--head-epochs", "2", "--batch", "8", "--seed", "3", "--threads", "1",
            "--cache", tiny_config.cache_dir, "--quiet"]
    process = subprocess.Popen([str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not partial_path(out).exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr and partial_path(out).exists() and not out.exists()
    resumed = subprocess.run([str(a) for a in args + ["--resume"]], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert "pooled LOSO (first 1 folds only), honest" in resumed.stdout
    config = with_(tiny_config, epochs=6, max_folds=1)
    reference = Trainer(dataset, tmp_path / "reference.pt", config).run()
    _assert_same_result(reference.checkpoint, out)


def test_checkpoint_loads_with_its_model_card_and_runs_in_the_predictor(tmp_path, dataset, tiny_config):
    config = with_(tiny_config, paper_protocol=True, max_folds=2)
    result = Trainer(dataset, tmp_path / "paper.pt", config, classes="positive=happiness;surprise;others",
                     command_line="tsfmicro train train.csv --paper-protocol").run()
    loaded = load_checkpoint(result.checkpoint)
    card = loaded.model_card
    assert loaded.class_names == ("positive", "surprise", "others") and loaded.spotting_head is not None
    assert loaded.preprocess.size == 64 and ModelContract.of(loaded).pairing.tau_s == 0.15
    assert card["data_csv"] == str(dataset) and len(card["data_sha256"]) == 64
    assert card["command_line"] == "tsfmicro train train.csv --paper-protocol" and card["seed"] == 3
    assert card["protocol"].startswith("PAPER PROTOCOL") and card["paper_protocol"] == 1
    assert json.loads(card["class_counts"]) == {"positive": 5, "surprise": 5, "others": 5}
    assert card["samples_skipped"] == 1 and "s1_c1.mp4" in card["skipped"]
    assert {"paper_protocol_loso_accuracy", "paper_protocol_loso_uf1", "paper_protocol_loso_uar_mean_precision",
            "date", "limits", "fold_metrics"} <= set(card)
    assert "loso_accuracy" not in card  # paper numbers are never stored under honest names
    metrics = json.loads(card["metrics"])
    assert set(metrics) == {"paper_protocol", "last_epoch"}
    folds = json.loads(card["fold_metrics"])
    assert [f["fold"] for f in folds] == ["sub01", "sub02"] and all("paper_best_f1_epoch" in f for f in folds)
    predictor = Predictor.load(result.checkpoint, device="cpu", threads=1)
    assert predictor.embedding_dim == 128 and predictor.class_names == loaded.class_names


def test_a_test_set_is_scored_after_training_and_its_figures_go_into_the_card(tmp_path, dataset, tiny_config):
    """`tsfmicro train --test`: the finished model spots (the app's analysis) and recognises the test set's events,
    the motion spotter runs beside it, and the figures are stored in the model card. (The same CSV serves as the
    test set here only to keep the run short; the code path is the one a held-out set takes.)"""
    config = with_(tiny_config, protocol="none", max_folds=None)
    result = Trainer(dataset, tmp_path / "m.pt", config, test_csv=dataset, val_csv=dataset).run()
    loaded = load_checkpoint(result.checkpoint)
    card = loaded.model_card
    # --val: the decoding chosen there is stored with the model and used wherever it suggests events.
    chosen = ModelContract.of(loaded).decoding
    assert chosen is not None and card["decoding_settings"] == chosen.to_json()
    assert {k: getattr(chosen, k) for k in GRID} in [dict(zip(GRID, v)) for v in itertools.product(*GRID.values())]
    assert card["decoding_csv"] == str(dataset) and 0.0 <= card["decoding_micro_f1"] <= 1.0
    assert Predictor.load(result.checkpoint, device="cpu").proposal_config == chosen
    assert card["heldout_csv"] == str(dataset) and len(card["heldout_csv_sha256"]) == 64
    assert card["heldout_analysis_mode"] == "full" and card["heldout_videos"] == 8
    for key in ("model_micro_f1", "motion_spotter_micro_f1", "recognition_uf1", "recognition_accuracy"):
        assert 0.0 <= card[f"heldout_{key}"] <= 1.0
    # Every accepted event with a face at onset and apex is recognised (one has no face: see the fixture).
    assert card["heldout_recognition_n"] == card["samples"]
    assert card["data"].startswith(f"{card['events_accepted']} labelled events")
