"""The reviewer's main window: composition and actions only.

Truth lives in the project (ProjectDocument over a ProjectStore); frames come from the frame-exact
video core; views redraw on document signals. Work that takes time runs in worker threads.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Optional

import numpy as np
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QLabel, QMainWindow, QProgressBar, QSplitter, QTableView

from app.core.project_store import ProjectStore
from app.face import FaceTrack
from app.face.align import warp_crop
from app.media import VideoError
from app.ui import first_run
from app.ui.about import show_about
from app.ui.batch_dialog import BatchDialog
from app.ui.document import ProjectDocument
from app.ui.event_table import EventTableModel
from app.ui.face_tracking import FaceTracking
from app.ui.label_files import LabelFiles
from app.ui.labeling import LabelingController
from app.ui.model_actions import ModelActions
from app.ui.opening import ProjectOpener
from app.ui.playback import SPEEDS, Playback
from app.ui.report_actions import ReportActions
from app.ui.review_tools import ReviewTools
from app.ui.shutdown import stop_all_jobs
from app.ui.timeline_view import TimelineView
from app.ui.toolbar import ReviewToolbar, find_action
from app.ui.triage import Triage
from app.ui.video_view import FaceOverlay, VideoView
from app.ui.video_watch import VideoWatch

SHOWN_CURVES = ("p_onset", "p_apex", "p_offset", "motion")


class ReviewerWindow(QMainWindow):
    def __init__(self, settings: Optional[QSettings] = None):
        super().__init__()
        self.setWindowTitle("TSFmicro Studio")
        self.setAcceptDrops(True)
        self.settings = settings or QSettings("TSFmicro", "TSFmicro Studio")
        first_run.restore_geometry(self)
        self.video = None
        self.store: Optional[ProjectStore] = None
        self.document: Optional[ProjectDocument] = None
        self.labeling: Optional[LabelingController] = None
        self.face_track: Optional[FaceTrack] = None
        self.current_frame = -1

        self.video_view = VideoView()
        self.timeline = TimelineView()
        self.table = QTableView()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.error_banner = QLabel()
        self.error_banner.setWordWrap(True)
        self.error_banner.setStyleSheet("background: #5a1d1d; color: white; padding: 6px;")
        self.error_banner.hide()
        self.review = ReviewTools(self)  # AU lanes, a second rater, the Disagreements dock
        splitter = QSplitter(Qt.Orientation.Vertical)
        for widget, stretch in ((self.error_banner, 0), (self.video_view, 5), (self.timeline, 3),
                                (self.review.au_lanes, 2), (self.table, 2)):
            splitter.addWidget(widget)
            splitter.setStretchFactor(splitter.indexOf(widget), stretch)
        self.setCentralWidget(splitter)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(260)
        self.progress.hide()
        self.job_label = QLabel()
        self.saved_label = QLabel()
        self.device_label = QLabel("model: none loaded")
        for widget in (self.job_label, self.progress, self.device_label, self.saved_label):
            self.statusBar().addPermanentWidget(widget)

        self._events_redraw = QTimer(self)
        self._events_redraw.setSingleShot(True)
        self._events_redraw.setInterval(0)
        self._events_redraw.timeout.connect(self._redraw_events)
        self.playback = Playback(self)
        self.playback.frameDue.connect(self.show_frame)
        self.playback.stateChanged.connect(self._on_playback_state_changed)
        self.timeline.seekRequested.connect(self.show_frame)
        self.timeline.eventSelected.connect(self._on_timeline_event_selected)
        self.timeline.intervalEdited.connect(self._on_timeline_interval_edited)
        self.timeline.apexMoved.connect(self._on_timeline_apex_moved)
        self.timeline.intervalDrawn.connect(self._on_timeline_interval_drawn)
        self.models = ModelActions(self)
        self.opener, self.faces, self.files = ProjectOpener(self), FaceTracking(self), LabelFiles(self)
        self.reports, self.video_watch, self.triage = ReportActions(self), VideoWatch(self), Triage(self)
        self.triage.changed.connect(self._on_triage_changed)
        self._pending_import: Optional[str] = None  # suggestions CSV to import once the open completes
        self.batch_dialog: Optional[BatchDialog] = None
        self._build_menus()
        self.toolbar = ReviewToolbar(self, self._toolbar_actions(), self.triage)
        self.addToolBar(self.toolbar)
        self.addToolBarBreak()
        self.addToolBar(self.toolbar.hint_bar)

    # -- menus and keys ---------------------------------------------------------------------------

    def _action(self, menu, text: str, slot, shortcut=None, checkable: bool = False, checked: bool = False) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if checkable:
            action.setCheckable(True)
            action.setChecked(checked)
            action.toggled.connect(slot)
        else:
            action.triggered.connect(lambda _=False: slot())
        (menu or self).addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.open_action = self._action(file_menu, "&Open video or project…", self.opener.on_open_triggered,
                                        QKeySequence.StandardKey.Open)
        self._action(file_menu, "Open frame &folder…", self.opener.on_open_folder_triggered)
        self.recent_menu = file_menu.addMenu("Recent projects")
        self.opener.refresh_menu()
        file_menu.addSeparator()
        self.export_action = self._action(file_menu, "&Export labels to training CSV…",
                                          self.files.on_export_labels_triggered, "Ctrl+E")
        self._action(file_menu, "&Import labels from training CSV…", self.files.on_import_labels_triggered, "Ctrl+I")
        self._action(file_menu, "Export per-frame &curves CSV…", self.files.on_export_curves_triggered)
        self.report_action = self._action(file_menu, "Export &report (HTML, then PDF)…",
                                          self.reports.on_export_report_triggered, "Ctrl+Shift+E")
        self.review.build_menu(file_menu)
        file_menu.addSeparator()
        self._action(file_menu, "&Batch score a folder of videos…", self.show_batch_dialog, "Ctrl+B")
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        edit_menu = bar.addMenu("&Edit")
        self.undo_action = self._action(edit_menu, "&Undo", self._undo, QKeySequence.StandardKey.Undo)
        self.redo_action = self._action(edit_menu, "&Redo", self._redo, QKeySequence.StandardKey.Redo)

        play = bar.addMenu("&Playback")
        self._action(play, "Play / pause", self.playback.toggle, Qt.Key.Key_Space)
        for key, name in (("j", "J: backwards (again: faster)"), ("k", "K: stop"), ("l", "L: forwards (again: faster)")):
            self._action(play, name, lambda k=key: self.playback.shuttle(k), key.upper())
        for text, delta, key in (("Back 1 frame", -1, Qt.Key.Key_Left), ("Forward 1 frame", 1, Qt.Key.Key_Right),
                                 ("Back 10 frames", -10, "Shift+Left"), ("Forward 10 frames", 10, "Shift+Right")):
            self._action(play, text, lambda d=delta: self.step(d), key)
        self._action(play, "Slower", lambda: self._change_speed(-1), "[")
        self._action(play, "Faster", lambda: self._change_speed(+1), "]")
        self.loop_action = self._action(play, "Loop the selected event", self._on_loop_toggled, "R", checkable=True)

        label = bar.addMenu("&Label")
        for text, edge, key in (("Mark onset here", "onset_frame", "I"), ("Mark apex here", "apex_frame", "A"),
                                ("Mark offset here (creates the event)", "offset_frame", "O")):
            self._action(label, text, lambda e=edge: self._with_labeling(lambda c: c.mark(e, self.current_frame)), key)
        label.addSeparator()
        for text, edge, key in (("Nudge onset", "onset_frame", "1"), ("Nudge apex", "apex_frame", "2"),
                                ("Nudge offset", "offset_frame", "3")):
            self._action(label, text, lambda e=edge: self._with_labeling(lambda c: c.choose_edge(e)), key)
        self._action(label, "Nudge −1 frame", lambda: self._with_labeling(lambda c: c.nudge(-1)), "Alt+Left")
        self._action(label, "Nudge +1 frame", lambda: self._with_labeling(lambda c: c.nudge(+1)), "Alt+Right")
        self._action(label, "Snap apex to the curve's peak", lambda: self._with_labeling(lambda c: c.snap_apex()), "P")
        label.addSeparator()
        self.accept_action = self._action(label, "Accept", lambda: self._decide("accepted"), Qt.Key.Key_Return)
        self.reject_action = self._action(label, "Reject", lambda: self._decide("rejected"), Qt.Key.Key_Backspace)
        self._action(label, "Next event", lambda: self._jump(+1), "N")
        self._action(label, "Previous event", lambda: self._jump(-1), "Shift+N")
        self.next_suggestion_action = self._action(label, "Next suggestion", lambda: self._jump(+1, True), "Tab")
        self.previous_suggestion_action = self._action(label, "Previous suggestion", lambda: self._jump(-1, True),
                                                       "Shift+Tab")
        self._action(label, "Delete event", lambda: self._with_labeling(lambda c: c.delete()), Qt.Key.Key_Delete)

        label.addSeparator()
        self.order_action = self._action(label, "Likeliest first", lambda on: self.triage.set_order(
            "confidence" if on else "time"), "Ctrl+Shift+L", checkable=True, checked=True)
        self.blind_action = self._action(label, "Blind mode (hide the model's suggestions and curves)",
                                         self.triage.set_blind, "Ctrl+Shift+B", checkable=True)

        self.models.build_menu(bar)
        analysis_menu = next(a.menu() for a in bar.actions() if a.text() == "&Analysis")
        self._action(analysis_menu, "Magnify selected event…", self.reports.magnify_selected, "Ctrl+Shift+M")

        view = bar.addMenu("&View")
        self._action(view, "Face box", self._on_box_toggled, "B", checkable=True, checked=True)
        self._action(view, "Landmarks", self._on_landmarks_toggled, "M", checkable=True)
        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "About TSFmicro Studio", self._show_about)

    def _toolbar_actions(self) -> dict[str, QAction]:
        return {"open": self.open_action, "analyse": find_action(self, "Ctrl+R"), "flow": find_action(self, "Ctrl+M"),
                "accept": self.accept_action, "reject": self.reject_action, "next_suggestion": self.next_suggestion_action,
                "previous_suggestion": self.previous_suggestion_action, "export": self.export_action,
                "report": self.report_action, "order": self.order_action, "blind": self.blind_action}

    # -- opening ----------------------------------------------------------------------------------

    def open_path(self, path: str | os.PathLike) -> bool:
        """Open a video, a frame folder or a project; on failure show why and keep what is open."""
        return self.opener.open_path(path)

    def recent_projects(self) -> list[str]:
        return self.opener.recent_projects()

    def _finish_open(self, video, store: ProjectStore) -> bool:
        self._close_project()
        self.video, self.store = video, store
        self.document = ProjectDocument(store, self)
        self.document.saveFailed.connect(self.show_error)
        self.labeling = LabelingController(self.document, subject=Path(store.video["path"]).stem,
                                           video=store.video["path"], curve=self.curve)
        self.labeling.message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self.labeling.selectionChanged.connect(self._on_selection_changed)
        self.model = EventTableModel(self.document)
        self.model.editRefused.connect(self.show_error)
        self.table.setModel(self.model)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_row_changed)
        for signal in (self.document.eventInserted, self.document.eventRemoved, self.document.eventChanged):
            signal.connect(self._on_events_changed)
        self.document.undo_stack.cleanChanged.connect(lambda _clean: self._show_saved())
        self.playback.configure(self.document.n_frames, self.document.fps)
        self.timeline.set_length(self.document.n_frames)
        self.triage.attach(store)
        self.models.attach()
        self.review.attach()
        stored, held = store.curve_names(), self.models.analysis.curves  # the model's curves are loaded once, there
        self.show_curves({name: held[name] if name in held else store.curve(name)
                          for name in (*SHOWN_CURVES, "analysed") if name in stored})
        self._on_events_changed()
        self.error_banner.hide()
        self.setWindowTitle(f"TSFmicro Studio — {Path(store.video['path']).name}")
        self.opener.remember(store.path)
        self.video_watch.watch(store.video["path"])
        self.current_frame = -1
        self.show_frame(self.document.current_frame)
        self.faces.load_or_track()
        self._show_saved()
        if self._pending_import is not None:
            csv_path, self._pending_import = self._pending_import, None
            self.import_labels(csv_path)
        first_run.analyse_demo_on_first_open(self)
        return True

    def _close_project(self) -> None:
        self.faces.cancel()
        self.models.detach()
        self.review.detach()
        self.triage.detach()
        self.video_watch.stop()
        self.playback.stop()
        if self.video is not None:
            self.video.close()
        if self.store is not None:
            self.document.flush_view_state()
            try:
                self.store.close()
            except sqlite3.Error as err:  # e.g. a full disk: the edits stay in the write-ahead log, replayed on open
                self.show_error(f"{self.store.path}: not closed cleanly ({err}); your edits are kept")
        self.video = self.store = self.document = self.labeling = self.face_track = None

    # -- frames -------------------------------------------------------------------------------------

    def show_frame(self, index: int) -> None:
        if self.document is None:
            return
        index = min(max(0, int(index)), self.document.n_frames - 1)
        if index == self.current_frame:
            return
        try:
            frame = self.video.read(index)
        except VideoError as err:
            self.playback.stop()
            self.show_error(str(err))
            return
        self.current_frame = index
        self.playback.seek(index)
        self.video_view.show_frame(frame, index, index / self.document.fps, self.document.n_frames, self._overlay(frame, index))
        self.timeline.set_playhead(index)
        self.document.set_current_frame(index)

    def _overlay(self, frame: np.ndarray, index: int) -> Optional[FaceOverlay]:
        track = self.face_track
        if track is None or index >= track.n_frames:
            return None
        if not track.found[index]:
            return FaceOverlay(ok=False)
        crop = warp_crop(frame, track.transforms[index], track.config.align.crop_size)
        return FaceOverlay(track.boxes[index], track.landmarks[index], crop, bool(track.ok[index]))

    def step(self, delta: int) -> None:
        self.playback.stop()
        self.show_frame(self.current_frame + delta)

    def curve(self, name: str) -> Optional[np.ndarray]:
        """A stored per-frame curve (p_onset, p_apex, p_offset, motion, ...) or None."""
        if self.store is None or name not in self.store.curve_names():
            return None
        return self.store.curve(name)

    # -- labels ------------------------------------------------------------------------------------

    def _with_labeling(self, action) -> None:
        if self.labeling is not None:
            action(self.labeling)

    def _decide(self, status: str) -> None:
        self._with_labeling(lambda c: c.set_status(status))
        if status in ("accepted", "rejected"):
            self._jump(+1, suggestions_only=True)

    def _jump(self, step: int, suggestions_only: bool = False) -> None:
        if self.labeling is None:
            return
        if suggestions_only:  # the visible suggestions still to decide, in the triage's order
            selected = self.document.event_by_id(self.labeling.selected) if self.labeling.selected else None
            event = self.triage.next_suggestion(self.document.events(), selected, self.current_frame, step)
            if event is None:
                self.statusBar().showMessage("no further suggestion to review", 6000)
                return
            self.labeling.select(event.event_id)
        else:
            event = self.labeling.next_event(self.current_frame, step)
        if event is not None:
            self.show_frame(event.onset_frame)

    def _on_events_changed(self, _event_id: str = "") -> None:
        self._events_redraw.start()  # once per event-loop turn: an import of N events is one redraw, not N
        if self.labeling is not None and self.labeling.selected is not None:
            if self.labeling.selected not in {e.event_id for e in self.document.events()}:
                self.labeling.select(None)
        self._update_loop()
        self._show_saved()

    def _redraw_events(self) -> None:
        """Show the events the triage lets through (the others are hidden, never deleted) and the queue."""
        if self.document is not None:
            events = self.document.events()
            self.timeline.set_events(self.triage.visible(events))
            for row, event in enumerate(events):
                self.table.setRowHidden(row, not self.triage.is_shown(event))
            self.toolbar.show_state(self.triage.queue_text(events))

    def _on_triage_changed(self) -> None:
        self.order_action.setChecked(self.triage.order == "confidence")
        self.blind_action.setChecked(self.triage.blind)
        self.timeline.set_curves_hidden(self.triage.blind)
        self._redraw_events()

    def _on_selection_changed(self, event_id: Optional[str]) -> None:
        self.timeline.select_event(event_id)
        if event_id is not None:
            row = self.model.row_of(event_id)
            if self.table.currentIndex().row() != row:
                self.table.selectRow(row)
        self._update_loop()

    def _on_table_row_changed(self, current, _previous) -> None:
        if current.isValid() and self.labeling is not None:
            event_id = self.model.event_id_at(current.row())
            self.labeling.select(event_id)
            self.show_frame(self.document.event_by_id(event_id).onset_frame)

    def _on_timeline_event_selected(self, event_id: str) -> None:
        self._with_labeling(lambda c: c.select(event_id))

    def _on_timeline_interval_edited(self, event_id: str, onset: int, offset: int) -> None:
        try:
            self.document.set_interval(event_id, onset, offset)
        except ValueError as err:
            self.show_error(str(err))
            self._redraw_events()

    def _on_timeline_apex_moved(self, event_id: str, frame: int) -> None:
        try:
            self.document.move_edge(event_id, "apex_frame", frame)
        except ValueError as err:
            self.show_error(str(err))
            self._redraw_events()

    def _on_timeline_interval_drawn(self, onset: int, offset: int) -> None:
        if self.labeling is not None:
            self.labeling.create(onset, offset)

    def _undo(self) -> None:
        if self.document is not None:
            self.document.undo_stack.undo()

    def _redo(self) -> None:
        if self.document is not None:
            self.document.undo_stack.redo()

    def export_labels(self, csv_path: str | os.PathLike) -> bool:
        return self.files.export_labels(csv_path)

    def import_labels(self, csv_path: str | os.PathLike) -> Optional[str]:
        """Add the file's events for this video (one undo step); returns the summary shown."""
        return self.files.import_labels(csv_path)

    def export_curves(self, csv_path: str | os.PathLike) -> bool:
        return self.files.export_curves(csv_path)

    def show_batch_dialog(self) -> BatchDialog:
        if self.batch_dialog is None:
            self.batch_dialog = BatchDialog(self)
            self.batch_dialog.openRequested.connect(self.open_with_suggestions)
        self.batch_dialog.show()
        self.batch_dialog.raise_()
        return self.batch_dialog

    def open_with_suggestions(self, video: str, events_csv: str) -> bool:
        """Open a scored video and import the batch's suggested events for it (one undo step)."""
        self._pending_import = events_csv
        opened = self.open_path(video)
        if not opened:
            self._pending_import = None
        return opened

    def show_curves(self, curves: dict) -> None:
        """Draw per-frame curves ("analysed" is the lane of frames the model saw)."""
        for name, values in curves.items():
            if name == "analysed":
                self.timeline.set_analysed(values)
            else:
                self.timeline.set_curve(name, values)

    # -- playback settings ---------------------------------------------------------------------------

    def _change_speed(self, direction: int) -> None:
        index = min(range(len(SPEEDS)), key=lambda i: abs(SPEEDS[i] - self.playback.speed))
        self.playback.set_speed(SPEEDS[min(max(0, index + direction), len(SPEEDS) - 1)])

    def _on_loop_toggled(self, _checked: bool) -> None:
        self._update_loop()

    def _update_loop(self) -> None:
        selected = self.labeling.selected if self.labeling is not None else None
        if self.loop_action.isChecked() and selected is not None:
            event = self.document.event_by_id(selected)
            margin = max(1, round(0.15 * self.document.fps))
            self.playback.set_loop((event.onset_frame - margin, event.offset_frame + margin))
        else:
            self.playback.set_loop(None)

    def _on_playback_state_changed(self, playing: bool, speed: float) -> None:
        self.statusBar().showMessage(f"{'playing' if playing else 'paused'} at {abs(speed):g}×"
                                     f"{' backwards' if speed < 0 else ''}", 3000)

    def _on_box_toggled(self, checked: bool) -> None:
        self.video_view.show_box = checked
        self._redraw()

    def _on_landmarks_toggled(self, checked: bool) -> None:
        self.video_view.show_landmarks = checked
        self._redraw()

    def _redraw(self) -> None:
        """Show the current frame again (e.g. with overlays switched on or off)."""
        if self.current_frame >= 0:
            frame, self.current_frame = self.current_frame, -1
            self.show_frame(frame)

    # -- messages, recent projects, drops, closing ---------------------------------------------------------

    def show_error(self, message: str) -> None:
        self.error_banner.setText(message)
        self.error_banner.show()
        self.statusBar().showMessage(message, 10000)

    def _show_saved(self) -> None:
        if self.store is not None:
            self.saved_label.setText(f"saved to {self.store.path.name}")

    def _show_about(self) -> None:
        show_about(self, self.models.model_card_text())

    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 (Qt override)
        """A label file (.csv, .eaf, .boris, .tsv) is imported into the open project; a video, folder or project opens."""
        self.files.dropped([url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()])

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        first_run.save_geometry(self)
        stop_all_jobs(self)
        self._close_project()
        super().closeEvent(event)
