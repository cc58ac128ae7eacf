"""Subject-disjoint splits: leave-one-subject-out folds, a seeded hold-out split, and the inner validation subject
of honest model selection (docs/training.md, "Protocols and model selection").

Each LOSO subject list is the set of subjects with at least one sample in the class set, sorted. A fold
trains a freshly initialised model (the runner seeds its initialisation from the run seed and the fold index).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Optional, Sequence


@dataclass(frozen=True)
class Fold:
    index: int
    name: str  # "sub01" for LOSO, "holdout" for the hold-out split
    train_subjects: tuple[str, ...]
    test_subjects: tuple[str, ...]
    val_subjects: tuple[str, ...] = ()  # inner validation (honest selection "inner-val"); never test subjects

    def __post_init__(self) -> None:
        train, test, val = set(self.train_subjects), set(self.test_subjects), set(self.val_subjects)
        if train & test or train & val or test & val:
            raise ValueError(f"fold {self.name}: train, validation and test subjects overlap")
        if not train or not test:
            raise ValueError(f"fold {self.name}: needs at least one training and one test subject")


def subjects_of(sample_subjects: Sequence[str]) -> list[str]:
    return sorted(set(sample_subjects), key=_natural_key)


def _natural_key(subject: str):
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in _split_digits(subject)]


def _split_digits(text: str) -> list[str]:
    parts, current = [], ""
    for char in text:
        if current and char.isdigit() != current[-1].isdigit():
            parts.append(current)
            current = ""
        current += char
    return parts + ([current] if current else [])


def inner_validation_subject(test: str, train: Sequence[str]) -> str:
    """The validation subject of a LOSO fold: the training subject that follows the test subject in the sorted
    subject order (cyclically). Deterministic, and never the test subject."""
    ordered = sorted(set(train) | {test}, key=_natural_key)
    position = ordered.index(test)
    candidate = ordered[(position + 1) % len(ordered)]
    if candidate == test:
        raise ValueError("inner validation needs at least two training subjects")
    return candidate


def loso_folds(subjects: Sequence[str], inner_val: bool = False, max_folds: Optional[int] = None) -> list[Fold]:
    subjects = subjects_of(subjects)
    need = 3 if inner_val else 2
    if len(subjects) < need:
        raise ValueError(f"leave-one-subject-out needs at least {need} subjects"
                         f"{' (with an inner validation subject)' if inner_val else ''}; the data has "
                         f"{len(subjects)}: {', '.join(subjects)}")
    folds = []
    for index, test in enumerate(subjects[: max_folds or len(subjects)]):
        rest = [s for s in subjects if s != test]
        val = (inner_validation_subject(test, rest),) if inner_val else ()
        train = tuple(s for s in rest if s not in val)
        folds.append(Fold(index, test, train, (test,), val))
    return folds


def holdout_fold(subjects: Sequence[str], fraction: float, seed: int, inner_val: bool = False) -> Fold:
    """One split: round(fraction · n) test subjects (at least one) drawn with `seed`; the rest train."""
    subjects = subjects_of(subjects)
    need = 3 if inner_val else 2
    if len(subjects) < need:
        raise ValueError(f"a subject hold-out split needs at least {need} subjects; the data has {len(subjects)}")
    n_test = min(len(subjects) - need + 1, max(1, round(fraction * len(subjects))))
    shuffled = list(subjects)
    random.Random(seed).shuffle(shuffled)
    test = tuple(sorted(shuffled[:n_test], key=_natural_key))
    rest = [s for s in subjects if s not in test]
    val = (inner_validation_subject(test[0], rest),) if inner_val else ()
    train = tuple(s for s in rest if s not in val)
    return Fold(0, "holdout", train, test, val)
