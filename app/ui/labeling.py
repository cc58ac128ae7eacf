"""Keyboard labelling: mark onset / apex / offset at the current frame to create an event, nudge
the selected event's edges, snap its apex to the curve's peak, accept or reject suggestions."""

from __future__ import annotations

from typing import Callable, Optional

import numpy as np
from PySide6.QtCore import QObject, Signal

from app.core.events import EDGES, EditRefused, Event
from app.ui.document import ProjectDocument


class LabelingController(QObject):
    message = Signal(str)
    selectionChanged = Signal(object)  # event id or None

    def __init__(self, document: ProjectDocument, subject: str, video: str,
                 curve: Callable[[str], Optional[np.ndarray]], annotator: str = ""):
        super().__init__()
        self._document, self._subject, self._video = document, subject, video
        self._curve = curve
        self.annotator = annotator
        self.marks: dict[str, int] = {}
        self.selected: Optional[str] = None
        self.edge = "apex_frame"

    # -- creating ----------------------------------------------------------------------------

    def mark(self, edge: str, frame: int) -> Optional[str]:
        """Remember an onset/apex/offset mark; with onset and offset marked, create the event
        (apex: the mark, else the peak of p_apex inside, else the middle). Returns its id."""
        if edge not in EDGES:
            raise ValueError(f"edge must be one of {EDGES}")
        self.marks[edge] = int(frame)
        if "onset_frame" not in self.marks or "offset_frame" not in self.marks:
            self.message.emit("marked " + ", ".join(f"{k.split('_')[0]} {v}" for k, v in sorted(self.marks.items())))
            return None
        onset, offset, apex = self.marks["onset_frame"], self.marks["offset_frame"], self.marks.get("apex_frame")
        self.marks.clear()
        return self.create(onset, offset, apex)

    def create(self, onset: int, offset: int, apex: Optional[int] = None) -> Optional[str]:
        """A new manual event (apex: given, else the peak of p_apex inside, else the middle)."""
        apex = self.peak_frame(onset, offset) if apex is None else apex
        event = Event(video=self._video, subject=self._subject, event_id=self._document.new_event_id(),
                      onset_frame=onset, apex_frame=apex, offset_frame=offset, fps=self._document.fps,
                      source="manual", status="accepted", annotator=self.annotator)
        try:
            self._document.add_event(event)
        except EditRefused as err:
            self.message.emit(f"not created: {err}")
            return None
        if event.event_id not in {e.event_id for e in self._document.events()}:
            return None  # the project could not save it (the document said why)
        self.select(event.event_id)
        self.message.emit(f"created {event.event_id}: {onset}–{offset}, apex {apex}")
        return event.event_id

    def peak_frame(self, onset: int, offset: int) -> int:
        """Frame of the highest p_apex (or motion) inside onset..offset; the middle if neither exists."""
        for name in ("p_apex", "motion"):
            curve = self._curve(name)
            if curve is not None and np.isfinite(curve[onset:offset + 1]).any():
                return onset + int(np.nanargmax(curve[onset:offset + 1]))
        return (onset + offset) // 2

    # -- editing the selected event --------------------------------------------------------------

    def select(self, event_id: Optional[str]) -> None:
        if event_id != self.selected:
            self.selected = event_id
            self.selectionChanged.emit(event_id)

    def choose_edge(self, edge: str) -> None:
        self.edge = edge
        self.message.emit(f"nudging the {edge.split('_')[0]}")

    def nudge(self, delta: int) -> None:
        self._edit(lambda eid: self._document.nudge_edge(eid, self.edge, delta))

    def snap_apex(self) -> None:
        def snap(eid: str) -> None:
            event = self._document.event_by_id(eid)
            self._document.move_edge(eid, "apex_frame", self.peak_frame(event.onset_frame, event.offset_frame))
        self._edit(snap)

    def set_status(self, status: str) -> None:
        self._edit(lambda eid: self._document.set_fields(eid, status=status))

    def delete(self) -> None:
        def remove(eid: str) -> None:
            self._document.remove_event(eid)
            self.select(None)
        self._edit(remove)

    def _edit(self, action: Callable[[str], None]) -> None:
        if self.selected is None:
            self.message.emit("select an event first (click it, or N for the next one)")
            return
        try:
            action(self.selected)
        except EditRefused as err:
            self.message.emit(str(err))

    # -- moving between events ---------------------------------------------------------------------

    def next_event(self, frame: int, step: int = 1, suggestions_only: bool = False) -> Optional[Event]:
        """The next (step=1) or previous (step=-1) event after/before `frame`, and select it."""
        events = [e for e in self._document.events() if not suggestions_only or e.status == "suggested"]
        events.sort(key=lambda e: e.onset_frame)
        candidates = [e for e in events if (e.onset_frame > frame if step > 0 else e.onset_frame < frame)]
        if not candidates:
            self.message.emit("no further " + ("suggestion" if suggestions_only else "event"))
            return None
        chosen = candidates[0] if step > 0 else candidates[-1]
        self.select(chosen.event_id)
        return chosen
