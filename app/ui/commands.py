"""Undoable edits of a project's events. Commands store ids and before/after values, never
snapshots; each redo()/undo() goes through the document, which writes through to the project file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from PySide6.QtGui import QUndoCommand

from app.core.events import Event
from app.core.project_store import ProjectError

if TYPE_CHECKING:
    from app.ui.document import ProjectDocument

EDGES = ("onset_frame", "apex_frame", "offset_frame")
_EDGE_MERGE_ID = 1001


def _saved(command: QUndoCommand, document: "ProjectDocument", write) -> None:
    """Run one write-through step. When the project cannot be written (a full disk, a read-only file)
    the step is not applied (the document changes only after the write succeeded), the command is
    dropped from the undo stack, and the document reports the message naming the project file."""
    try:
        write()
    except ProjectError as err:
        command.setObsolete(True)
        document.saveFailed.emit(f"{err} — the edit was not applied")


class AddEventCommand(QUndoCommand):
    def __init__(self, document: "ProjectDocument", event: Event, position: Optional[int] = None):
        super().__init__(f"add event {event.event_id}")
        self._document, self._event, self._position = document, event, position

    def redo(self) -> None:
        _saved(self, self._document, lambda: self._document._insert(self._event, self._position))

    def undo(self) -> None:
        _saved(self, self._document, lambda: setattr(self, "_position", self._document._remove(self._event.event_id)))


class RemoveEventCommand(QUndoCommand):
    def __init__(self, document: "ProjectDocument", event_id: str):
        super().__init__(f"remove event {event_id}")
        self._document = document
        self._event = document.event_by_id(event_id)
        self._position: Optional[int] = None

    def redo(self) -> None:
        _saved(self, self._document, lambda: setattr(self, "_position", self._document._remove(self._event.event_id)))

    def undo(self) -> None:
        _saved(self, self._document, lambda: self._document._insert(self._event, self._position))


class SetFieldsCommand(QUndoCommand):
    """Change fields of one event (an edge, the emotion, the status, ...) from `before` to `after`.

    Consecutive ±1-frame nudges of the same edge of the same event merge into one undo step."""

    def __init__(self, document: "ProjectDocument", event_id: str, after: dict[str, Any], text: str, mergeable: bool = False):
        super().__init__(text)
        self._document, self._event_id = document, event_id
        current = document.event_by_id(event_id)
        self._before = {name: getattr(current, name) for name in after}
        self._after = dict(after)
        self._mergeable = mergeable

    def id(self) -> int:  # noqa: A003 (Qt's name)
        return _EDGE_MERGE_ID if self._mergeable else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt's name)
        if not (isinstance(other, SetFieldsCommand) and other._mergeable and not other.isObsolete() and other._event_id == self._event_id
                and other._after.keys() == self._after.keys()):
            return False
        self._after = dict(other._after)
        return True

    def redo(self) -> None:
        _saved(self, self._document, lambda: self._document._update(self._event_id, self._after))

    def undo(self) -> None:
        _saved(self, self._document, lambda: self._document._update(self._event_id, self._before))

