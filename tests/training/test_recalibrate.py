"""`tsfmicro calibrate`: a trained checkpoint's decoding chosen again on labelled videos, weights untouched, the
card's decoding and held-out figures replaced (or the stale figures removed), the command recorded."""

from __future__ import annotations

import dataclasses
import itertools
import shutil

import pytest
import torch

from app.analysis import Predictor
from app.analysis.contract import ModelContract
from app.cli import main
from app.training import Trainer
from app.training.calibrate import GRID
from conftest import with_
from model import SCHEMA_VERSION, load_checkpoint, save_checkpoint


@pytest.fixture(scope="module")
def trained(tmp_path_factory, dataset, cache_dir):
    """A tiny model trained with --test but no --val: default decoding, held-out figures in its card."""
    from app.training import TrainConfig

    config = TrainConfig(model="tsfmicro_tiny", epochs=2, batch_size=8, head_epochs=2, threads=1, cache_dir=cache_dir,
                         progress=False, seed=3, protocol="none")
    return Trainer(dataset, tmp_path_factory.mktemp("m") / "m.pt", config, test_csv=dataset).run().checkpoint


def test_calibrate_replaces_the_decoding_and_the_held_out_figures_and_keeps_the_weights(tmp_path, trained, dataset,
                                                                                        cache_dir, capsys):
    before = load_checkpoint(trained)
    assert ModelContract.of(before).decoding is None and "decoding_settings" not in before.model_card
    assert "heldout_model_micro_f1" in before.model_card
    out = tmp_path / "recalibrated.pt"
    assert main(["calibrate", str(trained), "--val", str(dataset), "--test", str(dataset), "--out", str(out),
                 "--cache", cache_dir, "--threads", "1"]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    after = load_checkpoint(out)
    for a, b in ((before.model, after.model), (before.spotting_head, after.spotting_head)):
        assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))
    card = after.model_card
    chosen = ModelContract.of(after).decoding
    assert card["decoding_settings"] == chosen.to_json()
    assert ModelContract.of(after) == dataclasses.replace(ModelContract.of(before), decoding=chosen)
    assert {k: getattr(chosen, k) for k in GRID} in [dict(zip(GRID, v)) for v in itertools.product(*GRID.values())]
    assert card["decoding_csv"] == str(dataset) and 0.0 <= card["decoding_micro_f1"] <= 1.0
    assert card["heldout_csv"] == str(dataset) and 0.0 <= card["heldout_model_micro_f1"] <= 1.0
    assert card["heldout_recognition_uf1"] == before.model_card["heldout_recognition_uf1"]  # decoding-independent
    assert card["recalibrated_with"].startswith("tsfmicro calibrate ") and card["recalibrated_on"]
    assert card["command_line"] == before.model_card["command_line"] and card["data"] == before.model_card["data"]
    assert Predictor.load(out, device="cpu").proposal_config == chosen


def test_in_place_without_a_test_set_stale_spotting_figures_leave_the_card_and_bad_input_is_refused(
        tmp_path, trained, dataset, capsys):
    out = tmp_path / "in_place.pt"
    shutil.copyfile(trained, out)
    assert main(["calibrate", str(out), "--val", str(dataset), "--out", str(out), "--threads", "1"]) == 0
    card, old = load_checkpoint(out).model_card, load_checkpoint(trained).model_card
    assert card["decoding_settings"] == ModelContract.of(load_checkpoint(out)).decoding.to_json()
    assert not any(k.startswith("heldout_model_") for k in card)  # measured with the old decoding: removed
    assert card["heldout_recognition_uf1"] == old["heldout_recognition_uf1"]  # independent of the decoding: kept
    assert card["heldout_motion_spotter_micro_f1"] == old["heldout_motion_spotter_micro_f1"]
    assert not list(tmp_path.glob(".in_place.pt.*"))  # no temporary file left
    loaded = load_checkpoint(trained)
    headless = save_checkpoint(tmp_path / "headless.pt", loaded.model, model_name=loaded.model_name,
                               class_names=loaded.class_names, preprocess=loaded.preprocess,
                               contract=loaded.contract, model_card=loaded.model_card)
    assert main(["calibrate", str(headless), "--val", str(dataset), "--out", str(tmp_path / "x.pt")]) == 2
    assert "headless.pt: has no spotting head" in capsys.readouterr().err
    assert main(["calibrate", str(trained), "--val", str(tmp_path / "missing.csv"), "--out",
                 str(tmp_path / "y.pt")]) == 2
    assert "missing.csv" in capsys.readouterr().err and not (tmp_path / "y.pt").exists()


def test_ensemble_command_writes_one_checkpoint_of_all_members_with_its_own_decoding_and_card(
        tmp_path, trained, dataset, cache_dir, capsys):
    single = load_checkpoint(trained)
    other_card = {**single.model_card, "command_line": "tsfmicro train other.csv --seed 4", "data_csv": "other.csv",
                  "seed": 4, "limits": "Another member's limit."}
    other = save_checkpoint(tmp_path / "other.pt", single.model, model_name=single.model_name,
                            class_names=single.class_names, preprocess=single.preprocess,
                            contract=single.contract, model_card=other_card,
                            spotting_head=single.spotting_head)
    out = tmp_path / "ensemble.pt"
    assert main(["ensemble", str(trained), str(other), "--val", str(dataset), "--out", str(out),
                 "--cache", cache_dir, "--threads", "1"]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    ensemble = load_checkpoint(out)
    assert len(ensemble.members) == 2 and ensemble.schema_version == SCHEMA_VERSION
    card = ensemble.model_card
    assert card["ensemble"].startswith("2 models") and card["ensembled_with"].startswith("tsfmicro ensemble ")
    assert card["member1_command_line"] == single.model_card["command_line"] and card["member1_seed"] == 3
    assert card["member2_command_line"] == "tsfmicro train other.csv --seed 4" and card["member2_seed"] == 4
    assert card["data"].endswith("(other.csv) [member 2]") and "[member 1]; " in card["data"]
    assert single.model_card["limits"] in card["limits"] and "Another member's limit." in card["limits"]
    assert card["member1_heldout_model_micro_f1"] == single.model_card["heldout_model_micro_f1"]  # its own figure
    assert not any(k.startswith("heldout_") for k in card)  # no --test: the ensemble has no figures of its own
    assert "command_line" not in card and "seed" not in card  # only as member<i>_*
    assert card["decoding_settings"] == ModelContract.of(ensemble).decoding.to_json()
    assert Predictor.load(out, device="cpu").describe()["ensemble_members"] == 2

    renamed = save_checkpoint(tmp_path / "renamed.pt", single.model, model_name=single.model_name,
                              class_names=tuple(reversed(single.class_names)), preprocess=single.preprocess,
                              contract=single.contract, model_card=single.model_card,
                              spotting_head=single.spotting_head)
    assert main(["ensemble", str(trained), str(renamed), "--val", str(dataset), "--out",
                 str(tmp_path / "bad.pt")]) == 2
    assert "renamed.pt: classes" in capsys.readouterr().err and not (tmp_path / "bad.pt").exists()
    assert main(["ensemble", str(out), str(trained), "--val", str(dataset), "--out", str(tmp_path / "nested.pt")]) == 2
    assert "ensemble.pt: is already an ensemble" in capsys.readouterr().err
    assert main(["ensemble", str(trained), "--val", str(dataset), "--out", str(tmp_path / "one.pt")]) == 2
    assert "at least two checkpoints" in capsys.readouterr().err
