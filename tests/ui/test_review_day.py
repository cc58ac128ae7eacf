"""The reviewer for a working day: the toolbar (the menus' own actions, icons, tooltips naming the
keys), triage of suggestions by confidence (timeline and table obey it, nothing is deleted), the
review order and queue, blind mode, the bundled demo analysed on first open, the remembered geometry,
File > Export report and Analysis > Magnify."""

import shutil

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QToolBar

from app.core.events import Event
from app.ui import first_run
from app.ui.main_window import ReviewerWindow

pytestmark = pytest.mark.gui


def _opened(make_window, qtbot, path, face_pipeline=None):
    window = make_window(face_pipeline)
    assert window.open_path(path)
    qtbot.waitUntil(lambda: window.document is not None, timeout=30000)
    return window


def _suggest(window, *specs):
    """Model suggestions (onset, confidence[, status]) plus the person's own label at frame 270."""
    events = [Event(video=window.store.video["path"], subject="interview", event_id=f"model-{onset}",
                    onset_frame=onset, apex_frame=onset + 3, offset_frame=onset + 8, fps=30.0, source="model",
                    status=rest[0] if rest else "suggested", confidence=confidence)
              for onset, confidence, *rest in specs]
    events.append(Event(video=window.store.video["path"], subject="interview", event_id="mine", onset_frame=270,
                        apex_frame=272, offset_frame=275, fps=30.0, confidence=0.01))
    window.document.add_events(events, "suggestions")


def _shown(window):
    window.events.redraw_events()
    on_timeline = set(window.timeline._events)
    model = window.event_table_model
    in_table = {model.event_id_at(r) for r in range(model.rowCount()) if not window.table.isRowHidden(r)}
    assert on_timeline == in_table
    return on_timeline


def test_toolbar_reuses_the_menu_actions_with_icons_and_shortcut_tooltips(make_window):
    window = make_window()
    bar = window.findChild(QToolBar, "reviewToolbar")
    assert bar is not None and bar.isVisible()
    actions = {a.iconText(): a for a in bar.actions() if a.iconText()}
    expected = {"Open": "Ctrl+O", "Analyse": "Ctrl+R", "Flow spotter": "Ctrl+M", "Accept": "Return",
                "Reject": "Backspace", "Previous": "Shift+Tab", "Next": "Tab", "Export": "Ctrl+E",
                "Report": "Ctrl+Shift+E"}
    for text, keys in expected.items():
        action = actions[text]
        assert not action.icon().isNull(), text
        assert keys in action.toolTip(), (text, action.toolTip())
        assert action in window.menuBar().findChildren(type(action)) or any(
            action in menu.actions() for menu in window.menuBar().findChildren(type(window.menus.recent_menu))), text
    assert actions["Analyse"].toolTip().startswith("Analyse")
    assert "Tab: next suggestion" in window.toolbar.hint.text() and window.toolbar.hint.isVisible()


def test_threshold_hides_suggestions_in_timeline_and_table_and_is_remembered(make_window, qtbot, demo_copy,
                                                                             fake_face_tracker):
    window = _opened(make_window, qtbot, demo_copy, fake_face_tracker)
    _suggest(window, (40, 0.9), (120, 0.3), (200, 0.6), (150, 0.1, "accepted"), (230, 0.2, "rejected"))
    assert _shown(window) == {"model-40", "model-120", "model-200", "model-150", "model-230", "mine"}
    window.toolbar.threshold.setValue(0.5)
    assert _shown(window) == {"model-40", "model-200", "model-150", "mine"}  # accepted ones and mine stay
    assert len(window.document.events()) == 6  # hidden, never deleted
    assert window.toolbar.queue.text() == "0 of 2 reviewed"
    project = window.store.path
    window.close()
    again = make_window(fake_face_tracker)
    assert again.open_path(project)
    assert again.triage.threshold == 0.5 and again.toolbar.threshold.value() == 0.5
    assert _shown(again) == {"model-40", "model-200", "model-150", "mine"}


def test_review_queue_likeliest_first_or_in_time_order(make_window, qtbot, demo_copy, fake_face_tracker):
    window = _opened(make_window, qtbot, demo_copy, fake_face_tracker)
    _suggest(window, (40, 0.5), (120, 0.9), (200, 0.7), (250, 0.2))
    window.toolbar.threshold.setValue(0.4)
    window.show_frame(0)
    assert window.toolbar.queue.text() == "0 of 3 reviewed"
    qtbot.keyClick(window, Qt.Key.Key_Tab)
    assert window.labeling.selected == "model-120" and window.current_frame == 120  # the likeliest first
    qtbot.keyClick(window, Qt.Key.Key_Return)  # accept, on to the next likeliest
    assert window.labeling.selected == "model-200"
    qtbot.keyClick(window, Qt.Key.Key_Backspace)
    assert window.labeling.selected == "model-40"
    qtbot.waitUntil(lambda: window.toolbar.queue.text() == "2 of 3 reviewed")
    qtbot.keyClick(window, Qt.Key.Key_Tab)
    assert window.labeling.selected == "model-40"  # model-250 is below the threshold: not visited
    window.document.undo_stack.undo()  # model-200 to decide again
    window.menus.order_action.trigger()  # time order
    assert window.triage.order == "time"
    window.labeling.select(None)
    window.show_frame(0)
    qtbot.keyClick(window, Qt.Key.Key_Tab)
    assert window.labeling.selected == "model-40"
    qtbot.keyClick(window, Qt.Key.Key_Tab)
    assert window.labeling.selected == "model-200"
    qtbot.keyClick(window, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)  # previous suggestion
    assert window.labeling.selected == "model-40"
    assert window.store.view_state()["triage_order"] == "time"


def test_blind_mode_hides_suggestions_and_curves_then_reveals_them(make_window, qtbot, demo_copy, fake_face_tracker):
    window = _opened(make_window, qtbot, demo_copy, fake_face_tracker)
    _suggest(window, (40, 0.9), (120, 0.3))
    motion = np.linspace(0, 1, window.document.n_frames, dtype=np.float32)
    window.store.put_curve_chunks(0, {"motion": motion})
    window.show_curves({"motion": motion})
    window.menus.blind_action.trigger()
    assert _shown(window) == {"mine"} and window.timeline.curves_visible() == []
    assert "blind" in window.toolbar.queue.text()
    window.show_frame(0)
    qtbot.keyClick(window, Qt.Key.Key_Tab)
    assert window.labeling.selected is None  # no suggestion to visit while blind
    project = window.store.path
    window.close()
    again = make_window(fake_face_tracker)
    assert again.open_path(project)
    assert again.triage.blind and again.menus.blind_action.isChecked() and _shown(again) == {"mine"}
    assert again.timeline.curves_visible() == []
    again.menus.blind_action.trigger()  # reveal for comparison
    assert _shown(again) == {"model-40", "model-120", "mine"} and again.timeline.curves_visible() == ["motion"]


def test_the_bundled_demo_is_analysed_on_first_open_only(make_window, qtbot, demo_copy, monkeypatch, fake_face_tracker):
    monkeypatch.setattr(first_run, "demo_video_path", lambda: demo_copy)
    window = make_window(fake_face_tracker)
    started = []
    monkeypatch.setattr(window.model_actions, "run_motion_spotter",
                        lambda method="learned": started.append(method) or True)
    assert window.open_path(demo_copy)
    qtbot.waitUntil(lambda: window.document is not None, timeout=30000)
    assert started == ["learned"]
    window.store.put_curve_chunks(0, {"motion": np.zeros(window.document.n_frames, np.float32)})
    project = window.store.path
    window.close()
    again = make_window(fake_face_tracker)
    monkeypatch.setattr(again.model_actions, "run_motion_spotter",
                        lambda method="learned": started.append(method) or True)
    assert again.open_path(project)
    assert started == ["learned"]  # analysed already: not again
    other = demo_copy.parent / "other.mp4"
    shutil.copy(demo_copy, other)
    assert not first_run.is_bundled_demo(str(other))


def test_window_uses_the_screen_and_remembers_its_geometry(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "geometry.ini"), QSettings.Format.IniFormat)
    window = ReviewerWindow(settings)
    qtbot.addWidget(window)
    available = window.screen().availableGeometry()
    assert window.width() >= 0.85 * available.width() and window.height() >= 0.85 * available.height()
    window.show()
    window.resize(700, 530)  # (at least the window's minimum size)
    size = (window.width(), window.height())
    assert size != (int(0.9 * available.width()), int(0.9 * available.height()))
    window.close()
    again = ReviewerWindow(settings)
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == size


def test_export_report_html_and_pdf(make_window, qtbot, demo_copy, tmp_path, fake_face_tracker):
    window = _opened(make_window, qtbot, demo_copy, fake_face_tracker)
    _suggest(window, (40, 0.9))
    html, pdf = tmp_path / "report.html", tmp_path / "report.pdf"
    assert window.report_actions.export_report(html, pdf)
    assert "model-40" in html.read_text(encoding="utf-8") and pdf.read_bytes().startswith(b"%PDF")


def test_magnify_the_selected_event(make_window, qtbot, demo_copy, fake_face_tracker):
    window = _opened(make_window, qtbot, demo_copy, fake_face_tracker)
    _suggest(window, (140, 0.9))
    assert window.report_actions.magnify_selected() is None  # nothing selected: a hint, no dialog
    window.labeling.select("model-140")
    dialog = window.report_actions.magnify_selected()
    assert dialog is not None and dialog.isVisible() and "model-140" in dialog.windowTitle()
    dialog.close()
