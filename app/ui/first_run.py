"""The window's first impression: a size that uses the screen (90 % of it, or the geometry the person
left it in, remembered with QSettings), a one-line hint naming the next keys, and the bundled demo
analysed at once on first open (the default analysis, the learned motion spotter), so that a first
start shows suggestions to review. Other videos are analysed when the person asks (Ctrl+R): an
analysis of a long video takes minutes and the person may want to label blind first."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow

from app.resources import MissingResourceError, demo_video_path
from app.ui.document import ProjectDocument

HINT = "Tab: next suggestion · Enter accept · Backspace reject · Space play · I/O mark onset/offset · Ctrl+R analyse"
SCREEN_SHARE = 0.9


def restore_geometry(window: QMainWindow, settings: QSettings) -> None:
    saved = settings.value("geometry")
    if saved is not None and window.restoreGeometry(saved):
        return
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return
    available = screen.availableGeometry()
    width, height = int(available.width() * SCREEN_SHARE), int(available.height() * SCREEN_SHARE)
    window.resize(width, height)
    window.move(available.x() + (available.width() - width) // 2, available.y() + (available.height() - height) // 2)


def save_geometry(window: QMainWindow, settings: QSettings) -> None:
    settings.setValue("geometry", window.saveGeometry())


def is_bundled_demo(video_path: str) -> bool:
    try:
        return Path(video_path).resolve() == Path(demo_video_path()).resolve()
    except MissingResourceError:
        return False


def analyse_demo_on_first_open(document: ProjectDocument, run_spotter: Callable[[], bool],
                               show_message: Callable[[str, int], None]) -> bool:
    """Start the default analysis (`run_spotter`) when the open project is the bundled demo and has neither
    suggestions nor curves yet; True when it started."""
    if not is_bundled_demo(document.store.video["path"]):
        return False
    if document.curve_names() or any(e.source == "model" for e in document.events()):
        return False
    started = run_spotter()
    if started:
        show_message("analysing the demo with the learned motion spotter…", 10000)
    return started
