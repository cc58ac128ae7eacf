"""LOSO folds (a fresh model per fold), honest selection that never looks at the test subject, and the paper
protocol's metrics on a hand-made per-epoch table."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from app.training import Trainer
from app.training.folds import holdout_fold, inner_validation_subject, loso_folds
from app.training.seeds import derive_seed
from app.training.selection import EpochEval, paper_fold, paper_should_stop, pooled_paper, select_on_validation
from conftest import with_
from model import create_model


def test_loso_folds_one_per_subject_disjoint():
    folds = loso_folds(["sub10", "sub2", "sub1"], inner_val=True)
    assert [f.name for f in folds] == ["sub1", "sub2", "sub10"]  # natural order
    for fold in folds:
        assert fold.test_subjects == (fold.name,)
        assert fold.name not in fold.train_subjects and fold.name not in fold.val_subjects
        assert len(fold.val_subjects) == 1 and set(fold.train_subjects) | set(fold.val_subjects) | {fold.name} == {
            "sub1", "sub2", "sub10"}
    assert inner_validation_subject("sub10", ["sub1", "sub2"]) == "sub1"  # cyclic
    assert len(loso_folds(["a", "b", "c"], max_folds=2)) == 2
    with pytest.raises(ValueError, match="at least 2 subjects"):
        loso_folds(["a"])
    split = holdout_fold([f"s{i}" for i in range(10)], 0.2, seed=1)
    assert len(split.test_subjects) == 2 and not set(split.test_subjects) & set(split.train_subjects)
    assert split == holdout_fold([f"s{i}" for i in range(10)], 0.2, seed=1)


def _record(monkeypatch, trainer_cls=Trainer):
    """Record every look at held-out data (purpose, subjects) and every fresh model's initial weights."""
    looks, inits = [], {}
    original_evaluate, original_fresh = trainer_cls.evaluate, trainer_cls._fresh_model

    def evaluate(self, model, indices, purpose):
        looks.append((purpose, sorted({self.samples[i].subject for i in indices})))
        return original_evaluate(self, model, indices, purpose)

    def fresh(self, key):
        model = original_fresh(self, key)
        inits[key] = {k: v.detach().clone() for k, v in model.state_dict().items()}
        return model

    monkeypatch.setattr(trainer_cls, "evaluate", evaluate)
    monkeypatch.setattr(trainer_cls, "_fresh_model", fresh)
    return looks, inits


def test_inner_validation_never_uses_the_test_subject_and_every_fold_starts_fresh(
        monkeypatch, tmp_path, dataset, tiny_config):
    looks, inits = _record(monkeypatch)
    chosen = []
    real_select = select_on_validation
    monkeypatch.setattr("app.training.runner.select_on_validation",
                        lambda table: chosen.append(len(table)) or real_select(table))
    config = with_(tiny_config, selection="inner-val", epochs=3, head_epochs=0)
    result = Trainer(dataset, tmp_path / "m.pt", config).run()
    assert [f.name for f in result.folds] == ["sub01", "sub02"]
    # per fold: one validation look per epoch at the validation subject, then exactly one test look at the end
    expected = []
    for fold in result.folds:
        assert fold.val_subjects and fold.name not in fold.val_subjects
        expected += [("val", fold.val_subjects)] * 3 + [("test", fold.test_subjects)]
    assert looks == expected
    assert chosen == [3, 3]
    assert all(1 <= f.selected_epoch <= 3 for f in result.folds)
    # fresh, seeded initialisation per fold (not the previous fold's trained weights)
    assert set(inits) == {"sub01", "sub02", "final"}
    for key, state in inits.items():
        torch.manual_seed(derive_seed(config.seed, "init", key))
        reference = create_model("tsfmicro_tiny", num_classes=3).state_dict()
        assert all(torch.equal(state[k], reference[k]) for k in reference)
    assert not torch.equal(inits["sub01"]["head.classifier.weight"], inits["sub02"]["head.classifier.weight"])


def test_last_epoch_mode_looks_at_the_test_subject_once(monkeypatch, tmp_path, dataset, tiny_config):
    looks, _ = _record(monkeypatch)
    Trainer(dataset, tmp_path / "m.pt", with_(tiny_config, head_epochs=0)).run()
    assert looks == [("test", ["sub01"]), ("test", ["sub02"])]


def _m(rows):
    return np.array(rows, dtype=np.int64)


def test_paper_protocol_metrics_on_a_hand_made_table():
    # fold A: 4 test samples of classes 0/1; epoch 2 has the most correct, epochs 1 and 3 tie on F1 (later wins)
    fold_a = [EpochEval(1, _m([[1, 1, 0], [0, 2, 0], [0, 0, 0]])),   # 3 correct, F1 over {0,1}
              EpochEval(2, _m([[2, 0, 0], [0, 2, 0], [0, 0, 0]])),   # 4 correct, F1 1.0
              EpochEval(3, _m([[2, 0, 0], [0, 2, 0], [0, 0, 0]]))]   # 4 correct, F1 1.0 (tie → epoch 3)
    # fold B: 3 samples of class 2; accuracy peaks at epoch 1, F1 at epoch 2 (different epochs, as in the reference)
    fold_b = [EpochEval(1, _m([[0, 0, 0], [0, 0, 0], [0, 0, 3]])),   # 3 correct, F1 1.0
              EpochEval(2, _m([[0, 0, 0], [0, 0, 0], [0, 0, 3]]))]   # same: tie → epoch 2
    a, b = paper_fold(fold_a), paper_fold(fold_b)
    assert (a.max_correct, a.best_accuracy_epoch, a.best_f1_epoch, a.epochs_run) == (4, 2, 3, 3)
    assert (b.max_correct, b.best_f1_epoch) == (3, 2)
    pooled = pooled_paper([a, b])
    assert pooled["accuracy"] == 1.0 and pooled["uf1"] == 1.0 and pooled["uar_mean_precision"] == 1.0

    fold_c = [EpochEval(1, _m([[1, 1, 0], [1, 1, 0], [0, 0, 0]])),   # 2/4, F1 0.5
              EpochEval(2, _m([[2, 0, 0], [2, 0, 0], [0, 0, 0]]))]   # 2/4, F1 over {0,1}: (2·2/6 + 0)/2 = 1/3
    c = paper_fold(fold_c)
    assert (c.max_correct, c.best_accuracy_epoch, c.best_f1_epoch) == (2, 1, 1)
    pooled = pooled_paper([a, c])
    assert pooled["accuracy"] == pytest.approx(6 / 8)
    summed = _m([[3, 1, 0], [1, 3, 0], [0, 0, 0]])  # a's epoch 3 + c's epoch 1
    assert pooled["uf1"] == pytest.approx(0.75)  # classes 0 and 1: 2·3/8 each
    assert pooled["uar_mean_precision"] == pytest.approx(np.mean([3 / 4, 3 / 4]))
    assert summed.sum() == 8
    assert paper_should_stop(EpochEval(1, _m([[2, 0], [0, 1]]))) and not paper_should_stop(EpochEval(1, _m([[1, 1], [0, 1]])))
    # honest selection picks on validation only: best accuracy, earliest on ties
    val = [EpochEval(1, _m([[1, 1], [0, 2]])), EpochEval(2, _m([[2, 0], [0, 2]])), EpochEval(3, _m([[2, 0], [0, 2]]))]
    assert select_on_validation(val) == 2
