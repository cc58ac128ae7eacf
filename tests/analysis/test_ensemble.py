"""Ensembles: a checkpoint with more than one model averages its members' class and phase probabilities, on the
real analysis of the real demo video; incompatible members are refused naming the file."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from .analysis_testkit import TINY_CLASSES, make_tiny_parts
from app.analysis import AnalysisConfig, Predictor, analyse_results
from model import CheckpointError, Member, PreprocessCfg, load_checkpoint, save_checkpoint


def _save(path, first, more=()):
    model, head = first
    return save_checkpoint(path, model, model_name="tsfmicro_tiny", class_names=TINY_CLASSES,
                           preprocess=PreprocessCfg(size=model.cfg.input_size), model_card={"data": "random"},
                           spotting_head=head, more_members=[Member("tsfmicro_tiny", m, h) for m, h in more])


def _curves(predictor, results):
    chunks = analyse_results(results, predictor, 30.0, AnalysisConfig.for_mode("full", chunk_size=32))
    return np.concatenate([chunk.probs for chunk in chunks])


def test_an_ensemble_averages_its_members_curves_and_class_probabilities(tmp_path, demo_results):
    a, b = make_tiny_parts(seed=0), make_tiny_parts(seed=1)
    ensemble = Predictor.load(_save(tmp_path / "ab.pt", a, [b]), device="cpu", threads=1, batch_size=4)
    only_a = Predictor.load(_save(tmp_path / "a.pt", a), device="cpu", threads=1, batch_size=4)
    only_b = Predictor.load(_save(tmp_path / "b.pt", b), device="cpu", threads=1, batch_size=4)
    assert ensemble.describe()["ensemble_members"] == 2 and only_a.describe()["ensemble_members"] == 1
    assert ensemble.embedding_dim == only_a.embedding_dim + only_b.embedding_dim

    results = demo_results[:70]  # 70 real frames in chunks of 32: each head's state crosses two chunk boundaries
    curves_a, curves_b, curves_ab = (_curves(p, results) for p in (only_a, only_b, ensemble))
    ok = np.isfinite(curves_ab).all(axis=1)
    assert ok.sum() > 50
    np.testing.assert_allclose(curves_ab[ok], (curves_a[ok] + curves_b[ok]) / 2, atol=1e-5)
    assert np.abs(curves_a[ok] - curves_b[ok]).max() > 1e-3  # the members differ, so the mean is not either one

    onset, apex = demo_results[10].crop, demo_results[16].crop
    probs = [np.array(list(p.classify_interval(onset, apex).values())) for p in (only_a, only_b, ensemble)]
    np.testing.assert_allclose(probs[2], (probs[0] + probs[1]) / 2, atol=1e-6)


def test_members_survive_the_file_and_a_single_model_file_has_one(tmp_path):
    a, b, c = make_tiny_parts(seed=0), make_tiny_parts(seed=1), make_tiny_parts(seed=2)
    loaded = load_checkpoint(_save(tmp_path / "abc.pt", a, [b, c]))
    assert len(loaded.members) == 3 and loaded.model_card == {"data": "random"}
    for (model, head), member in zip((a, b, c), loaded.members):
        for original, stored in ((model, member.model), (head, member.spotting_head)):
            assert all(np.array_equal(x.numpy(), y.numpy())
                       for x, y in zip(original.state_dict().values(), stored.state_dict().values()))
    assert load_checkpoint(_save(tmp_path / "a.pt", a)).more_members == ()


def test_incompatible_members_are_refused_naming_the_file(tmp_path):
    a = make_tiny_parts(seed=0)
    other_fusion = make_tiny_parts(seed=1, fusion="early")
    path = _save(tmp_path / "mixed.pt", a, [other_fusion])
    with pytest.raises(CheckpointError, match="differ in architecture") as info:
        Predictor.load(path, device="cpu")
    assert "mixed.pt" in str(info.value)
    headless = _save(tmp_path / "headless_member.pt", a, [(make_tiny_parts(seed=1)[0], None)])
    with pytest.raises(CheckpointError, match="some of the ensemble's members have a spotting head"):
        Predictor.load(headless, device="cpu")


def test_a_head_state_for_another_number_of_members_is_refused(tmp_path):
    a, b = make_tiny_parts(seed=0), make_tiny_parts(seed=1)
    ensemble = Predictor.load(_save(tmp_path / "ab.pt", a, [b]), device="cpu", threads=1)
    single = Predictor.load(_save(tmp_path / "a.pt", a), device="cpu", threads=1)
    x, valid = torch.zeros(3, ensemble.embedding_dim), torch.ones(3, dtype=torch.bool)
    with pytest.raises(ValueError, match="2 ensemble member"):
        ensemble.run_head(x, valid, 30.0, single.initial_head_state())
    assert len(ensemble.run_head(x, valid, 30.0, None)[1]) == 2
