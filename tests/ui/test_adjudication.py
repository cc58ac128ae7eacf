"""A second rater in the reviewer window (offscreen, a real window): their labels load as a read-only
lane, mine stay as they are; the Disagreements dock lists what differs, and keep mine (U), take
theirs (T) and drop (D) each change my labels as said, in one undo step that restores them exactly."""

from dataclasses import replace

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox

from app.core.events import Event
from app.core.label_exchange import export_labels
from app.ui.main_window import ReviewerWindow

pytestmark = pytest.mark.gui


@pytest.fixture
def warnings(monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda _parent, title, text: shown.append((title, text))))
    return shown


def _event(event_id, onset, apex, offset, emotion="happiness", annotator="me"):
    return Event(video="interview.mp4", subject="interview", event_id=event_id, onset_frame=onset, apex_frame=apex,
                 offset_frame=offset, fps=30.0, emotion=emotion, annotator=annotator)


MINE = [_event("ev0001", 10, 15, 20),                        # the same as theirs: no disagreement
        _event("ev0002", 40, 45, 50),                        # matched, but apex and emotion differ
        _event("ev0003", 100, 105, 110)]                     # only mine
THEIRS = [_event("t1", 10, 15, 20, annotator="Rita"),
          _event("t2", 41, 46, 50, "surprise", annotator="Rita"),
          _event("t3", 200, 205, 210, "fear", annotator="Rita")]  # only theirs


@pytest.fixture
def window(qtbot, tmp_path, demo_copy, fake_face_tracker):
    window = ReviewerWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat),
                            face_pipeline=fake_face_tracker)
    qtbot.addWidget(window)
    window.show()
    assert window.open_path(demo_copy)
    qtbot.waitUntil(lambda: window.face_track is not None, timeout=60000)
    video = window.store.video["path"]
    window.document.add_events([replace(e, video=video) for e in MINE], "my labels")
    export_labels(tmp_path / "rita.events.csv", THEIRS, demo_copy)
    return window


def _state(window):
    return window.document.events(), window.store.events()


def test_second_rater_lane_is_read_only_and_mine_are_unchanged(window, tmp_path, warnings):
    before, steps = _state(window), window.document.undo_stack.count()
    assert window.review_tools.load_second_rater(str(tmp_path / "rita.events.csv"))
    assert warnings == []
    lane = window.review_tools.rater_lane
    assert lane.intervals() == [(10, 21), (41, 51), (200, 211)]
    assert lane.items and not any(item.movable for item in lane.items)
    assert window.review_tools.rater == "Rita"
    assert _state(window) == before and window.document.undo_stack.count() == steps
    assert window.timeline.event_region("ev0002") == (40, 51)  # my own events drawn as before
    panel = window.review_tools.panel
    assert panel.isVisible() and panel.list.count() == 3
    assert "interval F1 0.667" in panel.summary.text()


def test_bad_second_rater_file_gives_a_message_and_changes_nothing(window, tmp_path, warnings):
    before = _state(window)
    bad = tmp_path / "notes.eaf"
    bad.write_text("this is not ELAN")
    assert not window.review_tools.load_second_rater(str(bad))
    (title, text), = warnings
    assert "notes.eaf" in text
    other = tmp_path / "other.events.csv"
    export_labels(other, THEIRS, tmp_path / "someone_else.mp4")
    assert not window.review_tools.load_second_rater(str(other))
    assert "other.events.csv" in warnings[-1][1] and "no labels for interview.mp4" in warnings[-1][1]
    assert window.review_tools.rater_lane.plot is None and not window.review_tools.panel.isVisible()
    assert _state(window) == before


def _row(panel, text):
    rows = [i for i in range(panel.list.count()) if text in panel.list.item(i).text()]
    assert len(rows) == 1, [panel.list.item(i).text() for i in range(panel.list.count())]
    panel.list.setCurrentRow(rows[0])
    return rows[0]


@pytest.mark.parametrize("key, row_text, check", [
    (Qt.Key.Key_T, "ev0002 differs", lambda ev: ev["ev0002"][3:6] == (41, 46, 50) and ev["ev0002"][8] == "surprise"
     and len(ev) == 3),
    (Qt.Key.Key_T, "only theirs", lambda ev: len(ev) == 4 and any(e[3:6] == (200, 205, 210) and e[8] == "fear"
                                                                   for e in ev.values())),
    (Qt.Key.Key_T, "only mine", lambda ev: "ev0003" not in ev and len(ev) == 2),
    (Qt.Key.Key_U, "ev0002 differs", lambda ev: ev["ev0002"][3:6] == (40, 45, 50) and len(ev) == 3),
    (Qt.Key.Key_U, "only theirs", lambda ev: len(ev) == 3),
    (Qt.Key.Key_D, "ev0002 differs", lambda ev: "ev0002" not in ev and len(ev) == 2),
    (Qt.Key.Key_D, "only mine", lambda ev: "ev0003" not in ev and len(ev) == 2),
    (Qt.Key.Key_D, "only theirs", lambda ev: len(ev) == 3),
])
def test_each_decision_is_one_undo_step(window, qtbot, tmp_path, key, row_text, check):
    assert window.review_tools.load_second_rater(str(tmp_path / "rita.events.csv"))
    panel = window.review_tools.panel
    before, steps = _state(window), window.document.undo_stack.count()
    row = _row(panel, row_text)
    frame = panel.adjudicator.disagreements[row].frame
    assert window.current_frame == frame  # selecting a disagreement seeks to it
    qtbot.keyClick(window, key)
    events = {e.event_id: tuple(e.__dict__[f] for f in Event.__dataclass_fields__) for e in window.document.events()}
    assert check(events), events
    assert window.document.undo_stack.count() == steps + 1
    assert panel.list.count() == 2 and not any(row_text in panel.list.item(i).text() for i in range(2))
    assert window.store.events() == window.document.events()  # written through to the project
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _state(window) == before
    assert [e.extra for e in window.document.events()] == [e.extra for e in before[0]]
    assert panel.list.count() == 3


def test_taking_theirs_adds_their_event_as_mine_on_purpose(window, qtbot, tmp_path):
    assert window.review_tools.load_second_rater(str(tmp_path / "rita.events.csv"))
    _row(window.review_tools.panel, "only theirs")
    qtbot.keyClick(window, Qt.Key.Key_T)
    added = window.document.events()[-1]
    assert (added.event_id, added.video, added.status, added.annotator) == (
        "ev0004", window.store.video["path"], "accepted", "Rita")
    assert "taken from Rita" in added.notes
    assert window.review_tools.panel.list.count() == 2
