"""The reviewer's tools for labels that travel: AU lanes from OpenFace / py-feat / iMotions exports
(File > Import AU track…) and a second rater's labels (File > Load second rater's labels…), shown as a
read-only lane and adjudicated in the Disagreements dock. One instance per window; `attach(document)`
and `detach()` follow the open project. It needs the main window only as a Qt main window (its status
bar, a dock, dialogs' parent). The AU lanes are stored with the project; the second rater is
loaded for the session only (load the file again after reopening)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QMessageBox

from app.core.events import Event
from app.core.label_exchange import labels_for_video
from app.ui.adjudication import Adjudicator
from app.ui.adjudication_panel import AdjudicationPanel
from app.ui.au_import import AuTrackImport
from app.ui.document import ProjectDocument
from app.ui.event_review import EventReview
from app.ui.frames import FrameDisplay
from app.ui.lanes import AuLanesView, RaterLane
from app.ui.menus import add_action
from app.ui.timeline_view import TimelineView

RATER_FILTER = ("Labels (*.csv *.eaf *.boris *.tsv);;Training CSV (*.csv);;ELAN (*.eaf);;BORIS project (*.boris);;"
                "BORIS export (*.tsv);;MEGC spotting CSV (*.csv);;All files (*)")


class ReviewTools(QObject):
    def __init__(self, window: QMainWindow, timeline: TimelineView, frames: FrameDisplay, events: EventReview):
        """`window`: the main window, for its status bar, the Disagreements dock and dialogs; `timeline`: where
        the lanes line up; `frames`: the frame on screen; `events`: the person's labelling (a disagreement
        selects their event)."""
        super().__init__(window)
        self._window = window
        self._document: Optional[ProjectDocument] = None
        self.au_lanes = AuLanesView(timeline)
        self.au_status = QLabel()
        self.au_status.setMaximumWidth(480)
        window.statusBar().addPermanentWidget(self.au_status)
        self.au = AuTrackImport(window, self.au_lanes, self.au_status, frames)
        self.rater_lane = RaterLane(timeline)
        self.panel = AdjudicationPanel(window, frames, events)
        self.rater: Optional[str] = None
        self.rater_events: list[Event] = []

    def build_menu(self, file_menu) -> None:
        add_action(self._window, file_menu, "Import &AU track…", self.au.on_menu)
        add_action(self._window, file_menu, "Load &second rater's labels…", self._on_load_rater_triggered)
        self.panel.toggleViewAction().setText("Disagreements with the second rater")
        file_menu.addAction(self.panel.toggleViewAction())

    # -- project lifetime ----------------------------------------------------------------------------

    def attach(self, document: ProjectDocument) -> None:
        self._document = document
        document.currentFrameChanged.connect(self._on_frame)
        self.au.attach(document)

    def detach(self) -> None:
        self.panel.set_adjudicator(None)
        self.rater_lane.clear()
        self.au.detach()
        self.rater, self.rater_events = None, []
        self._document = None

    def _on_frame(self, frame: int) -> None:
        self.au_lanes.set_playhead(frame)
        self.rater_lane.set_playhead(frame)

    # -- the second rater ----------------------------------------------------------------------------

    def _on_load_rater_triggered(self) -> None:
        if self._document is not None:
            path, _ = QFileDialog.getOpenFileName(self._window, "Load the second rater's labels", "", RATER_FILTER)
            if path:
                self.load_second_rater(path)

    def load_second_rater(self, path: str) -> bool:
        """Show another rater's labels of this video read-only and list the disagreements; the
        person's labels are not touched. A file that cannot be used gives a message naming it."""
        w, document = self._window, self._document
        if document is None:
            return False
        try:
            events, report, elsewhere = labels_for_video(path, document.store.video["path"])
        except (OSError, ValueError, KeyError, IndexError) as err:
            text = str(err) if str(path) in str(err) else f"{path}: cannot be read ({type(err).__name__}: {err})"
            QMessageBox.warning(w, "Second rater's labels not loaded", text)
            return False
        shown = [e for e in events if e.status != "rejected"]
        if not shown:
            QMessageBox.warning(w, "Second rater's labels not loaded",
                                f"{path}: no labels for {Path(document.store.video['path']).name} "
                                f"({elsewhere} for other videos; {report.summary()})")
            return False
        if report.problems:
            QMessageBox.warning(w, "Some of the second rater's rows were not read", f"{path}: {report.summary()}")
        annotators = {e.annotator for e in shown}
        self.rater = annotators.pop() if len(annotators) == 1 and "" not in annotators else Path(path).stem
        self.rater_events = shown
        self.rater_lane.show(self.rater, shown)
        self.panel.set_adjudicator(Adjudicator(document, self.rater, shown, self))
        self.panel.adjudicator.message.connect(lambda text: w.statusBar().showMessage(text, 8000))
        w.statusBar().showMessage(f"second rater {self.rater}: {len(shown)} events from {Path(path).name} "
                                  f"(read-only; your labels are unchanged)", 10000)
        return True
