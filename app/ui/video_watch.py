"""Notices when the open video is deleted or moved: the reviewer stops playback and says so, naming the
file; the labels are in the project (saved on every edit), and reopening the project asks where the
video is now."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import QFileSystemWatcher, QObject

if TYPE_CHECKING:
    from app.ui.main_window import ReviewerWindow


class VideoWatch(QObject):
    def __init__(self, window: "ReviewerWindow"):
        super().__init__(window)
        self._window = window
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._on_changed)
        self.path: Optional[str] = None
        self.missing = False

    def watch(self, path: str) -> None:
        self.stop()
        self.path, self.missing = str(path), False
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
        w = self._window
        w.playback.stop()
        project = w.store.path if w.store is not None else "the project"
        w.show_error(f"{path}: the video was moved or deleted while open. Your labels are safe in {project}; "
                     f"put the video back, or reopen the project to show where it is now.")
