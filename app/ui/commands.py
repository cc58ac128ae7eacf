"""Undoable edits of a project's events. Commands store ids and before/after values, never
snapshots; each redo()/undo() goes through the target's write-through API (`EditTarget`: the
ProjectDocument implements it), which writes to the project file and then signals the change.

This module does not import the document: the document imports these commands and pushes them."""

from __future__ import annotations

from typing import Any, Callable, Optional, Protocol

from PySide6.QtGui import QUndoCommand

from app.core.events import Event
from app.core.project_store import ProjectError

_EDGE_MERGE_ID = 1001


class EditTarget(Protocol):
    """What the commands edit: each method writes through to the project, then applies and signals."""

    def event_by_id(self, event_id: str) -> Event: ...

    def apply_insert(self, event: Event, position: Optional[int]) -> None: ...

    def apply_remove(self, event_id: str) -> int: ...  # returns the position it had

    def apply_fields(self, event_id: str, values: dict[str, Any]) -> None: ...

    def report_save_failure(self, message: str) -> None: ...


def _saved(command: QUndoCommand, target: EditTarget, write: Callable[[], None]) -> None:
    """Run one write-through step. When the project cannot be written (a full disk, a read-only file)
    the step is not applied (the target changes only after the write succeeded), the command is
    dropped from the undo stack, and the target reports the message naming the project file."""
    try:
        write()
    except ProjectError as err:
        command.setObsolete(True)
        target.report_save_failure(f"{err} — the edit was not applied")


class AddEventCommand(QUndoCommand):
    def __init__(self, target: EditTarget, event: Event, position: Optional[int] = None):
        super().__init__(f"add event {event.event_id}")
        self._target, self._event, self._position = target, event, position

    def redo(self) -> None:
        _saved(self, self._target, lambda: self._target.apply_insert(self._event, self._position))

    def undo(self) -> None:
        _saved(self, self._target, lambda: setattr(self, "_position", self._target.apply_remove(self._event.event_id)))


class RemoveEventCommand(QUndoCommand):
    def __init__(self, target: EditTarget, event_id: str):
        super().__init__(f"remove event {event_id}")
        self._target = target
        self._event = target.event_by_id(event_id)
        self._position: Optional[int] = None

    def redo(self) -> None:
        _saved(self, self._target, lambda: setattr(self, "_position", self._target.apply_remove(self._event.event_id)))

    def undo(self) -> None:
        _saved(self, self._target, lambda: self._target.apply_insert(self._event, self._position))


class SetFieldsCommand(QUndoCommand):
    """Change fields of one event (an edge, the emotion, the status, ...) from `before` to `after`.

    Consecutive ±1-frame nudges of the same edge of the same event merge into one undo step."""

    def __init__(self, target: EditTarget, event_id: str, after: dict[str, Any], text: str, mergeable: bool = False):
        super().__init__(text)
        self._target, self._event_id = target, event_id
        current = target.event_by_id(event_id)
        self._before = {name: getattr(current, name) for name in after}
        self._after = dict(after)
        self._mergeable = mergeable

    def id(self) -> int:  # noqa: A003 (Qt's name)
        return _EDGE_MERGE_ID if self._mergeable else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt's name)
        if not (isinstance(other, SetFieldsCommand) and other._mergeable and not other.isObsolete()
                and other._event_id == self._event_id and other._after.keys() == self._after.keys()):
            return False
        self._after = dict(other._after)
        return True

    def redo(self) -> None:
        _saved(self, self._target, lambda: self._target.apply_fields(self._event_id, self._after))

    def undo(self) -> None:
        _saved(self, self._target, lambda: self._target.apply_fields(self._event_id, self._before))
