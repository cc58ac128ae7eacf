"""The reviewer's toolbar: the main actions of the menus (the same QAction objects, so behaviour and
shortcuts are defined once), each with a standard icon and a tooltip that names its shortcut, then
the triage controls (confidence threshold, likeliest-first order, blind mode) and the review queue;
under it, a one-line hint of the next keys."""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDoubleSpinBox, QLabel, QStyle, QToolBar, QWidget

from app.ui.first_run import HINT
from app.ui.triage import Triage

SP = QStyle.StandardPixmap
# (key in the window's actions, short text under the icon, icon); None: a separator
BUTTONS = (
    ("open", "Open", SP.SP_DialogOpenButton),
    ("analyse", "Analyse", SP.SP_MediaPlay),
    ("flow", "Flow spotter", SP.SP_BrowserReload),
    None,
    ("previous_suggestion", "Previous", SP.SP_ArrowBack),
    ("next_suggestion", "Next", SP.SP_ArrowForward),
    ("accept", "Accept", SP.SP_DialogApplyButton),
    ("reject", "Reject", SP.SP_DialogCancelButton),
    None,
    ("export", "Export", SP.SP_DialogSaveButton),
    ("report", "Report", SP.SP_FileDialogDetailedView),
)


def find_action(window: QWidget, shortcut: str) -> Optional[QAction]:
    """The window's action with this shortcut (for actions built by other parts of the window)."""
    wanted = QKeySequence(shortcut)
    return next((a for a in window.findChildren(QAction) if a.shortcut() == wanted), None)


def tooltip(action: QAction) -> str:
    text = action.text().replace("&", "").rstrip("…")
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    return f"{text} ({keys})" if keys else text


class ReviewToolbar(QToolBar):
    def __init__(self, window: QWidget, actions: dict[str, QAction], triage: Triage):
        super().__init__("Review", window)
        self.setObjectName("reviewToolbar")
        self.setMovable(False)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        self._triage = triage
        style = window.style()
        for entry in BUTTONS:
            if entry is None:
                self.addSeparator()
                continue
            key, short, icon = entry
            action = actions[key]
            action.setIcon(style.standardIcon(icon))
            action.setIconText(short)
            action.setToolTip(tooltip(action))
            self.addAction(action)
        self.addSeparator()
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(0.0, 1.0)
        self.threshold.setSingleStep(0.05)
        self.threshold.setDecimals(2)
        self.threshold.setPrefix("confidence ≥ ")
        self.threshold.setToolTip("hide the suggestions whose confidence is below this; nothing is deleted, your own "
                                  "labels are always shown. The confidence was calibrated on synthetic validation "
                                  "videos: on your footage read it as an order, not a probability (docs/spotter.md)")
        self.threshold.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # keys stay with the review shortcuts
        self.threshold.valueChanged.connect(triage.set_threshold)
        self.addWidget(self.threshold)
        for key, short in (("order", "Likeliest first"), ("blind", "Blind mode")):
            actions[key].setIconText(short)
            actions[key].setToolTip(tooltip(actions[key]))
            self.addAction(actions[key])
        self.queue = QLabel()
        self.queue.setToolTip("suggestions at or above the threshold that you accepted or rejected")
        self.queue.setContentsMargins(8, 0, 8, 0)
        self.addWidget(self.queue)
        self.hint_bar = QToolBar("Keys", window)  # its own row under the toolbar, so it is never cut off
        self.hint_bar.setObjectName("keysToolbar")
        self.hint_bar.setMovable(False)
        self.hint = QLabel(HINT)
        self.hint.setStyleSheet("color: #444; padding: 2px 6px;")
        self.hint_bar.addWidget(self.hint)

    def show_state(self, queue_text: str) -> None:
        """Show the triage's current settings (after a project opened) and the queue."""
        self.threshold.blockSignals(True)
        self.threshold.setValue(self._triage.threshold)
        self.threshold.blockSignals(False)
        self.queue.setText(queue_text)
