"""Test-only label sets: a folder that holds `TEST_ONLY_MARKER` (written by `tsfmicro testset`) is for measuring a
model, never for training it, choosing its decoding or calibrating it. The training side calls
`refuse_test_only` on every CSV it would learn or choose from, so a test set cannot leak into a model.

Kept here, free of Qt and of the renderer, so the training code needs no import of `app.testbed`.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from app.core.atomic import atomic_write_text
from app.core.csv_rows import guarded

TEST_ONLY_MARKER = "TEST_ONLY_DO_NOT_TRAIN.txt"
# The notes every row of a test-only CSV carries (`tsfmicro testset` writes "testbed renderer (seed S)").
TEST_ONLY_NOTES_PREFIX = "testbed renderer"


class TestOnlySetError(ValueError):
    """A training, validation or calibration CSV is a test-only set."""

    __test__ = False  # not a pytest test class despite its name


def why_test_only(csv_path: str | os.PathLike) -> str | None:
    """Why `csv_path` is a test-only set (a marker in its folder or a folder above it, or rows the test renderer
    wrote), or None when it is not."""
    path = Path(csv_path).resolve()
    for folder in path.parents:
        if (folder / TEST_ONLY_MARKER).is_file():
            return f"{folder / TEST_ONLY_MARKER} marks its folder as test-only"
    if path.is_file():
        with open(path, newline="", encoding="utf-8", errors="replace") as handle:
            for row in guarded(csv.DictReader(handle), path):
                if (row.get("notes") or "").lstrip("'").startswith(TEST_ONLY_NOTES_PREFIX):
                    return f"its rows were written by the test renderer (notes {row['notes']!r})"
    return None


def refuse_test_only(csv_path: str | os.PathLike, role: str = "training") -> None:
    """Raise TestOnlySetError naming the file when `csv_path` is a test-only set; `role` says what it was given for
    (training, validation, calibration)."""
    reason = why_test_only(csv_path)
    if reason is not None:
        raise TestOnlySetError(f"{csv_path}: this is a test-only set ({reason}); it may be used to measure a model "
                               f"(tsfmicro evaluate, --test) but never for {role}")


def write_test_only_marker(folder: str | os.PathLike, text: str) -> Path:
    """Declare `folder` test-only (the marker's text says why)."""
    return atomic_write_text(Path(folder) / TEST_ONLY_MARKER, text)
