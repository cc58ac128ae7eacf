"""Notices when the open video is deleted or moved: the reviewer stops playback and says so, naming the
file; the labels are in the project (saved on every edit), and reopening the project asks where the
video is now."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from PySide6.QtCore import QFileSystemWatcher, QObject, Signal


class VideoWatch(QObject):
    videoMissing = Signal(str)  # what to tell the person (the window stops playback and shows it)

    def __init__(self, parent: Optional[QObject] = None):
        super().__init__(parent)
        self._project: Optional[str] = None
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._on_changed)
        self.path: Optional[str] = None
        self.missing = False

    def watch(self, path: str, project: Optional[str] = None) -> None:
        """Watch the open video `path` (its labels are in `project`)."""
        self.stop()
        self.path, self.missing, self._project = str(path), False, project
        if Path(path).is_file():
            self._watcher.addPath(self.path)

    def stop(self) -> None:
        if self._watcher.files():
            self._watcher.removePaths(self._watcher.files())
        self.path = None

    def check(self) -> bool:
        """True while the video is where it was opened from (also called before work that reopens it)."""
        if self.path is not None and not self.missing and not Path(self.path).exists():
            self._on_changed(self.path)
        return not self.missing

    def _on_changed(self, path: str) -> None:
        if path != self.path or Path(path).exists() or self.missing:
            return
        self.missing = True
        project = self._project or "the project"
        self.videoMissing.emit(f"{path}: the video was moved or deleted while open. Your labels are safe in {project}; "
                               f"put the video back, or reopen the project to show where it is now.")
