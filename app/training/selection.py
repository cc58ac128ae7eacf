"""Model selection and pooled metrics: honest mode and the paper protocol (docs/training.md).

Per-epoch evaluations are confusion matrices (rows true, columns predicted, label order of the class set).

Honest (default):
- "last": the model after the last epoch is the fold's model; only it is evaluated on the test subject.
- "inner-val": `select_on_validation` sees only the inner validation subject's per-epoch table and picks the
  epoch (best accuracy, then best UF1, earliest on ties); the test subject is evaluated once, at that epoch.
Either way the pooled metrics sum the fold matrices: accuracy, UF1, UAR (mean recall).

Paper protocol (opt-in, labelled): the test subject is evaluated after every epoch and
- accuracy: each fold contributes its maximum number of correct predictions over all epochs;
- UF1: each fold contributes the confusion counts of its best fold-level-F1 epoch (F1 over the classes present in
  the fold's labels or predictions; ties go to the later epoch); counts are summed, then UF1 computed;
- "UAR": mean per-class precision of those summed counts (the reference's swapped variable names);
- a fold stops early once its test accuracy reaches 1.0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from app.analysis.evaluate import accuracy, paper_mode_uar, uar, uf1


@dataclass(frozen=True)
class EpochEval:
    epoch: int  # 1-based
    matrix: np.ndarray  # (C, C) int64

    @property
    def correct(self) -> int:
        return int(np.trace(self.matrix))

    @property
    def n(self) -> int:
        return int(self.matrix.sum())


def metrics_of(matrix: np.ndarray) -> dict[str, float]:
    return {"accuracy": accuracy(matrix), "uf1": uf1(matrix), "uar": uar(matrix), "n": int(np.sum(matrix))}


# ----------------------------------------------------------------------------------------------------- honest


def select_on_validation(val_table: Sequence[EpochEval]) -> int:
    """The epoch to keep, chosen on the inner validation subject only: best accuracy, then UF1; earliest on ties.
    The function is given no test data, by construction."""
    if not val_table:
        raise ValueError("no validation evaluations to select from")
    best = max(val_table, key=lambda e: (accuracy(e.matrix), uf1(e.matrix), -e.epoch))
    return best.epoch


def improves(candidate: EpochEval, best: EpochEval | None) -> bool:
    """Whether `candidate` beats the validation epoch kept so far (same rule as `select_on_validation`)."""
    if best is None:
        return True
    key = lambda e: (accuracy(e.matrix), uf1(e.matrix))  # noqa: E731
    return key(candidate) > key(best)


def pooled_honest(fold_matrices: Sequence[np.ndarray]) -> dict[str, float]:
    """Pool the folds' test predictions (sum of confusion matrices), then accuracy, UF1, UAR (mean recall)."""
    return metrics_of(np.sum(fold_matrices, axis=0))


# ------------------------------------------------------------------------------------------------ paper mode


def paper_should_stop(evaluation: EpochEval) -> bool:
    """The reference stops a fold once its test accuracy reaches 1.0."""
    return evaluation.n > 0 and evaluation.correct == evaluation.n


@dataclass(frozen=True)
class PaperFold:
    max_correct: int
    n: int
    best_accuracy_epoch: int  # first epoch reaching max_correct
    best_f1_epoch: int  # latest epoch with the best fold-level F1
    best_f1_matrix: np.ndarray
    epochs_run: int


def paper_fold(test_table: Sequence[EpochEval]) -> PaperFold:
    """A fold's contribution under the paper protocol, from its per-epoch test evaluations."""
    if not test_table:
        raise ValueError("no test evaluations for this fold")
    max_correct, best_acc_epoch = -1, 0
    best_f1, best_f1_eval = -1.0, None
    for evaluation in test_table:
        if evaluation.correct > max_correct:
            max_correct, best_acc_epoch = evaluation.correct, evaluation.epoch
        f1 = uf1(evaluation.matrix)  # over classes present in the fold's labels or predictions
        if f1 >= best_f1:  # ties go to the later epoch, as in the reference
            best_f1, best_f1_eval = f1, evaluation
    return PaperFold(max_correct, test_table[0].n, best_acc_epoch, best_f1_eval.epoch, best_f1_eval.matrix,
                     len(test_table))


def pooled_paper(folds: Sequence[PaperFold]) -> dict[str, float]:
    """PAPER PROTOCOL numbers: accuracy from per-fold maxima, UF1 and 'UAR' (mean precision) from the summed
    best-F1 counts. Never present these as honest estimates."""
    total = sum(f.n for f in folds)
    summed = np.sum([f.best_f1_matrix for f in folds], axis=0)
    return {
        "accuracy": sum(f.max_correct for f in folds) / total if total else 0.0,
        "uf1": uf1(summed),
        "uar_mean_precision": paper_mode_uar(summed),
        "n": total,
    }
