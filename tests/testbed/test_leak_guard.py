"""The training side refuses a test-only set: `tsfmicro train` (its CSV and --val), `calibrate --val`,
`ensemble --val`."""

import pytest

from app.cli import main
from app.core.events import Event
from app.core.events_csv import write_events_csv
from app.core.test_only import (TEST_ONLY_MARKER, TestOnlySetError, refuse_test_only, why_test_only,
                                write_test_only_marker)


def _csv(folder, notes=""):
    folder.mkdir(parents=True, exist_ok=True)
    event = Event("videos/v.mp4", "s", "e1", 3, 5, 8, 30.0, "micro", "happiness", "12", "imported", "accepted",
                  notes=notes)
    return write_events_csv(folder / "labels.csv", [event])


@pytest.fixture
def marked(tmp_path):
    path = _csv(tmp_path / "set")
    write_test_only_marker(tmp_path / "set", "test only")
    return path


def test_marker_or_notes_make_a_set_test_only(tmp_path, marked):
    assert why_test_only(_csv(tmp_path / "plain")) is None
    assert TEST_ONLY_MARKER in why_test_only(marked)
    nested = _csv(tmp_path / "set" / "copy")  # a CSV in a folder below the marker
    assert why_test_only(nested) is not None
    copied = _csv(tmp_path / "elsewhere", notes="testbed renderer (seed 3)")  # rows copied out of the set
    with pytest.raises(TestOnlySetError, match=r"labels\.csv: this is a test-only set .*never for training"):
        refuse_test_only(copied)


@pytest.mark.parametrize("argv", [
    ["train", "{marked}", "--out", "{tmp}/m.pt"],
    ["train", "{plain}", "--val", "{marked}", "--out", "{tmp}/m.pt"],
    ["calibrate", "{tmp}/absent.pt", "--val", "{marked}", "--out", "{tmp}/c.pt"],
    ["ensemble", "{tmp}/a.pt", "{tmp}/b.pt", "--val", "{marked}", "--out", "{tmp}/e.pt"],
], ids=["train", "train-val", "calibrate-val", "ensemble-val"])
def test_commands_refuse_a_test_only_set(tmp_path, marked, capsys, argv):
    plain = _csv(tmp_path / "plain")
    args = [a.format(marked=marked, plain=plain, tmp=tmp_path) for a in argv]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"{marked}: this is a test-only set" in err
    assert not any(tmp_path.glob("*.pt"))
