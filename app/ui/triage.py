"""Triage of the model's suggestions: a confidence threshold, the order in which Tab visits them,
the review queue ("n of N reviewed") and a blind mode. Pure view state: nothing is ever deleted.

- A *suggestion* is an event the model made (source "model"). The person's own labels (manual or
  imported) are always shown.
- Threshold: a suggestion still to decide (or rejected) whose confidence is below it is hidden from
  the timeline and the table; an accepted one stays (it is a label now). A suggestion without a
  confidence is never hidden by the threshold.
- Order: "confidence" visits the visible suggestions still to decide likeliest first; "time" by onset.
- Blind mode hides every suggestion and the model's curves while the person labels; switching it
  off shows them again for comparison.

The settings are stored per project in its view state (`triage_threshold`, `triage_order`, `blind`).
"""

from __future__ import annotations

from typing import Iterable, Optional

from PySide6.QtCore import QObject, Signal

from app.core.events import Event

ORDERS = ("confidence", "time")


def is_suggestion(event: Event) -> bool:
    return event.source == "model"


class Triage(QObject):
    changed = Signal()  # threshold, order or blind mode changed: redraw what is shown

    def __init__(self, parent: Optional[QObject] = None):
        super().__init__(parent)
        self.threshold = 0.0
        self.order = "confidence"
        self.blind = False
        self._store = None

    # -- settings (per project) ----------------------------------------------------------------------

    def attach(self, store) -> None:
        """Read the project's triage settings (defaults when it has none)."""
        self._store = store
        state = store.view_state()
        self.threshold = min(1.0, max(0.0, float(state.get("triage_threshold", 0.0))))
        self.order = state.get("triage_order", "confidence") if state.get("triage_order") in ORDERS else "confidence"
        self.blind = bool(state.get("blind", False))
        self.changed.emit()

    def detach(self) -> None:
        self._store = None

    def _set(self, **values) -> None:
        if self._store is not None:
            self._store.set_view_state(**values)
        self.changed.emit()

    def set_threshold(self, value: float) -> None:
        value = round(min(1.0, max(0.0, float(value))), 4)
        if value != self.threshold:
            self.threshold = value
            self._set(triage_threshold=value)

    def set_order(self, order: str) -> None:
        if order not in ORDERS:
            raise ValueError(f"order must be one of {ORDERS}, got {order!r}")
        if order != self.order:
            self.order = order
            self._set(triage_order=order)

    def set_blind(self, blind: bool) -> None:
        if bool(blind) != self.blind:
            self.blind = bool(blind)
            self._set(blind=self.blind)

    # -- what is shown ------------------------------------------------------------------------------

    def above_threshold(self, event: Event) -> bool:
        return event.confidence is None or event.confidence >= self.threshold

    def is_shown(self, event: Event) -> bool:
        if not is_suggestion(event):
            return True
        if self.blind:
            return False
        return event.status == "accepted" or self.above_threshold(event)

    def visible(self, events: Iterable[Event]) -> list[Event]:
        return [e for e in events if self.is_shown(e)]

    def queue(self, events: Iterable[Event]) -> tuple[int, int]:
        """(reviewed, total) over the suggestions at or above the threshold; reviewed = accepted or rejected."""
        above = [e for e in events if is_suggestion(e) and self.above_threshold(e)]
        return sum(e.status in ("accepted", "rejected") for e in above), len(above)

    def queue_text(self, events: Iterable[Event]) -> str:
        if self.blind:
            return "blind mode: suggestions hidden"
        reviewed, total = self.queue(events)
        return f"{reviewed} of {total} reviewed"

    # -- moving between suggestions ------------------------------------------------------------------

    def _key(self, event: Event) -> tuple:
        if self.order == "time":
            return (event.onset_frame, event.event_id)
        confidence = -1.0 if event.confidence is None else event.confidence
        return (-confidence, event.onset_frame, event.event_id)

    def next_suggestion(self, events: list[Event], selected: Optional[Event], frame: int,
                        step: int = 1) -> Optional[Event]:
        """The next (step > 0) or previous visible suggestion still to decide, in the chosen order,
        after/before the selected event (time order without a selection: after/before `frame`)."""
        pending = sorted((e for e in events if is_suggestion(e) and e.status == "suggested" and self.is_shown(e)),
                         key=self._key)
        if selected is not None and not is_suggestion(selected):
            selected = None  # from one of the person's own labels: the queue starts over
        if self.order == "time" and (selected is None or selected.onset_frame != frame):
            here = (frame, "\uffff") if step > 0 else (frame, "")
        elif selected is None:
            return (pending[0] if step > 0 else pending[-1]) if pending else None
        else:
            here = self._key(selected)
        if step > 0:
            later = [e for e in pending if self._key(e) > here]
            return later[0] if later else None
        earlier = [e for e in pending if self._key(e) < here]
        return earlier[-1] if earlier else None
