"""EventReview: the labelling glue of the open project. It keeps the timeline, the event table and the
labelling controller's selection in step, redraws the events the triage lets through (once per
event-loop turn, however many changed), turns timeline gestures into document edits, moves between
events and suggestions (accept / reject go on to the next suggestion), and loops the selected event."""

from __future__ import annotations

from typing import Callable, Optional

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QTableView

from app.ui.document import ProjectDocument
from app.ui.event_table import EventTableModel
from app.ui.frames import FrameDisplay
from app.ui.labeling import LabelingController
from app.ui.playback import Playback
from app.ui.timeline_view import TimelineView
from app.ui.triage import Triage

LOOP_MARGIN_S = 0.15  # shown before and after the looped event


class EventReview(QObject):
    message = Signal(str, int)  # text for the status bar, how long to show it (ms)
    failed = Signal(str)  # an edit that was refused
    queueChanged = Signal(str)  # the triage's review queue, e.g. "2 of 5 reviewed"
    eventsChanged = Signal()  # an event was added, removed or changed

    def __init__(self, frames: FrameDisplay, timeline: TimelineView, table: QTableView, triage: Triage,
                 playback: Playback, parent: Optional[QObject] = None):
        super().__init__(parent)
        self._frames, self._timeline, self._table = frames, timeline, table
        self._triage, self._playback = triage, playback
        self.document: Optional[ProjectDocument] = None
        self.labeling: Optional[LabelingController] = None
        self.table_model: Optional[EventTableModel] = None
        self._looping = False
        self._redraw = QTimer(self)
        self._redraw.setSingleShot(True)
        self._redraw.setInterval(0)
        self._redraw.timeout.connect(self.redraw_events)
        timeline.eventSelected.connect(lambda event_id: self.with_labeling(lambda c: c.select(event_id)))
        timeline.intervalEdited.connect(self._on_interval_edited)
        timeline.apexMoved.connect(self._on_apex_moved)
        timeline.intervalDrawn.connect(self._on_interval_drawn)
        triage.changed.connect(self.redraw_events)

    # -- project lifetime ------------------------------------------------------------------------------

    def attach(self, document: ProjectDocument, labeling: LabelingController, table_model: EventTableModel) -> None:
        self.document, self.labeling, self.table_model = document, labeling, table_model
        labeling.message.connect(lambda text: self.message.emit(text, 6000))
        labeling.selectionChanged.connect(self._on_selection_changed)
        table_model.editRefused.connect(self.failed.emit)
        self._table.setModel(table_model)
        self._table.selectionModel().currentRowChanged.connect(self._on_table_row_changed)
        for signal in (document.eventInserted, document.eventRemoved, document.eventChanged):
            signal.connect(self._on_events_changed)
        self._on_events_changed()

    def detach(self) -> None:
        self.document = self.labeling = self.table_model = None

    # -- labelling -------------------------------------------------------------------------------------

    def with_labeling(self, action: Callable[[LabelingController], object]) -> None:
        if self.labeling is not None:
            action(self.labeling)

    def decide(self, status: str) -> None:
        """Accept or reject the selected event, then go on to the next suggestion."""
        self.with_labeling(lambda c: c.set_status(status))
        if status in ("accepted", "rejected"):
            self.jump(+1, suggestions_only=True)

    def jump(self, step: int, suggestions_only: bool = False) -> None:
        if self.labeling is None:
            return
        if suggestions_only:  # the visible suggestions still to decide, in the triage's order
            selected = self.document.event_by_id(self.labeling.selected) if self.labeling.selected else None
            event = self._triage.next_suggestion(self.document.events(), selected, self._frames.current, step)
            if event is None:
                self.message.emit("no further suggestion to review", 6000)
                return
            self.labeling.select(event.event_id)
        else:
            event = self.labeling.next_event(self._frames.current, step)
        if event is not None:
            self._frames.show(event.onset_frame)

    # -- showing the events ----------------------------------------------------------------------------

    def _on_events_changed(self, _event_id: str = "") -> None:
        self._redraw.start()  # once per event-loop turn: an import of N events is one redraw, not N
        if self.labeling is not None and self.labeling.selected is not None:
            if self.labeling.selected not in {e.event_id for e in self.document.events()}:
                self.labeling.select(None)
        self._update_loop()
        self.eventsChanged.emit()

    def redraw_events(self) -> None:
        """Show the events the triage lets through (the others are hidden, never deleted) and the queue."""
        if self.document is not None:
            events = self.document.events()
            self._timeline.set_events(self._triage.visible(events))
            for row, event in enumerate(events):
                self._table.setRowHidden(row, not self._triage.is_shown(event))
            self.queueChanged.emit(self._triage.queue_text(events))

    def _on_selection_changed(self, event_id: Optional[str]) -> None:
        self._timeline.select_event(event_id)
        if event_id is not None:
            row = self.table_model.row_of(event_id)
            if self._table.currentIndex().row() != row:
                self._table.selectRow(row)
        self._update_loop()

    def _on_table_row_changed(self, current, _previous) -> None:
        if current.isValid() and self.labeling is not None:
            event_id = self.table_model.event_id_at(current.row())
            self.labeling.select(event_id)
            self._frames.show(self.document.event_by_id(event_id).onset_frame)

    # -- timeline gestures -----------------------------------------------------------------------------

    def _on_interval_edited(self, event_id: str, onset: int, offset: int) -> None:
        self._edit(lambda: self.document.set_interval(event_id, onset, offset))

    def _on_apex_moved(self, event_id: str, frame: int) -> None:
        self._edit(lambda: self.document.move_edge(event_id, "apex_frame", frame))

    def _edit(self, edit: Callable[[], None]) -> None:
        if self.document is None:
            return
        try:
            edit()
        except ValueError as err:
            self.failed.emit(str(err))
            self.redraw_events()  # the dragged shape goes back to the event as it is

    def _on_interval_drawn(self, onset: int, offset: int) -> None:
        self.with_labeling(lambda c: c.create(onset, offset))

    # -- looping the selected event ------------------------------------------------------------------

    def set_looping(self, on: bool) -> None:
        self._looping = bool(on)
        self._update_loop()

    def _update_loop(self) -> None:
        selected = self.labeling.selected if self.labeling is not None else None
        if self._looping and selected is not None:
            event = self.document.event_by_id(selected)
            margin = max(1, round(LOOP_MARGIN_S * self.document.fps))
            self._playback.set_loop((event.onset_frame - margin, event.offset_frame + margin))
        else:
            self._playback.set_loop(None)
