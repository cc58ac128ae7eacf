"""Opening a video, a frame folder or a project in the reviewer, and the recent-projects list.

A video seen for the first time has its frames counted (a decode of the whole file: about 40 s for an
hour of video) in a worker thread that closing the window cancels; the project opens when it is done.
A project whose file or folder cannot be written (a read-only data-set folder) is copied to the
user's data folder and the copy is opened, with a message saying where; the original is not touched.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from pathlib import Path
from typing import Callable, Optional

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from app.core.project_paths import project_path_for
from app.core.project_store import PROJECT_SUFFIX, ProjectError, ProjectStore
from app.core.user_dirs import projects_dir
from app.media import VideoError, content_hash, open_video
from app.ui.job_runner import JobRunner
from app.ui.jobs import Worker

VIDEO_FILTER = "Videos and projects (*.mp4 *.mov *.avi *.mkv *.webm *.ts *.m4v *.mpg *.tsfproj);;All files (*)"
MAX_RECENT = 8
COUNT_STEP = 256  # frames indexed between two checks for cancellation
COUNT_JOB = "frame count"


class CountFramesWorker(Worker):
    """The exact frame count and timestamps of a video, in steps so that a closing window can stop it."""

    what = "counting frames"

    def work(self):
        with open_video(self._video_path) as video:
            if hasattr(video, "index_to"):
                upto = COUNT_STEP
                while not video.index_to(upto):
                    self.tick(upto)
                    upto += COUNT_STEP
            return video.probe(exact=True)


def writable_copy_path(project: Path) -> Path:
    """Where a read-only project is copied: the user's data folder, named after the original's path."""
    tag = hashlib.sha1(str(project.resolve()).encode()).hexdigest()[:8]
    return projects_dir() / f"{project.stem}-{tag}{PROJECT_SUFFIX}"


class ProjectOpener(QObject):
    """Opens what the person chose and hands the video and its project to `on_open(video, store)`
    (the window shows them); says why through `failed` when it cannot."""

    failed = Signal(str)

    def __init__(self, dialog_parent: QWidget, jobs: JobRunner, settings: QSettings,
                 on_open: Callable[[object, ProjectStore], None]):
        super().__init__(dialog_parent)
        self._dialog_parent, self._jobs, self._settings, self._on_open = dialog_parent, jobs, settings, on_open
        self._recent_menu: Optional[QMenu] = None
        self.pending = None  # (path, video, content hash, project path) while frames are counted

    @property
    def counting(self) -> bool:
        return self._jobs.running(COUNT_JOB)

    def open_path(self, path: str | os.PathLike) -> bool:
        """Open a video, a frame folder or a project; on failure show why and keep what is open."""
        path = Path(path)
        try:
            if path.suffix == PROJECT_SUFFIX:
                store = self._open_store(path)
                if store.video_is_missing() and not self._relink(store):
                    store.close()
                    return False
                video = open_video(store.video["path"], fps=store.video["fps"])
            else:
                video = open_video(path)
                digest = content_hash(path)
                project = project_path_for(path, digest)
                project.parent.mkdir(parents=True, exist_ok=True)
                if not project.exists():
                    info = video.probe()
                    if not info.frame_count_exact:
                        return self._count_frames_then_open(path, video, digest, project)
                    store = ProjectStore.create(project, path, digest, info.fps, info.n_frames)
                else:
                    store = self._open_store(project)
        except (VideoError, ProjectError, ValueError, OSError) as err:
            self.failed.emit(str(err))
            return False
        self._on_open(video, store)
        return True

    def _open_store(self, project: Path) -> ProjectStore:
        if not (os.access(project, os.W_OK) and os.access(project.parent, os.W_OK)):
            copy = writable_copy_path(project)
            if not copy.exists():
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(project, copy)
                wal = Path(f"{project}-wal")
                if wal.is_file() and wal.stat().st_size:
                    shutil.copyfile(wal, f"{copy}-wal")
            self.failed.emit(f"{project}: its folder is read-only, so the project is kept in {copy} "
                             f"(a copy; the original is untouched). Your labels are saved there.")
            project = copy
        try:
            return ProjectStore.open(project)
        except sqlite3.Error as err:
            raise ProjectError(project, f"cannot be opened for writing ({err})") from err

    def _count_frames_then_open(self, path: Path, video, digest: str, project: Path) -> bool:
        if self.counting:
            self.failed.emit(f"{path}: still counting the frames of the previous video; try again in a moment")
            video.close()
            return False
        self.pending = (path, video, digest, project)
        self._jobs.show_progress(COUNT_JOB, f"counting the frames of {path.name} (once per video)…", 0, 0)
        self._jobs.start_worker(COUNT_JOB, CountFramesWorker(str(path)), on_finished=self._on_frames_counted,
                                on_errored=self.failed.emit, on_done=self._on_count_done, project=False)
        return True

    def _on_frames_counted(self, info) -> None:
        path, video, digest, project = self.pending
        self.pending = None
        try:
            store = ProjectStore.create(project, path, digest, info.fps, info.n_frames)
        except (ProjectError, OSError) as err:
            video.close()
            self.failed.emit(str(err))
            return
        self._on_open(video, store)

    def _on_count_done(self) -> None:
        if self.pending is not None:  # failed or stopped: the video opened for it is closed
            self.pending[1].close()
            self.pending = None

    def cancel(self) -> None:
        """Stop counting frames and wait for the thread."""
        self._jobs.stop(COUNT_JOB)

    def _relink(self, store: ProjectStore) -> bool:
        w, old = self._dialog_parent, store.video["path"]
        QMessageBox.information(w, "Where is the video?",
                                f"The video of this project is no longer at\n{old}\nPlease show where it is now.")
        new, _ = QFileDialog.getOpenFileName(w, f"Locate {Path(old).name}", "", VIDEO_FILTER)
        if not new:
            self.failed.emit(f"{store.path}: the video {old} was not found; the project was not opened")
            return False
        store.relink_video(new, content_hash(new))
        return True

    # -- recent projects and the open dialogs -------------------------------------------------------

    def remember(self, path: Path) -> None:
        recent = [p for p in self.recent_projects() if p != str(path)]
        self._settings.setValue("recentProjects", [str(path)] + recent[: MAX_RECENT - 1])
        self.refresh_menu()

    def recent_projects(self) -> list[str]:
        value = self._settings.value("recentProjects", [])
        return [value] if isinstance(value, str) else list(value or [])

    def set_recent_menu(self, menu: QMenu) -> None:
        self._recent_menu = menu
        self.refresh_menu()

    def refresh_menu(self) -> None:
        menu = self._recent_menu
        if menu is None:
            return
        menu.clear()
        for path in self.recent_projects():
            menu.addAction(path).triggered.connect(lambda _=False, p=path: self.open_path(p))
        menu.setEnabled(bool(self.recent_projects()))

    def on_open_triggered(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self._dialog_parent, "Open video or project", "", VIDEO_FILTER)
        if path:
            self.open_path(path)

    def on_open_folder_triggered(self) -> None:
        path = QFileDialog.getExistingDirectory(self._dialog_parent, "Open a folder of numbered frames")
        if path:
            self.open_path(path)
