"""ProjectDocument + undo commands: every edit is undoable, redoable, signalled and written through."""

import pytest

from app.core.events import Event
from app.core.project_store import ProjectStore
from app.ui.document import EditRefused, ProjectDocument

pytestmark = pytest.mark.gui


@pytest.fixture
def store_path(tmp_path):
    video = tmp_path / "v.mp4"
    video.write_bytes(b"video")
    path = tmp_path / "p.tsfproj"
    ProjectStore.create(path, video, "h", fps=30.0, n_frames=300).close()
    return path


@pytest.fixture
def document(store_path, qapp):
    store = ProjectStore.open(store_path)
    yield ProjectDocument(store)
    store.close()


def _event(event_id="ev0001", onset=100, apex=104, offset=110):
    return Event(video="v.mp4", subject="s1", event_id=event_id, onset_frame=onset, apex_frame=apex,
                 offset_frame=offset, fps=30.0)


def _saved(store_path):
    with ProjectStore.open(store_path) as store:
        return {e.event_id: e for e in store.events()}


def test_add_undo_redo_with_signals_and_write_through(document, store_path, qtbot):
    with qtbot.waitSignal(document.eventInserted) as inserted:
        document.add_event(_event())
    assert inserted.args == ["ev0001"] and "ev0001" in _saved(store_path)
    with qtbot.waitSignal(document.eventRemoved):
        document.undo_stack.undo()
    assert document.events() == [] and _saved(store_path) == {}
    with qtbot.waitSignal(document.eventInserted):
        document.undo_stack.redo()
    assert _saved(store_path)["ev0001"] == _event()


def test_consecutive_nudges_of_one_edge_merge_into_one_step(document, store_path, qtbot):
    document.add_event(_event())
    with qtbot.waitSignal(document.eventChanged):
        document.nudge_edge("ev0001", "apex_frame", +1)
    document.nudge_edge("ev0001", "apex_frame", +1)
    document.nudge_edge("ev0001", "apex_frame", +1)
    assert document.event_by_id("ev0001").apex_frame == 107 and _saved(store_path)["ev0001"].apex_frame == 107
    assert document.undo_stack.count() == 2  # add + one merged nudge
    document.undo_stack.undo()
    assert document.event_by_id("ev0001").apex_frame == 104 and _saved(store_path)["ev0001"].apex_frame == 104
    document.nudge_edge("ev0001", "onset_frame", -1)  # another edge: a separate step
    document.nudge_edge("ev0001", "offset_frame", +2)
    assert document.undo_stack.count() == 3  # add, onset, offset (the undone apex step was dropped)


def test_invalid_edits_are_refused_and_change_nothing(document, store_path):
    document.add_event(_event())
    with pytest.raises(EditRefused, match="onset ≤ apex"):
        document.move_edge("ev0001", "onset_frame", 105)
    with pytest.raises(EditRefused):
        document.move_edge("ev0001", "offset_frame", 300)
    with pytest.raises(EditRefused):
        document.add_event(_event("ev0002", onset=10, apex=5, offset=20))
    with pytest.raises(EditRefused, match="exists already"):
        document.add_event(_event())
    with pytest.raises(EditRefused, match="status"):
        document.set_fields("ev0001", status="maybe")
    assert document.event_by_id("ev0001") == _event() and document.undo_stack.count() == 1


def test_accept_and_attribute_edits_undo(document, store_path):
    document.add_event(_event())
    document.set_fields("ev0001", status="rejected", emotion="disgust", notes="-2 frames late")
    saved = _saved(store_path)["ev0001"]
    assert (saved.status, saved.emotion, saved.notes) == ("rejected", "disgust", "-2 frames late")
    document.undo_stack.undo()
    assert _saved(store_path)["ev0001"] == _event()
    document.set_fields("ev0001", emotion=_event().emotion)  # no change: no undo step
    assert document.undo_stack.count() == 2


def test_remove_restores_position_on_undo(document, store_path):
    for i in range(3):
        document.add_event(_event(f"ev{i}", onset=10 * i, apex=10 * i + 1, offset=10 * i + 2))
    document.remove_event("ev1")
    assert [e.event_id for e in document.events()] == ["ev0", "ev2"]
    document.undo_stack.undo()
    assert [e.event_id for e in document.events()] == ["ev0", "ev1", "ev2"]
    assert list(_saved(store_path)) == ["ev0", "ev1", "ev2"]


def test_current_frame_is_restored_on_reopen(store_path, qtbot):
    with ProjectStore.open(store_path) as store:
        document = ProjectDocument(store)
        with qtbot.waitSignal(document.currentFrameChanged):
            document.set_current_frame(123)
        document.set_current_frame(10_000)  # clamped to the last frame
        assert document.current_frame == 299
        qtbot.waitUntil(lambda: store.view_state().get("current_frame") == 299, timeout=3000)  # written when idle
    with ProjectStore.open(store_path) as store:
        assert ProjectDocument(store).current_frame == 299
