"""The event table: a Qt model over the document's events, editable in place.

Edits go through the document's intents (so they are undoable and written through); the model
redraws on the document's signals, never on its own edits.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from app.core.events import EDGES, EditRefused, Event
from app.ui.document import ProjectDocument

# (header, Event field or derived key, editable)
COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("id", "event_id", False),
    ("onset", "onset_frame", True),
    ("apex", "apex_frame", True),
    ("offset", "offset_frame", True),
    ("duration ms", "duration_ms", False),
    ("kind", "kind", True),
    ("emotion", "emotion", True),
    ("AUs", "action_units", True),
    ("status", "status", True),
    ("source", "source", False),
    ("confidence", "confidence", False),
    ("annotator", "annotator", True),
    ("notes", "notes", True),
)
STATUS_COLOURS = {"suggested": QColor(255, 244, 204), "accepted": QColor(214, 240, 214), "rejected": QColor(238, 226, 226)}


def cell_value(event: Event, key: str) -> Any:
    if key == "duration_ms":
        return round(1000.0 * event.duration_s)
    value = getattr(event, key)
    if key == "confidence":
        return "" if value is None else f"{value:.2f}"
    return value


class EventTableModel(QAbstractTableModel):
    editRefused = Signal(str)

    def __init__(self, document: ProjectDocument):
        super().__init__()
        self._document = document
        self._ids = [e.event_id for e in document.events()]
        document.eventInserted.connect(self._on_document_rows_changed)
        document.eventRemoved.connect(self._on_document_rows_changed)
        document.eventChanged.connect(self._on_document_event_changed)

    def event_id_at(self, row: int) -> str:
        return self._ids[row]

    def row_of(self, event_id: str) -> int:
        return self._ids.index(event_id)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][0]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        event = self._document.event_by_id(self._ids[index.row()])
        key = COLUMNS[index.column()][1]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return cell_value(event, key)
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(STATUS_COLOURS.get(event.status, QColor("white")))
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsEditable if index.isValid() and COLUMNS[index.column()][2] else base

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        event_id, key = self._ids[index.row()], COLUMNS[index.column()][1]
        try:
            if key in EDGES:
                self._document.move_edge(event_id, key, int(value))
            else:
                self._document.set_fields(event_id, **{key: str(value).strip()})
        except (EditRefused, ValueError) as err:
            self.editRefused.emit(f"{event_id}: {err}")
            return False
        return True

    def _on_document_rows_changed(self, _event_id: str) -> None:
        self.beginResetModel()
        self._ids = [e.event_id for e in self._document.events()]
        self.endResetModel()

    def _on_document_event_changed(self, event_id: str) -> None:
        row = self.row_of(event_id)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
