"""File > Import AU track…: an OpenFace / py-feat / iMotions export shown as AU lanes.

The person picks the AU columns (default: the intensity columns), each is put on the video's
frames with `align_to_video` (by frame index, or by timestamp with the offset reported; the status
bar says which), and the lanes are stored with the project: the aligned values as curves named
`au:<column>` (so the per-frame curves CSV carries them too) and the file, tool, matching and
columns in the project's view state. A file that cannot be read gives a message naming it and the
problem, and nothing else changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
)

from app.core.au_tracks import AuTrack, AuTrackError, align_to_video, read_au_track
from app.ui.document import ProjectDocument
from app.ui.frames import FrameDisplay
from app.ui.lanes import AuLanesView

AU_FILTER = "AU exports (*.csv *.txt *.tsv);;All files (*)"
CURVE_PREFIX = "au:"
STATE_KEY = "au_track"


def intensity_columns(track: AuTrack) -> list[str]:
    """The default choice: OpenFace's `AUxx_r` intensities (not the `AUxx_c` presence flags); py-feat
    and iMotions write one value per AU, all of them."""
    intensities = [c for c in track.au_columns if c.endswith("_r")]
    return intensities or track.au_columns


class AuColumnsDialog(QDialog):
    """Checkboxes for the track's AU columns; buttons for the intensity columns, all, none."""

    def __init__(self, track: AuTrack, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"AU columns of {Path(track.path).name}")
        self.list = QListWidget()
        chosen = set(intensity_columns(track))
        for column in track.au_columns:
            item = QListWidgetItem(column)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if column in chosen else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        presets = QHBoxLayout()
        for text, columns in (("Intensity", chosen), ("All", set(track.au_columns)), ("None", set())):
            button = QPushButton(text)
            button.clicked.connect(lambda _=False, c=columns: self.check(c))
            presets.addWidget(button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{track.tool}: {len(track.frames)} frames. One lane per checked column."))
        layout.addWidget(self.list)
        layout.addLayout(presets)
        layout.addWidget(buttons)

    def check(self, columns: set[str]) -> None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.text() in columns else Qt.CheckState.Unchecked)

    def columns(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

    @staticmethod
    def choose(track: AuTrack, parent=None) -> Optional[list[str]]:
        """The checked columns, or None when cancelled."""
        dialog = AuColumnsDialog(track, parent)
        return dialog.columns() if dialog.exec() == QDialog.DialogCode.Accepted else None


class AuTrackImport:
    """One instance per window; `attach(document)` shows the lanes stored with the project, `detach()`
    removes them. `window`: for dialogs and the status bar; `frames`: the frame on screen (the lanes'
    playhead)."""

    def __init__(self, window: QMainWindow, lanes: AuLanesView, status: QLabel, frames: FrameDisplay):
        self._window, self.lanes, self._status, self._frames = window, lanes, status, frames
        self._document: Optional[ProjectDocument] = None

    def attach(self, document: ProjectDocument) -> None:
        self._document = document
        self.restore()

    def detach(self) -> None:
        self.clear()
        self._document = None

    def on_menu(self) -> None:
        if self._document is not None:
            path, _ = QFileDialog.getOpenFileName(self._window, "Import AU track", "", AU_FILTER)
            if path:
                self.import_track(path)

    def import_track(self, path: str, columns: Optional[list[str]] = None) -> bool:
        """Read, choose columns (asks when None), align, show and store; False (with a message naming
        the file) when the file cannot be used, or when cancelled; then nothing changes."""
        w, document = self._window, self._document
        if document is None:
            return False
        try:
            track = read_au_track(path)
        except (AuTrackError, OSError) as err:
            return self._refuse(path, str(err))
        except (ValueError, KeyError, IndexError) as err:  # a header the reader did not expect
            return self._refuse(path, f"{path}: cannot be read as an AU export ({type(err).__name__}: {err})")
        if columns is None:
            columns = AuColumnsDialog.choose(track, w)
            if columns is None:
                return False
        unknown = [c for c in columns if c not in track.columns]
        if not columns or unknown:
            return self._refuse(path, f"{path}: no such AU columns: {', '.join(unknown)}" if unknown
                                else f"{path}: no AU column chosen")
        n_frames, fps = document.n_frames, document.fps
        lanes, how = {}, ""
        for column in columns:
            lanes[column], how = align_to_video(track, column, n_frames, fps)
        if not any(np.isfinite(values).any() for values in lanes.values()):
            return self._refuse(path, f"{path}: no AU value falls on the video's frames (track frames "
                                      f"{track.frames.min()}..{track.frames.max()}, video has {n_frames}; {how})")
        state = {"file": str(path), "tool": track.tool, "how": how, "columns": columns, "notes": track.notes}
        old = [name for name in document.curve_names() if name.startswith(CURVE_PREFIX)]
        document.put_curves(0, {CURVE_PREFIX + c: v.astype(np.float32) for c, v in lanes.items()})
        document.store.set_view_state(**{STATE_KEY: state})
        document.remove_curves([name for name in old if name[len(CURVE_PREFIX):] not in lanes])
        self._show(lanes, state)
        return True

    def restore(self) -> None:
        """Show the lanes stored with the opened project (none: no lanes)."""
        document = self._document
        state = document.store.view_state().get(STATE_KEY)
        stored = set(document.curve_names())
        if not state or not all(CURVE_PREFIX + c in stored for c in state["columns"]):
            self.clear()
            return
        self._show({c: document.curve(CURVE_PREFIX + c) for c in state["columns"]}, state)

    def clear(self) -> None:
        self.lanes.clear()
        self._status.clear()
        self._status.setToolTip("")

    def _show(self, lanes: dict[str, np.ndarray], state: dict) -> None:
        self.lanes.set_lanes(lanes)
        self.lanes.set_playhead(max(0, self._frames.current))
        text = f"AU: {Path(state['file']).name} ({state['tool']}), {len(lanes)} lanes, {state['how']}"
        self._status.setText(text)
        self._status.setToolTip("\n".join([state["file"], *state.get("notes", [])]))
        self._window.statusBar().showMessage(text, 10000)

    def _refuse(self, path: str, problem: str) -> bool:
        text = problem if str(path) in problem else f"{path}: {problem}"
        QMessageBox.warning(self._window, "AU track not imported", text)
        return False
