"""The reviewer's menu bar: File, Edit, Playback, Label, Analysis, View, Help. Each item calls a part of
the window (they are handed in; this module does not know the window). The actions the toolbar shows
too, and those whose state others set, are kept as attributes of `MainMenus`.

Shortcuts work anywhere in the window (Qt.WindowShortcut); undo and redo are the undo group's own
actions, so they are greyed out when there is nothing to undo or redo and name the step."""

from __future__ import annotations

from typing import Callable, Optional

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoGroup
from PySide6.QtWidgets import QMainWindow, QMenu

from app.ui.toolbar import find_action


def add_action(parent: QObject, menu: Optional[QMenu], text: str, slot: Callable, shortcut=None,
               checkable: bool = False, checked: bool = False) -> QAction:
    """A menu item (or, with no menu, an action of `parent` only) calling `slot`: with no argument, or
    with the new state when `checkable`."""
    action = QAction(text, parent)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    if checkable:
        action.setCheckable(True)
        action.setChecked(checked)
        action.toggled.connect(slot)
    else:
        action.triggered.connect(lambda _=False: slot())
    (menu if menu is not None else parent).addAction(action)
    return action


class MainMenus:
    def __init__(self, window: QMainWindow, *, opener, label_files, report_actions, review_tools, model_actions,
                 playback, frames, events, triage, undo_group: QUndoGroup,
                 show_batch_dialog: Callable, show_about: Callable):
        self._window = window
        bar = window.menuBar()

        def item(menu, text, slot, shortcut=None, **kwargs) -> QAction:
            return add_action(window, menu, text, slot, shortcut, **kwargs)

        file_menu = bar.addMenu("&File")
        self.open_action = item(file_menu, "&Open video or project…", opener.on_open_triggered,
                                QKeySequence.StandardKey.Open)
        item(file_menu, "Open frame &folder…", opener.on_open_folder_triggered)
        self.recent_menu = file_menu.addMenu("Recent projects")
        opener.set_recent_menu(self.recent_menu)
        file_menu.addSeparator()
        self.export_action = item(file_menu, "&Export labels to training CSV…",
                                  label_files.on_export_labels_triggered, "Ctrl+E")
        item(file_menu, "&Import labels from training CSV…", label_files.on_import_labels_triggered, "Ctrl+I")
        item(file_menu, "Export per-frame &curves CSV…", label_files.on_export_curves_triggered)
        self.report_action = item(file_menu, "Export &report (HTML, then PDF)…",
                                  report_actions.on_export_report_triggered, "Ctrl+Shift+E")
        review_tools.build_menu(file_menu)
        file_menu.addSeparator()
        item(file_menu, "&Batch score a folder of videos…", show_batch_dialog, "Ctrl+B")
        file_menu.addSeparator()
        item(file_menu, "&Quit", window.close, QKeySequence.StandardKey.Quit)

        edit_menu = bar.addMenu("&Edit")
        self.undo_action = undo_group.createUndoAction(window, "&Undo")
        self.redo_action = undo_group.createRedoAction(window, "&Redo")
        for action, keys in ((self.undo_action, QKeySequence.StandardKey.Undo),
                             (self.redo_action, QKeySequence.StandardKey.Redo)):
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            edit_menu.addAction(action)

        play = bar.addMenu("&Playback")
        item(play, "Play / pause", playback.toggle, Qt.Key.Key_Space)
        for key, name in (("j", "J: backwards (again: faster)"), ("k", "K: stop"),
                          ("l", "L: forwards (again: faster)")):
            item(play, name, lambda k=key: playback.shuttle(k), key.upper())
        for text, delta, key in (("Back 1 frame", -1, Qt.Key.Key_Left), ("Forward 1 frame", 1, Qt.Key.Key_Right),
                                 ("Back 10 frames", -10, "Shift+Left"), ("Forward 10 frames", 10, "Shift+Right")):
            item(play, text, lambda d=delta: frames.step(d), key)
        item(play, "Slower", lambda: playback.change_speed(-1), "[")
        item(play, "Faster", lambda: playback.change_speed(+1), "]")
        self.loop_action = item(play, "Loop the selected event", events.set_looping, "R", checkable=True)

        label = bar.addMenu("&Label")
        for text, edge, key in (("Mark onset here", "onset_frame", "I"), ("Mark apex here", "apex_frame", "A"),
                                ("Mark offset here (creates the event)", "offset_frame", "O")):
            item(label, text, lambda e=edge: events.with_labeling(lambda c: c.mark(e, frames.current)), key)
        label.addSeparator()
        for text, edge, key in (("Nudge onset", "onset_frame", "1"), ("Nudge apex", "apex_frame", "2"),
                                ("Nudge offset", "offset_frame", "3")):
            item(label, text, lambda e=edge: events.with_labeling(lambda c: c.choose_edge(e)), key)
        item(label, "Nudge −1 frame", lambda: events.with_labeling(lambda c: c.nudge(-1)), "Alt+Left")
        item(label, "Nudge +1 frame", lambda: events.with_labeling(lambda c: c.nudge(+1)), "Alt+Right")
        item(label, "Snap apex to the curve's peak", lambda: events.with_labeling(lambda c: c.snap_apex()), "P")
        label.addSeparator()
        self.accept_action = item(label, "Accept", lambda: events.decide("accepted"), Qt.Key.Key_Return)
        self.reject_action = item(label, "Reject", lambda: events.decide("rejected"), Qt.Key.Key_Backspace)
        item(label, "Next event", lambda: events.jump(+1), "N")
        item(label, "Previous event", lambda: events.jump(-1), "Shift+N")
        self.next_suggestion_action = item(label, "Next suggestion", lambda: events.jump(+1, True), "Tab")
        self.previous_suggestion_action = item(label, "Previous suggestion", lambda: events.jump(-1, True),
                                               "Shift+Tab")
        item(label, "Delete event", lambda: events.with_labeling(lambda c: c.delete()), Qt.Key.Key_Delete)
        label.addSeparator()
        self.order_action = item(label, "Likeliest first", lambda on: triage.set_order("confidence" if on else "time"),
                                 "Ctrl+Shift+L", checkable=True, checked=True)
        self.blind_action = item(label, "Blind mode (hide the model's suggestions and curves)", triage.set_blind,
                                 "Ctrl+Shift+B", checkable=True)

        model_actions.build_menu(bar)
        item(model_actions.menu, "Magnify selected event…", report_actions.magnify_selected, "Ctrl+Shift+M")

        view = bar.addMenu("&View")
        item(view, "Face box", frames.show_box, "B", checkable=True, checked=True)
        item(view, "Landmarks", frames.show_landmarks, "M", checkable=True)
        help_menu = bar.addMenu("&Help")
        item(help_menu, "About TSFmicro Studio", show_about)

    def show_triage(self, triage) -> None:
        """Check the order and blind-mode items as the triage is set (e.g. for the project just opened)."""
        self.order_action.setChecked(triage.order == "confidence")
        self.blind_action.setChecked(triage.blind)

    def toolbar_actions(self) -> dict[str, QAction]:
        return {"open": self.open_action, "analyse": find_action(self._window, "Ctrl+R"),
                "flow": find_action(self._window, "Ctrl+M"), "accept": self.accept_action,
                "reject": self.reject_action, "next_suggestion": self.next_suggestion_action,
                "previous_suggestion": self.previous_suggestion_action, "export": self.export_action,
                "report": self.report_action, "order": self.order_action, "blind": self.blind_action}
