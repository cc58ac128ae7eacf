"""The reviewer's main window: composition and actions only.

Truth lives in the project (ProjectDocument over a ProjectStore); frames come from the frame-exact
video core; views redraw on document signals. Work that takes time runs in worker threads.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import numpy as np
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QTableView,
)

from app.core.curves_export import export_curves_csv
from app.core.label_exchange import export_labels, labels_for_video

LABEL_FILTER = ("Training CSV (*.csv);;ELAN (*.eaf);;BORIS project (*.boris);;BORIS export (*.tsv);;"
                "MEGC spotting CSV, import (*.csv)")
from app.core.project_paths import project_path_for
from app.core.project_store import PROJECT_SUFFIX, ProjectError, ProjectStore
from app.face import FaceTrack
from app.face.align import warp_crop
from app.media import VideoError, content_hash, open_video
from app.ui.about import show_about
from app.ui.batch_dialog import BatchDialog
from app.ui.document import ProjectDocument
from app.ui.event_table import EventTableModel
from app.ui.jobs import FaceTrackWorker, ProbeWorker, start_in_thread
from app.ui.labeling import LabelingController
from app.ui.playback import SPEEDS, Playback
from app.ui.model_actions import ModelActions
from app.ui.review_tools import ReviewTools
from app.ui.timeline_view import TimelineView
from app.ui.video_view import FaceOverlay, VideoView

VIDEO_FILTER = "Videos and projects (*.mp4 *.mov *.avi *.mkv *.webm *.ts *.m4v *.mpg *.tsfproj);;All files (*)"
MAX_RECENT = 8
SHOWN_CURVES = ("p_onset", "p_apex", "p_offset", "motion")


class ReviewerWindow(QMainWindow):
    def __init__(self, settings: Optional[QSettings] = None):
        super().__init__()
        self.setWindowTitle("TSFmicro Studio")
        self.resize(1200, 860)
        self.setAcceptDrops(True)
        self.settings = settings or QSettings("TSFmicro", "TSFmicro Studio")
        self.video = None
        self.store: Optional[ProjectStore] = None
        self.document: Optional[ProjectDocument] = None
        self.labeling: Optional[LabelingController] = None
        self.face_track: Optional[FaceTrack] = None
        self.current_frame = -1
        self._face_thread = None
        self._face_worker: Optional[FaceTrackWorker] = None

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
        self._probe_thread = None
        self._probe_worker: Optional[ProbeWorker] = None
        self._pending_open = None  # (path, video, content hash, project path) while frames are counted
        self._pending_import: Optional[str] = None  # suggestions CSV to import once the open completes
        self.batch_dialog: Optional[BatchDialog] = None
        self._build_menus()

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
        self._action(file_menu, "&Open video or project…", self._on_open_triggered, QKeySequence.StandardKey.Open)
        self._action(file_menu, "Open frame &folder…", self._on_open_folder_triggered)
        self.recent_menu = file_menu.addMenu("Recent projects")
        self._refresh_recent_menu()
        file_menu.addSeparator()
        self._action(file_menu, "&Export labels to training CSV…", self._on_export_labels_triggered, "Ctrl+E")
        self._action(file_menu, "&Import labels from training CSV…", self._on_import_labels_triggered, "Ctrl+I")
        self._action(file_menu, "Export per-frame &curves CSV…", self._on_export_curves_triggered)
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
        self._action(label, "Accept", lambda: self._decide("accepted"), Qt.Key.Key_Return)
        self._action(label, "Reject", lambda: self._decide("rejected"), Qt.Key.Key_Backspace)
        self._action(label, "Next event", lambda: self._jump(+1), "N")
        self._action(label, "Previous event", lambda: self._jump(-1), "Shift+N")
        self._action(label, "Next suggestion", lambda: self._jump(+1, True), "Tab")
        self._action(label, "Delete event", lambda: self._with_labeling(lambda c: c.delete()), Qt.Key.Key_Delete)

        self.models.build_menu(bar)

        view = bar.addMenu("&View")
        self._action(view, "Face box", self._on_box_toggled, "B", checkable=True, checked=True)
        self._action(view, "Landmarks", self._on_landmarks_toggled, "M", checkable=True)
        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "About TSFmicro Studio", self._show_about)

    # -- opening ----------------------------------------------------------------------------------

    def open_path(self, path: str | os.PathLike) -> bool:
        """Open a video, a frame folder or a project; on failure show why and keep what is open.

        A video seen for the first time has its frames counted (a decode of the whole file: about
        40 s for an hour of video) in a worker thread; the project opens when that is done."""
        path = Path(path)
        try:
            if path.suffix == PROJECT_SUFFIX:
                store = ProjectStore.open(path)
                if store.video_is_missing() and not self._relink(store):
                    store.close()
                    return False
                video = open_video(store.video["path"], fps=store.video["fps"])
            else:
                video = open_video(path)
                digest = content_hash(path)
                project = project_path_for(path, digest)
                project.parent.mkdir(parents=True, exist_ok=True)
                if not project.exists():
                    info = video.probe()
                    if not info.frame_count_exact:
                        return self._count_frames_then_open(path, video, digest, project)
                    return self._finish_open(video, ProjectStore.create(project, path, digest, info.fps, info.n_frames))
                store = ProjectStore.open(project)
        except (VideoError, ProjectError, ValueError, OSError) as err:
            self.show_error(str(err))
            return False
        return self._finish_open(video, store)

    def _count_frames_then_open(self, path: Path, video, digest: str, project: Path) -> bool:
        if self._probe_worker is not None:
            self.show_error(f"{path}: still counting the frames of the previous video; try again in a moment")
            video.close()
            return False
        self._probe_worker = ProbeWorker(str(path))
        self._pending_open = (path, video, digest, project)
        self._probe_worker.finished.connect(self._on_frames_counted)
        self._probe_worker.errored.connect(self._on_frame_count_failed)
        self.job_label.setText(f"counting the frames of {path.name} (once per video)…")
        self.progress.setRange(0, 0)
        self.progress.show()
        self._probe_thread = start_in_thread(self._probe_worker, self, self._on_probe_thread_done)
        return True

    def _on_frames_counted(self, info) -> None:
        path, video, digest, project = self._pending_open
        try:
            store = ProjectStore.create(project, path, digest, info.fps, info.n_frames)
        except (ProjectError, OSError) as err:
            video.close()
            self.show_error(str(err))
            return
        self._finish_open(video, store)

    def _on_frame_count_failed(self, text: str) -> None:
        self._pending_open[1].close()
        self.show_error(text)

    def _on_probe_thread_done(self) -> None:
        self._probe_thread = self._probe_worker = None
        self.job_label.clear()
        self.progress.hide()

    def _finish_open(self, video, store: ProjectStore) -> bool:
        self._close_project()
        self.video, self.store = video, store
        self.document = ProjectDocument(store, self)
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
        self.models.attach()
        self.review.attach()
        stored, held = store.curve_names(), self.models.analysis.curves  # the model's curves are loaded once, there
        self.show_curves({name: held[name] if name in held else store.curve(name)
                          for name in (*SHOWN_CURVES, "analysed") if name in stored})
        self._on_events_changed()
        self.error_banner.hide()
        self.setWindowTitle(f"TSFmicro Studio — {Path(store.video['path']).name}")
        self._remember_recent(store.path)
        self.current_frame = -1
        self.show_frame(self.document.current_frame)
        self._load_or_track_faces()
        self._show_saved()
        if self._pending_import is not None:
            csv_path, self._pending_import = self._pending_import, None
            self.import_labels(csv_path)
        return True

    def _relink(self, store: ProjectStore) -> bool:
        old = store.video["path"]
        QMessageBox.information(self, "Where is the video?",
                                f"The video of this project is no longer at\n{old}\nPlease show where it is now.")
        new, _ = QFileDialog.getOpenFileName(self, f"Locate {Path(old).name}", "", VIDEO_FILTER)
        if not new:
            self.show_error(f"{store.path}: the video {old} was not found; the project was not opened")
            return False
        store.relink_video(new, content_hash(new))
        return True

    def _close_project(self) -> None:
        self._cancel_jobs()
        self.models.detach()
        self.review.detach()
        self.playback.stop()
        if self.video is not None:
            self.video.close()
        if self.store is not None:
            self.document.flush_view_state()
            self.store.close()
        self.video = self.store = self.document = self.labeling = self.face_track = None

    def _load_or_track_faces(self) -> None:
        data = self.store.face_track_bytes()
        if data is not None:
            self._on_face_track_ready(FaceTrack.from_npz_bytes(data, str(self.store.path)), store=False)
            return
        self._face_worker = FaceTrackWorker(self.store.video["path"], fps=self.store.video["fps"])
        self._face_worker.progress.connect(self._on_job_progress)
        self._face_worker.finished.connect(self._on_face_track_ready)
        self._face_worker.errored.connect(self.show_error)
        self.job_label.setText("tracking the face…")
        self.progress.setRange(0, self.document.n_frames)
        self.progress.show()
        self._face_thread = start_in_thread(self._face_worker, self, self._on_face_thread_done)

    def _on_face_track_ready(self, track: FaceTrack, store: bool = True) -> None:
        if self.store is None:
            return
        self.face_track = track
        if store:
            self.store.put_face_track(track.to_npz_bytes())
        self.timeline.set_quality(track.ok)
        self._redraw()

    def _on_face_thread_done(self) -> None:
        self._face_thread, self._face_worker = None, None
        self.progress.hide()
        self.job_label.clear()

    def _on_job_progress(self, done: int, total: int, fps: float) -> None:
        self.progress.setValue(done)
        eta = (total - done) / fps if fps > 0 else 0
        self.job_label.setText(f"tracking the face: {fps:.0f} fps, {eta:.0f} s left")

    def _cancel_jobs(self) -> None:
        if self._face_worker is not None:
            self._face_worker.cancel()
        if self._face_thread is not None:
            self._face_thread.quit()
            self._face_thread.wait(10000)

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
        event = self.labeling.next_event(self.current_frame, step, suggestions_only)
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
        if self.document is not None:
            self.timeline.set_events(self.document.events())

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
            self.timeline.set_events(self.document.events())

    def _on_timeline_apex_moved(self, event_id: str, frame: int) -> None:
        try:
            self.document.move_edge(event_id, "apex_frame", frame)
        except ValueError as err:
            self.show_error(str(err))
            self.timeline.set_events(self.document.events())

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
        try:
            export_labels(csv_path, self.document.events(), self.store.video["path"])
        except (OSError, ValueError) as err:
            self.show_error(f"{csv_path}: export failed: {err}")
            return False
        self.statusBar().showMessage(f"exported {len(self.document.events())} events to {csv_path}", 8000)
        return True

    def import_labels(self, csv_path: str | os.PathLike) -> Optional[str]:
        """Add the CSV's events for this video (one undo step); returns the summary shown."""
        try:
            events, report, elsewhere = labels_for_video(csv_path, self.store.video["path"])
        except (OSError, ValueError) as err:
            self.show_error(f"{csv_path}: import failed: {err}")
            return None
        added, skipped = self.document.add_events(events, f"import {Path(csv_path).name}")
        summary = (f"{Path(csv_path).name}: {added} events imported, {skipped} already here, "
                   f"{elsewhere} for other videos; {report.summary()}")
        if report.problems:
            QMessageBox.warning(self, "Some rows were not imported", summary)
        self.statusBar().showMessage(summary, 10000)
        return summary

    def _on_export_labels_triggered(self) -> None:
        if self.document is not None:
            default = str(Path(self.store.video["path"]).with_suffix(".events.csv"))
            path, _ = QFileDialog.getSaveFileName(self, "Export labels", default, LABEL_FILTER)
            if path:
                self.export_labels(path)

    def _on_import_labels_triggered(self) -> None:
        if self.document is not None:
            path, _ = QFileDialog.getOpenFileName(self, "Import labels", "", LABEL_FILTER + ";;All files (*)")
            if path:
                self.import_labels(path)

    def export_curves(self, csv_path: str | os.PathLike) -> bool:
        try:
            export_curves_csv(csv_path, self.store, self.face_track.ok if self.face_track is not None else None)
        except (OSError, ValueError) as err:
            self.show_error(f"{csv_path}: export failed: {err}")
            return False
        self.statusBar().showMessage(f"exported per-frame curves to {csv_path}", 8000)
        return True

    def _on_export_curves_triggered(self) -> None:
        if self.document is not None:
            default = str(Path(self.store.video["path"]).with_suffix(".frames.csv"))
            path, _ = QFileDialog.getSaveFileName(self, "Export per-frame curves", default, "CSV (*.csv)")
            if path:
                self.export_curves(path)

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

    def _remember_recent(self, path: Path) -> None:
        recent = [p for p in self.recent_projects() if p != str(path)]
        self.settings.setValue("recentProjects", [str(path)] + recent[: MAX_RECENT - 1])
        self._refresh_recent_menu()

    def recent_projects(self) -> list[str]:
        value = self.settings.value("recentProjects", [])
        return [value] if isinstance(value, str) else list(value or [])

    def _refresh_recent_menu(self) -> None:
        self.recent_menu.clear()
        for path in self.recent_projects():
            self._action(self.recent_menu, path, lambda p=path: self.open_path(p))
        self.recent_menu.setEnabled(bool(self.recent_projects()))

    def _on_open_triggered(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open video or project", "", VIDEO_FILTER)
        if path:
            self.open_path(path)

    def _on_open_folder_triggered(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open a folder of numbered frames")
        if path:
            self.open_path(path)

    def _show_about(self) -> None:
        show_about(self, self.models.model_card_text())

    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 (Qt override)
        urls = event.mimeData().urls()
        if urls:
            self.open_path(urls[0].toLocalFile())

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self._close_project()
        super().closeEvent(event)
