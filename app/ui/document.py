"""ProjectDocument: the one object views talk to. It owns the project store and the undo stack,
turns intents into undoable commands, and emits fine-grained signals after each change.

Views never edit events directly and never react to their own edits: they call an intent method
and redraw on the signal. Derived data (per-frame curves, the face track, provenance) is read and
stored through the document too, never through the store behind it: curves are held in memory once
read, and every stored curve is announced with `curvesChanged`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterable, Optional

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from app.core.events import EDGES, STATUSES, EditRefused, Event, check_event_frames
from app.core.project_store import ProjectError, ProjectStore
from app.face import FaceTrack
from app.ui.commands import AddEventCommand, RemoveEventCommand, SetFieldsCommand

__all__ = ["EditRefused", "ProjectDocument"]  # EditRefused (app.core.events) is re-exported for the views

VIEW_STATE_DELAY_MS = 1000
CURVES_SIGNAL_MS = 100  # a stream of curve chunks (an analysis) is announced at most 10 times a second


class ProjectDocument(QObject):
    eventInserted = Signal(str)
    eventRemoved = Signal(str)
    eventChanged = Signal(str)
    currentFrameChanged = Signal(int)
    saveFailed = Signal(str)  # an edit the project could not save (e.g. a full disk): it was not applied
    curvesChanged = Signal(dict)  # name -> the whole curve, for the curves stored since the last signal

    def __init__(self, store: ProjectStore, parent: Optional[QObject] = None):
        super().__init__(parent)
        self.store = store
        self.undo_stack = QUndoStack(self)
        self._events: dict[str, Event] = {e.event_id: e for e in store.events()}
        self._order: list[str] = [e.event_id for e in store.events()]
        self.n_frames = int(store.video["n_frames"])
        self.fps = float(store.video["fps"])
        self.current_frame = int(store.view_state().get("current_frame", 0))
        self._view_state_timer = QTimer(self)
        self._view_state_timer.setSingleShot(True)
        self._view_state_timer.setInterval(VIEW_STATE_DELAY_MS)
        self._view_state_timer.timeout.connect(self.flush_view_state)
        self._curves: dict[str, np.ndarray] = {}  # read once, then kept up to date by put_curves
        self._unannounced: dict[str, None] = {}  # curve names stored but not yet announced, in order
        self._curves_timer = QTimer(self)
        self._curves_timer.setSingleShot(True)
        self._curves_timer.setInterval(CURVES_SIGNAL_MS)
        self._curves_timer.timeout.connect(self.flush_curves)

    # -- reading -------------------------------------------------------------------------------

    def events(self) -> list[Event]:
        return [self._events[i] for i in self._order]

    def event_by_id(self, event_id: str) -> Event:
        return self._events[event_id]

    def new_event_id(self) -> str:
        n = len(self._order) + 1
        while f"ev{n:04d}" in self._events:
            n += 1
        return f"ev{n:04d}"

    # -- intents (undoable) ----------------------------------------------------------------------

    def add_event(self, event: Event) -> None:
        if event.event_id in self._events:
            raise EditRefused(f"an event with id {event.event_id!r} exists already")
        check_event_frames(event.onset_frame, event.apex_frame, event.offset_frame, self.n_frames)
        self.undo_stack.push(AddEventCommand(self, event))

    def add_events(self, events: list[Event], text: str) -> tuple[int, int]:
        """Add several events as ONE undo step (e.g. an import). An event identical to one already
        here is skipped; an id that is taken gets a new id. Returns (added, skipped)."""
        def present(event: Event) -> bool:
            return any(existing == replace(event, event_id=existing.event_id) for existing in self._events.values())

        new = [event for event in events if not present(event)]
        if new:
            self.undo_stack.beginMacro(text)
            try:
                for event in new:
                    if event.event_id in self._events:
                        event = replace(event, event_id=self.new_event_id())
                    self.add_event(event)
            finally:
                self.undo_stack.endMacro()
        return len(new), len(events) - len(new)

    def remove_event(self, event_id: str) -> None:
        self.undo_stack.push(RemoveEventCommand(self, event_id))

    def move_edge(self, event_id: str, edge: str, frame: int) -> None:
        """Set onset_frame, apex_frame or offset_frame; consecutive moves of one edge merge."""
        if edge not in EDGES:
            raise ValueError(f"edge must be one of {EDGES}, got {edge!r}")
        event = self.event_by_id(event_id)
        frames = {name: getattr(event, name) for name in EDGES}
        frames[edge] = int(frame)
        check_event_frames(frames["onset_frame"], frames["apex_frame"], frames["offset_frame"], self.n_frames)
        if getattr(event, edge) != frame:
            self.undo_stack.push(SetFieldsCommand(self, event_id, {edge: int(frame)},
                                                  f"move {edge.split('_')[0]} of {event_id}", mergeable=True))

    def set_interval(self, event_id: str, onset: int, offset: int) -> None:
        """A dragged interval, as one undo step. When both edges moved by the same amount the whole
        interval was dragged and the apex moves with it; the apex is kept inside the interval."""
        event = self.event_by_id(event_id)
        apex = event.apex_frame
        if onset - event.onset_frame == offset - event.offset_frame:
            apex += onset - event.onset_frame
        apex = min(max(apex, onset), offset)
        check_event_frames(onset, apex, offset, self.n_frames)
        after = {"onset_frame": int(onset), "apex_frame": int(apex), "offset_frame": int(offset)}
        after = {k: v for k, v in after.items() if getattr(event, k) != v}
        if after:
            self.undo_stack.push(SetFieldsCommand(self, event_id, after, f"move interval of {event_id}"))

    def nudge_edge(self, event_id: str, edge: str, delta: int) -> None:
        self.move_edge(event_id, edge, getattr(self.event_by_id(event_id), edge) + delta)

    def set_fields(self, event_id: str, **values: Any) -> None:
        """Change other fields (emotion, action_units, notes, kind, status, ...) in one step."""
        if "status" in values and values["status"] not in STATUSES:
            raise EditRefused(f"status must be one of {STATUSES}, got {values['status']!r}")
        if set(values) & set(EDGES):
            raise ValueError("use move_edge for frame numbers")
        current = self.event_by_id(event_id)
        changed = {k: v for k, v in values.items() if getattr(current, k) != v}
        if changed:
            self.undo_stack.push(SetFieldsCommand(self, event_id, changed, f"edit {', '.join(changed)} of {event_id}"))

    def set_current_frame(self, frame: int) -> None:
        """View state: not undoable. It is written to the project a second after the last change
        (and by `flush_view_state`), not on every frame shown: playback would fsync 30 times a second."""
        frame = min(max(0, int(frame)), self.n_frames - 1)
        if frame != self.current_frame:
            self.current_frame = frame
            self._view_state_timer.start()
            self.currentFrameChanged.emit(frame)

    def flush_view_state(self) -> None:
        self._view_state_timer.stop()
        if self.store.view_state().get("current_frame") != self.current_frame:
            try:
                self.store.set_view_state(current_frame=self.current_frame)
            except ProjectError as err:  # only the frame to reopen at is lost
                self.saveFailed.emit(str(err))

    # -- derived data: per-frame curves, the face track, provenance ----------------------------------

    def curve_names(self) -> list[str]:
        return self.store.curve_names()

    def curve(self, name: str) -> Optional[np.ndarray]:
        """A stored per-frame curve (p_onset, p_apex, p_offset, motion, analysed, au:<column>, ...) or None.
        (n_frames,) or (n_frames, k) float32, NaN where nothing was stored. Callers must not modify it."""
        if name not in self._curves:
            if name not in self.store.curve_names():
                return None
            self._curves[name] = self.store.curve(name)
        return self._curves[name]

    def put_curves(self, start: int, values: dict[str, np.ndarray], *, announce_later: bool = False) -> None:
        """Store curves for frames start.. in ONE transaction, then announce them with `curvesChanged`:
        at once, or with `announce_later` at most every CURVES_SIGNAL_MS (for a stream of chunks;
        `flush_curves` announces what is left)."""
        self.store.put_curve_chunks(start, values)
        for name, column in values.items():
            held = self._curves.get(name)
            column = np.asarray(column, np.float32)
            if held is not None and held.shape[1:] == column.shape[1:] and start + len(column) <= len(held):
                held[start:start + len(column)] = column
            else:
                self._curves.pop(name, None)  # read again from the project when next asked for
            self._unannounced[name] = None
        if not announce_later:
            self.flush_curves()
        elif not self._curves_timer.isActive():
            self._curves_timer.start()

    def flush_curves(self) -> None:
        """Announce the curves stored since the last `curvesChanged`, if any."""
        self._curves_timer.stop()
        names, self._unannounced = list(self._unannounced), {}
        if names:
            self.curvesChanged.emit({name: self.curve(name) for name in names})

    def remove_curves(self, names: Iterable[str]) -> None:
        names = list(names)
        self.store.remove_curves(names)
        for name in names:
            self._curves.pop(name, None)
            self._unannounced.pop(name, None)

    def face_track(self) -> Optional[FaceTrack]:
        """The face track stored with the project, or None when the video has not been tracked yet."""
        data = self.store.face_track_bytes()
        return None if data is None else FaceTrack.from_npz_bytes(data, str(self.store.path))

    def put_face_track(self, track: FaceTrack) -> None:
        self.store.put_face_track(track.to_npz_bytes())

    def provenance(self) -> dict:
        """What made the derived data (e.g. "analysis": the model's description and mode)."""
        return self.store.provenance()

    def set_provenance(self, values: dict) -> None:
        self.store.set_provenance(values)

    # -- write-through steps (the undo commands' API: not undoable themselves) -----------------------

    def apply_insert(self, event: Event, position: Optional[int]) -> None:
        position = len(self._order) if position is None else position
        self.store.add_event(event, position)
        self._events[event.event_id] = event
        self._order.insert(position, event.event_id)
        self.eventInserted.emit(event.event_id)

    def apply_remove(self, event_id: str) -> int:
        position = self.store.remove_event(event_id)
        del self._events[event_id]
        self._order.remove(event_id)
        self.eventRemoved.emit(event_id)
        return position

    def apply_fields(self, event_id: str, values: dict[str, Any]) -> None:
        event = replace(self._events[event_id], **values)
        self.store.replace_event(event)
        self._events[event_id] = event
        self.eventChanged.emit(event_id)

    def report_save_failure(self, message: str) -> None:
        self.saveFailed.emit(message)
