"""The Disagreements dock: the agreement figures, the list of disagreements with the second rater,
and one key per decision on the selected one (U keep mine, T take theirs, D drop). The keys live
on the dock, so they work only while it is shown. Selecting a disagreement seeks to it."""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.analysis.agreement import format_number
from app.ui.adjudication import DECISIONS, Adjudicator
from app.ui.event_review import EventReview
from app.ui.frames import FrameDisplay

KEYS = {"keep": "U", "take": "T", "drop": "D"}
HELP = ("U keep mine: my labels stay · T take theirs: add theirs / copy their frames and emotion onto mine / "
        "remove mine where they have none · D drop: no event here (mine removed, theirs set aside). "
        "Each is one undo step (Ctrl+Z).")


class AdjudicationPanel(QDockWidget):
    def __init__(self, window: QMainWindow, frames: FrameDisplay, events: EventReview):
        """A dock of `window`; selecting a disagreement shows its frame (`frames`) and selects the person's
        event there (`events`' labelling)."""
        super().__init__("Disagreements with the second rater", window)
        self.setObjectName("disagreements")
        self._frames, self._events = frames, events
        self.adjudicator: Optional[Adjudicator] = None
        self._sought: Optional[tuple] = None  # the disagreement last sought to
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.list = QListWidget()
        self.list.currentRowChanged.connect(self._on_row_changed)
        buttons = QHBoxLayout()
        self.actions: dict[str, QAction] = {}
        for decision, key in KEYS.items():
            action = QAction(f"{key}: {DECISIONS[decision]}", self)
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _=False, d=decision: self.decide(d))
            self.addAction(action)
            self.actions[decision] = action
            button = QToolButton()
            button.setDefaultAction(action)
            buttons.addWidget(button)
        hint = QLabel(HELP)
        hint.setWordWrap(True)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.summary)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        layout.addWidget(hint)
        self.setWidget(body)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self)
        self.hide()

    def set_adjudicator(self, adjudicator: Optional[Adjudicator]) -> None:
        if self.adjudicator is not None:
            self.adjudicator.changed.disconnect(self._fill)
            self.adjudicator.close()
        self.adjudicator, self._sought = adjudicator, None
        if adjudicator is not None:
            adjudicator.changed.connect(self._fill)
            self._fill()
            self.show()
        else:
            self.list.clear()
            self.summary.clear()
            self.hide()

    def _fill(self) -> None:
        adjudicator = self.adjudicator
        row = max(0, self.list.currentRow())
        pair = adjudicator.agreement.pairs[0]
        self.summary.setText(
            f"mine: {pair.a_events} events, {adjudicator.rater}: {pair.b_events}; {pair.matched} matched "
            f"(IoU ≥ 0.5); interval F1 {format_number(pair.interval_f1)}, emotion κ "
            f"{format_number(pair.emotion_kappa)}, Krippendorff's α {format_number(adjudicator.agreement.krippendorff_alpha)}"
            f"; {len(adjudicator.disagreements)} open disagreements")
        self.list.blockSignals(True)
        self.list.clear()
        self.list.addItems([d.describe() for d in adjudicator.disagreements])
        for i in range(self.list.count()):
            self.list.item(i).setToolTip(self.list.item(i).text())
        self.list.blockSignals(False)
        if self.list.count():
            self.list.setCurrentRow(min(row, self.list.count() - 1))
            if adjudicator.disagreements[self.list.currentRow()].key != self._sought:
                self._on_row_changed(self.list.currentRow())  # seek only when the selection moved on

    def selected(self) -> int:
        return self.list.currentRow()

    def decide(self, decision: str) -> bool:
        if self.adjudicator is None:
            return False
        return self.adjudicator.decide(self.selected(), decision)

    def _on_row_changed(self, row: int) -> None:
        if self.adjudicator is None or not 0 <= row < len(self.adjudicator.disagreements):
            return
        d = self.adjudicator.disagreements[row]
        self._sought = d.key
        labeling = self._events.labeling
        if d.mine is not None and labeling is not None:
            labeling.select(d.mine.event_id)
        self._frames.show(d.frame)
