"""Adjudicating the person's labels against a second rater's, one disagreement at a time.

The disagreements come from `app.analysis.agreement` (IoU ≥ 0.5, one-to-one, within a kind;
rejected events left out): events only one of the two has, and matched pairs whose onset, apex,
offset or emotion differ. Three decisions, each ONE step on the document's undo stack:

- keep mine: the person's labels stay as they are; the disagreement is set aside;
- take theirs: the person's labels become the second rater's here (their event added, or copied
  onto the matched event of the person, or the person's event removed when they have none);
- drop: no event here: the person's event (if any) is removed and theirs set aside.

The second rater's events are never added except by "take theirs".
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand

from app.analysis.agreement import Agreement, agreement
from app.core.events import EditRefused, Event, check_event_frames
from app.ui.commands import SetFieldsCommand
from app.ui.document import ProjectDocument

COMPARED = ("onset_frame", "apex_frame", "offset_frame", "emotion")
TAKEN = ("onset_frame", "apex_frame", "offset_frame", "kind", "emotion")
DECISIONS = {"keep": "keep mine", "take": "take theirs", "drop": "drop"}


@dataclass(frozen=True)
class Disagreement:
    mine: Optional[Event]
    theirs: Optional[Event]
    differs: tuple[str, ...] = ()  # fields of COMPARED that differ (matched pairs only)

    @property
    def key(self) -> tuple:
        return (self.mine.event_id if self.mine else None, self.theirs)

    @property
    def frame(self) -> int:
        return (self.mine or self.theirs).onset_frame

    def describe(self) -> str:
        def span(e: Event) -> str:
            return f"{e.kind} {e.onset_frame}–{e.apex_frame}–{e.offset_frame} {e.emotion}"
        if self.theirs is None:
            return f"only mine: {self.mine.event_id} {span(self.mine)}"
        if self.mine is None:
            return f"only theirs: {span(self.theirs)}"
        parts = ", ".join(f"{f.split('_')[0]} {getattr(self.mine, f)}→{getattr(self.theirs, f)}" for f in self.differs)
        return f"{self.mine.event_id} differs: {parts}"


def find_disagreements(mine: list[Event], theirs: list[Event]) -> tuple[list[Disagreement], Agreement]:
    """The disagreements (in frame order) and the agreement figures of the two raters."""
    result = agreement({"mine": mine, "theirs": theirs})
    pair = result.pairs[0]
    found = [Disagreement(a, None) for a in pair.only_a] + [Disagreement(None, b) for b in pair.only_b]
    for a, b, _iou in pair.hits:
        differs = tuple(f for f in COMPARED if getattr(a, f) != getattr(b, f))
        if differs:
            found.append(Disagreement(a, b, differs))
    found.sort(key=lambda d: (d.frame, d.mine is None))
    return found, result


class SetAsideCommand(QUndoCommand):
    """Set a disagreement aside (no label changes); undo brings it back to the list."""

    def __init__(self, adjudicator: "Adjudicator", key: tuple, text: str):
        super().__init__(text)
        self._adjudicator, self._key = adjudicator, key

    def redo(self) -> None:
        self._adjudicator.set_aside.add(self._key)

    def undo(self) -> None:
        self._adjudicator.set_aside.discard(self._key)


class Adjudicator(QObject):
    """The second rater's events for the open project, the open disagreements and the decisions."""

    changed = Signal()
    message = Signal(str)

    def __init__(self, document: ProjectDocument, rater: str, theirs: list[Event], parent: Optional[QObject] = None):
        super().__init__(parent)
        self._document, self.rater = document, rater
        self.theirs = [e for e in theirs if e.status != "rejected"]
        self.set_aside: set[tuple] = set()
        self.disagreements: list[Disagreement] = []
        self.agreement: Optional[Agreement] = None
        document.undo_stack.indexChanged.connect(self.refresh)
        self.refresh()

    def refresh(self, *_args) -> None:
        found, self.agreement = find_disagreements(self._document.events(), self.theirs)
        self.disagreements = [d for d in found if d.key not in self.set_aside
                              and (d.mine is None or (d.mine.event_id, None) not in self.set_aside)
                              and (d.theirs is None or (None, d.theirs) not in self.set_aside)]
        self.changed.emit()

    def decide(self, index: int, decision: str) -> bool:
        """Apply "keep", "take" or "drop" to disagreement `index` as one undo step."""
        if not 0 <= index < len(self.disagreements):
            self.message.emit("select a disagreement first")
            return False
        d, doc = self.disagreements[index], self._document
        stack = doc.undo_stack
        text = f"{DECISIONS[decision]}: {d.describe()}"
        try:
            if decision == "keep":
                stack.push(SetAsideCommand(self, d.key, text))
            elif decision == "take" and d.theirs is None:
                doc.remove_event(d.mine.event_id)
            elif decision == "take" and d.mine is None:
                doc.add_event(self._adopted(d.theirs))
            elif decision == "take":
                after = {f: getattr(d.theirs, f) for f in TAKEN if getattr(d.theirs, f) != getattr(d.mine, f)}
                check_event_frames(d.theirs.onset_frame, d.theirs.apex_frame, d.theirs.offset_frame, doc.n_frames)
                stack.push(SetFieldsCommand(doc, d.mine.event_id, after, text))
            elif decision == "drop" and d.theirs is None:
                doc.remove_event(d.mine.event_id)
            elif decision == "drop":
                stack.beginMacro(text)
                try:
                    if d.mine is not None:
                        doc.remove_event(d.mine.event_id)
                    stack.push(SetAsideCommand(self, (None, d.theirs), text))
                finally:
                    stack.endMacro()
            else:
                raise ValueError(f"decision must be one of {tuple(DECISIONS)}, got {decision!r}")
        except EditRefused as err:
            self.message.emit(f"not done: {err}")
            return False
        self.message.emit(text)
        return True

    def _adopted(self, theirs: Event) -> Event:
        """Their event as one of the person's labels: a new id, this video, taken on purpose."""
        video = self._document.store.video["path"]
        return replace(theirs, event_id=self._document.new_event_id(), video=video, subject=Path(video).stem,
                       fps=self._document.fps, source="imported", status="accepted",
                       annotator=theirs.annotator or self.rater,
                       notes=(theirs.notes + "; " if theirs.notes else "") + f"taken from {self.rater}")

    def close(self) -> None:
        self._document.undo_stack.indexChanged.disconnect(self.refresh)
