"""Recognition metrics on a hand-made confusion table: UF1, true UAR, and the paper-mode "UAR"."""

import numpy as np
import pytest

from app.analysis.evaluate import accuracy, confusion_matrix, paper_mode_uar, recognition_metrics, uar, uf1

#            predicted: happiness disgust others      (rows = true)
TABLE = np.array([[5, 1, 0],
                  [2, 3, 1],
                  [0, 0, 4]])
# TP = 5, 3, 4   #true = 6, 6, 4   #pred = 7, 4, 5


def test_hand_computed_values():
    assert accuracy(TABLE) == pytest.approx(12 / 16)
    assert uf1(TABLE) == pytest.approx(np.mean([10 / 13, 6 / 10, 8 / 9]))
    assert uar(TABLE) == pytest.approx(np.mean([5 / 6, 3 / 6, 4 / 4]))
    assert paper_mode_uar(TABLE) == pytest.approx(np.mean([5 / 7, 3 / 4, 4 / 5]))  # mean precision
    assert paper_mode_uar(TABLE) != pytest.approx(uar(TABLE))


def test_class_never_predicted_and_class_never_true():
    # "fear" is true twice but never predicted; "anger" is predicted once but never true.
    table = np.array([[2, 0, 1],    # happiness
                      [1, 0, 1],    # fear
                      [0, 0, 0]])   # anger
    # TP = 2, 0, 0   #true = 3, 2, 0   #pred = 3, 0, 2
    assert uar(table) == pytest.approx(np.mean([2 / 3, 0 / 2]))                 # anger has no true sample: excluded
    assert uf1(table) == pytest.approx(np.mean([4 / 6, 0 / 2, 0 / 2]))
    assert paper_mode_uar(table) == pytest.approx(np.mean([2 / 3, 0.0, 0 / 2]))  # never predicted: 0


def test_confusion_matrix_from_labels_uses_vocabulary_order():
    truth = ["others", "happiness", "disgust", "happiness"]
    pred = ["others", "disgust", "disgust", "happiness"]
    matrix, classes = confusion_matrix(truth, pred)
    assert classes == ["happiness", "disgust", "others"]
    assert matrix.tolist() == [[1, 1, 0], [0, 1, 0], [0, 0, 1]]
    result = recognition_metrics(truth, pred)
    assert (result.n, result.accuracy) == (4, 0.75)
    with pytest.raises(ValueError, match="not in the class list"):
        confusion_matrix(truth, pred, classes=["happiness", "disgust"])
    with pytest.raises(ValueError):
        confusion_matrix(truth, pred[:2])


def test_empty_input_gives_zeros_not_errors():
    result = recognition_metrics([], [])
    assert (result.n, result.accuracy, result.uf1, result.uar) == (0, 0.0, 0.0, 0.0)
