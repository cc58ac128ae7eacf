"""Timeline: curves, quality lane, events, playhead and the overview/detail link, driven through
the items' own signals (what a mouse drag ends with)."""

import numpy as np
import pytest

from app.core.events import Event
from app.ui.timeline_view import TimelineView

pytestmark = pytest.mark.gui


@pytest.fixture
def timeline(qtbot):
    view = TimelineView()
    qtbot.addWidget(view)
    view.resize(900, 300)
    view.show()
    view.set_length(3000, visible_frames=300)
    return view


def _event(event_id, onset, apex, offset, status="suggested"):
    return Event(video="v", subject="s", event_id=event_id, onset_frame=onset, apex_frame=apex,
                 offset_frame=offset, fps=30.0, status=status)


def test_curves_with_gaps_and_quality_lane(timeline):
    p = np.linspace(0, 1, 3000, dtype=np.float32)
    p[1000:1100] = np.nan  # not analysed / no face: a gap, not a fake value
    timeline.set_curve("p_apex", p)
    timeline.set_curve("p_onset", 1 - p)
    timeline.set_quality(np.isfinite(p))
    assert timeline.curve_names() == ["p_apex", "p_onset"]
    detail_item = timeline._curves["p_apex"][0]
    x, y = detail_item.getOriginalDataset()
    assert len(x) == 3000 and np.isnan(y[1050])
    timeline.set_curve("p_apex", np.zeros(3000, np.float32))  # live update reuses the item
    assert len(timeline.detail.listDataItems()) == 3


def test_events_and_selected_interval_drag_commits_once(timeline, qtbot):
    events = [_event("a", 10, 12, 20), _event("b", 40, 44, 52, "accepted"), _event("c", 70, 71, 75, "rejected")]
    timeline.set_events(events)
    assert timeline.event_region("b") == (40, 53)
    timeline.select_event("b")
    region = timeline._events["b"][0]
    assert region.movable and not timeline._events["a"][0].movable
    region.setRegion((42, 56))
    with qtbot.waitSignal(timeline.intervalEdited) as edited:
        region.sigRegionChangeFinished.emit(region)
    assert edited.args == ["b", 42, 55]


def test_playhead_follows_playback_and_dragging_it_seeks(timeline, qtbot):
    timeline.set_playhead(1200)
    low, high = timeline.detail.viewRange()[0]
    assert low <= 1200.5 <= high  # the detail view scrolled to the playhead
    timeline.playhead.setValue(250.7)
    with qtbot.waitSignal(timeline.seekRequested) as seek:
        timeline.playhead.sigPositionChangeFinished.emit(timeline.playhead)
    assert seek.args == [250]


def test_overview_window_moves_the_detail_view(timeline):
    timeline.window.setRegion((1500, 1800))
    low, high = timeline.detail.viewRange()[0]
    assert (round(low), round(high)) == (1500, 1800)
    timeline.detail.setXRange(100, 200, padding=0)
    assert tuple(round(v) for v in timeline.window.getRegion()) == (100, 200)


def _send_mouse(widget, kind, point, buttons, modifiers):
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    button = Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton
    event = QMouseEvent(kind, QPointF(point), QPointF(widget.mapToGlobal(point)), button, buttons, modifiers)
    QApplication.sendEvent(widget, event)


def test_shift_drag_draws_a_new_interval(timeline, qtbot):
    from PySide6.QtCore import QEvent, QPointF, Qt

    view, viewport = timeline._layout_widget, timeline._layout_widget.viewport()

    def at(frame):
        return view.mapFromScene(timeline.detail.vb.mapViewToScene(QPointF(frame, 0.5)))

    shift, left = Qt.KeyboardModifier.ShiftModifier, Qt.MouseButton.LeftButton
    with qtbot.waitSignal(timeline.intervalDrawn) as drawn:
        _send_mouse(viewport, QEvent.Type.MouseButtonPress, at(100), left, shift)
        for frame in (104, 110, 116, 120):
            _send_mouse(viewport, QEvent.Type.MouseMove, at(frame), left, shift)
        _send_mouse(viewport, QEvent.Type.MouseButtonRelease, at(120), Qt.MouseButton.NoButton, shift)
    onset, offset = drawn.args
    assert abs(onset - 100) <= 1 and abs(offset - 119) <= 1


def test_plain_drag_pans_instead(timeline, qtbot):
    from PySide6.QtCore import QEvent, QPointF, Qt

    view, viewport = timeline._layout_widget, timeline._layout_widget.viewport()

    def at(frame):
        return view.mapFromScene(timeline.detail.vb.mapViewToScene(QPointF(frame, 0.5)))

    left = Qt.MouseButton.LeftButton
    low_before = timeline.detail.viewRange()[0][0]
    drawn = []
    timeline.intervalDrawn.connect(lambda *args: drawn.append(args))
    _send_mouse(viewport, QEvent.Type.MouseButtonPress, at(150), left, Qt.KeyboardModifier.NoModifier)
    for frame in (140, 130, 120):
        _send_mouse(viewport, QEvent.Type.MouseMove, at(frame), left, Qt.KeyboardModifier.NoModifier)
    _send_mouse(viewport, QEvent.Type.MouseButtonRelease, at(120), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    assert timeline.detail.viewRange()[0][0] > low_before and drawn == []


def test_selected_apex_can_be_dragged(timeline, qtbot):
    timeline.set_events([_event("a", 10, 12, 20), _event("b", 40, 44, 52)])
    timeline.select_event("a")
    apex = timeline._events["a"][1]
    assert apex.movable and not timeline._events["b"][1].movable
    apex.setValue(15.6)
    with qtbot.waitSignal(timeline.apexMoved) as moved:
        apex.sigPositionChangeFinished.emit(apex)
    assert moved.args == ["a", 15]


def test_selection_restyles_without_rebuilding(timeline):
    timeline.set_events([_event("a", 10, 12, 20, "accepted"), _event("b", 40, 44, 52, "rejected")])
    items = dict(timeline._events)
    timeline.select_event("b")
    timeline.select_event("a")
    assert timeline._events == items  # the same items, restyled
    region_b = timeline._events["b"][0]
    assert not region_b.movable and region_b.brush.color().getRgb() == (150, 150, 150, 40)  # rejected again
    assert timeline._events["a"][0].brush.color().getRgb() == (30, 120, 255, 70)  # selected
