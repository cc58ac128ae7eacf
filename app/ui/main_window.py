"""The reviewer's main window: it makes the parts and wires them together, and nothing else.

Truth lives in the project (ProjectDocument over a ProjectStore); frames come from the frame-exact
video core; views redraw on document signals. The parts:

- jobs (JobRunner): every worker thread and child process, and their progress in the status bar;
- opener (ProjectOpener): open a video, folder or project, count a new video's frames, relink, recent files;
- frames (FrameDisplay): the frame on screen with its face overlay; face_tracking (FaceTracking);
- events (EventReview): selection, the timeline's edits, accept/reject and moving between suggestions;
- model_actions (the Analysis menu), label_files, report_actions, review_tools, triage, video_watch;
- menus (MainMenus) and toolbar (ReviewToolbar), over the same actions.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QUndoGroup
from PySide6.QtWidgets import QAbstractItemView, QLabel, QMainWindow, QSplitter, QTableView

from app.core.project_store import ProjectStore
from app.ui import first_run
from app.ui.about import show_about
from app.ui.batch_dialog import BatchDialog
from app.ui.document import ProjectDocument
from app.ui.event_review import EventReview
from app.ui.event_table import EventTableModel
from app.ui.face_tracking import FaceTracking
from app.ui.frames import FrameDisplay
from app.ui.job_runner import JobRunner
from app.ui.jobs import FacePipelineFactory
from app.ui.label_files import LabelFiles
from app.ui.labeling import LabelingController
from app.ui.menus import MainMenus
from app.ui.model_actions import ModelActions
from app.ui.opening import ProjectOpener
from app.ui.playback import Playback
from app.ui.report_actions import ReportActions
from app.ui.review_tools import ReviewTools
from app.ui.timeline_view import PHASE_CURVES, TimelineView
from app.ui.toolbar import ReviewToolbar
from app.ui.triage import Triage
from app.ui.video_view import VideoView
from app.ui.video_watch import VideoWatch

SHOWN_CURVES = (*PHASE_CURVES, "motion")  # on the timeline, with the "analysed" lane


class ReviewerWindow(QMainWindow):
    def __init__(self, settings: Optional[QSettings] = None, *, face_pipeline: Optional[FacePipelineFactory] = None):
        """`face_pipeline(config, fps)`: the face pipeline that tracks a newly opened video (default: dlib's)."""
        super().__init__()
        self.setWindowTitle("TSFmicro Studio")
        self.setAcceptDrops(True)
        self.settings = settings or QSettings("TSFmicro", "TSFmicro Studio")
        first_run.restore_geometry(self, self.settings)
        self.document: Optional[ProjectDocument] = None
        self.batch_dialog: Optional[BatchDialog] = None
        self._pending_import: Optional[str] = None  # suggestions CSV to import once the open completes

        self.video_view, self.timeline, self.table = VideoView(), TimelineView(), QTableView()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.error_banner = QLabel()
        self.error_banner.setWordWrap(True)
        self.error_banner.setStyleSheet("background: #5a1d1d; color: white; padding: 6px;")
        self.error_banner.hide()
        self.playback = Playback(self)
        self.frames = FrameDisplay(self.video_view, self.timeline, self.playback, self)
        self.triage = Triage(self)
        self.events = EventReview(self.frames, self.timeline, self.table, self.triage, self.playback, self)
        # AU lanes, a second rater, the Disagreements dock
        self.review_tools = ReviewTools(self, self.timeline, self.frames, self.events)
        splitter = QSplitter(Qt.Orientation.Vertical)
        for widget, stretch in ((self.error_banner, 0), (self.video_view, 5), (self.timeline, 3),
                                (self.review_tools.au_lanes, 2), (self.table, 2)):
            splitter.addWidget(widget)
            splitter.setStretchFactor(splitter.indexOf(widget), stretch)
        self.setCentralWidget(splitter)
        self.jobs = JobRunner(self)
        self.saved_label, self.device_label = QLabel(), QLabel("model: none loaded")
        for widget in (self.jobs.label, self.jobs.progress, self.device_label, self.saved_label):
            self.statusBar().addPermanentWidget(widget)

        self.undo_group = QUndoGroup(self)
        self.opener = ProjectOpener(self, self.jobs, self.settings, self._finish_open)
        self.face_tracking = FaceTracking(self.jobs, face_pipeline, self)
        self.model_actions = ModelActions(self, self.jobs)
        self.label_files, self.report_actions = LabelFiles(self, self.frames), ReportActions(self)
        self.video_watch = VideoWatch(self)
        self.menus = MainMenus(self, opener=self.opener, label_files=self.label_files,
                               report_actions=self.report_actions, review_tools=self.review_tools,
                               model_actions=self.model_actions, playback=self.playback, frames=self.frames,
                               events=self.events, triage=self.triage, undo_group=self.undo_group,
                               show_batch_dialog=self.show_batch_dialog, show_about=self._show_about)
        self.toolbar = ReviewToolbar(self, self.menus.toolbar_actions(), self.triage)
        self.addToolBar(self.toolbar)
        self.addToolBarBreak()
        self.addToolBar(self.toolbar.hint_bar)
        self._wire()

    def _wire(self) -> None:
        status = self.statusBar()
        for part in (self.opener, self.frames, self.face_tracking, self.model_actions, self.events, self.label_files,
                     self.report_actions):
            part.failed.connect(self.show_error)
        for part in (self.model_actions, self.events, self.label_files, self.report_actions):
            part.message.connect(status.showMessage)
        self.label_files.openRequested.connect(self.open_path)
        self.playback.stateChanged.connect(lambda playing, speed: status.showMessage(
            f"{'playing' if playing else 'paused'} at {abs(speed):g}×{' backwards' if speed < 0 else ''}", 3000))
        self.face_tracking.trackReady.connect(self.frames.set_face_track)
        self.video_watch.videoMissing.connect(self.playback.stop)
        self.video_watch.videoMissing.connect(self.show_error)
        self.model_actions.warned.connect(self.show_error)
        self.model_actions.modelDescribed.connect(self.device_label.setText)
        self.events.queueChanged.connect(self.toolbar.show_state)
        self.events.eventsChanged.connect(self._show_saved)
        self.triage.changed.connect(lambda: self.menus.show_triage(self.triage))
        self.triage.changed.connect(lambda: self.timeline.set_curves_hidden(self.triage.blind))

    # -- what is open -----------------------------------------------------------------------------

    @property
    def store(self) -> Optional[ProjectStore]:
        return self.document.store if self.document is not None else None

    @property
    def labeling(self) -> Optional[LabelingController]:
        return self.events.labeling

    @property
    def event_table_model(self) -> Optional[EventTableModel]:
        return self.events.table_model

    @property
    def face_track(self):
        return self.frames.face_track

    @property
    def current_frame(self) -> int:
        return self.frames.current

    def show_frame(self, index: int) -> None:
        self.frames.show(index)

    def open_path(self, path: str | os.PathLike) -> bool:
        """Open a video, a frame folder or a project; on failure show why and keep what is open."""
        return self.opener.open_path(path)

    def recent_projects(self) -> list[str]:
        return self.opener.recent_projects()

    # -- opening and closing a project ---------------------------------------------------------------

    def _finish_open(self, video, store: ProjectStore) -> None:
        self._close_project()
        video_path = store.video["path"]
        document = self.document = ProjectDocument(store, self)
        document.saveFailed.connect(self.show_error)
        document.curvesChanged.connect(self.show_curves)
        document.undo_stack.cleanChanged.connect(lambda _clean: self._show_saved())
        self.undo_group.addStack(document.undo_stack)
        self.undo_group.setActiveStack(document.undo_stack)
        labeling = LabelingController(document, subject=Path(video_path).stem, video=video_path, curve=document.curve)
        self.events.attach(document, labeling, EventTableModel(document))
        self.label_files.attach(document)
        self.report_actions.attach(document, labeling)
        self.playback.configure(document.n_frames, document.fps)
        self.timeline.set_length(document.n_frames)
        self.triage.attach(store)
        self.model_actions.attach(document, video_path)
        self.review_tools.attach(document)
        self.show_curves({name: document.curve(name) for name in (*SHOWN_CURVES, "analysed")
                          if name in document.curve_names()})
        self.error_banner.hide()
        self.setWindowTitle(f"TSFmicro Studio — {Path(video_path).name}")
        self.opener.remember(store.path)
        self.video_watch.watch(video_path, str(store.path))
        self.frames.attach(video, document)
        self.face_tracking.load_or_track(document, video_path)
        self._show_saved()
        if self._pending_import is not None:
            csv_path, self._pending_import = self._pending_import, None
            self.label_files.import_labels(csv_path)
        first_run.analyse_demo_on_first_open(document, self.model_actions.run_motion_spotter,
                                             self.statusBar().showMessage)

    def _close_project(self) -> None:
        self.jobs.stop_project_jobs()  # tracking, analysis, spotter, training: nothing writes to it any more
        for part in (self.face_tracking, self.model_actions, self.review_tools, self.triage, self.events,
                     self.label_files, self.report_actions):
            part.detach()
        self.video_watch.stop()
        self.playback.stop()
        self.frames.detach()
        if self.document is not None:
            self.undo_group.removeStack(self.document.undo_stack)
            self.document.flush_view_state()
            try:
                self.store.close()
            except sqlite3.Error as err:  # e.g. a full disk: the edits stay in the write-ahead log, replayed on open
                self.show_error(f"{self.store.path}: not closed cleanly ({err}); your edits are kept")
        self.document = None

    def show_curves(self, curves: dict) -> None:
        """Draw per-frame curves of the timeline ("analysed" is the lane of frames the model saw); others
        (AU lanes, p_none) are not drawn there."""
        for name, values in curves.items():
            if name == "analysed":
                self.timeline.set_analysed(values)
            elif name in SHOWN_CURVES:
                self.timeline.set_curve(name, values)

    # -- batch scoring ----------------------------------------------------------------------------------

    def show_batch_dialog(self) -> BatchDialog:
        if self.batch_dialog is None:
            self.batch_dialog = BatchDialog(self, jobs=self.jobs)
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

    # -- messages, drops, closing --------------------------------------------------------------------

    def show_error(self, message: str) -> None:
        self.error_banner.setText(message)
        self.error_banner.show()
        self.statusBar().showMessage(message, 10000)

    def _show_saved(self) -> None:
        if self.store is not None:
            self.saved_label.setText(f"saved to {self.store.path.name}")

    def _show_about(self) -> None:
        show_about(self, self.model_actions.model_card_text())

    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 (Qt override)
        """A label file (.csv, .eaf, .boris, .tsv) is imported into the open project; a video, folder or
        project opens."""
        self.label_files.dropped([url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()])

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        first_run.save_geometry(self, self.settings)
        self.jobs.stop_all()  # every thread and child process, waited for
        self._close_project()
        super().closeEvent(event)
