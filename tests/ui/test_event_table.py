"""The event table model drives real document edits (undoable, written through)."""

import pytest
from PySide6.QtCore import Qt

from app.core.events import Event
from app.core.project_store import ProjectStore
from app.ui.document import ProjectDocument
from app.ui.event_table import COLUMNS, EventTableModel

pytestmark = pytest.mark.gui
COL = {key: i for i, (_, key, _) in enumerate(COLUMNS)}


@pytest.fixture
def model(tmp_path, qapp):
    video = tmp_path / "v.mp4"
    video.write_bytes(b"video")
    store = ProjectStore.create(tmp_path / "p.tsfproj", video, "h", 30.0, 300)
    document = ProjectDocument(store)
    for i in range(3):
        document.add_event(Event(video="v.mp4", subject="s", event_id=f"ev{i}", onset_frame=10 * i,
                                 apex_frame=10 * i + 2, offset_frame=10 * i + 5, fps=30.0, status="suggested"))
    yield EventTableModel(document), document
    store.close()


def test_rows_show_events_with_derived_duration(model):
    table, _ = model
    assert table.rowCount() == 3 and table.columnCount() == len(COLUMNS)
    assert table.data(table.index(1, COL["onset_frame"])) == 10
    assert table.data(table.index(1, COL["duration_ms"])) == 200  # 6 frames at 30 fps


def test_edits_in_place_are_undoable(model, qtbot):
    table, document = model
    with qtbot.waitSignal(table.dataChanged):
        assert table.setData(table.index(0, COL["emotion"]), "surprise")
    assert table.setData(table.index(0, COL["apex_frame"]), "3")
    assert document.event_by_id("ev0").emotion == "surprise" and document.event_by_id("ev0").apex_frame == 3
    document.undo_stack.undo()
    document.undo_stack.undo()
    assert table.data(table.index(0, COL["emotion"])) == "others" and table.data(table.index(0, COL["apex_frame"])) == 2


def test_refused_edit_reports_why(model, qtbot):
    table, document = model
    with qtbot.waitSignal(table.editRefused) as refused:
        assert not table.setData(table.index(0, COL["onset_frame"]), "4")
    assert "ev0" in refused.args[0] and document.event_by_id("ev0").onset_frame == 0
    assert not table.flags(table.index(0, COL["event_id"])) & Qt.ItemFlag.ItemIsEditable


def test_rows_follow_document_inserts_and_removes(model):
    table, document = model
    document.remove_event("ev1")
    assert [table.event_id_at(r) for r in range(table.rowCount())] == ["ev0", "ev2"]
    document.undo_stack.undo()
    assert table.row_of("ev1") == 1
