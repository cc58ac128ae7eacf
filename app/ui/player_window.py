"""A minimal player: open a video or frame folder, play, and step frame-exactly.

The reviewer (curves, labels, projects) grows around this window in a later issue.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from app.media import VideoError, VideoInfo, open_video
from app.ui.frame_image import frame_to_qimage

VIDEO_FILTER = "Videos (*.mp4 *.mov *.avi *.mkv *.webm *.ts *.m4v *.mpg);;All files (*)"


def format_timecode(seconds: float) -> str:
    minutes, secs = divmod(max(0.0, seconds), 60.0)
    hours, minutes = divmod(int(minutes), 60)
    return f"{hours:d}:{minutes:02d}:{secs:06.3f}"


class PlayerWindow(QMainWindow):
    frameShown = Signal(int)
    videoOpened = Signal(str)
    errorShown = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("TSFmicro Studio")
        self.resize(900, 700)
        self.setAcceptDrops(True)
        self._video = None
        self._info: Optional[VideoInfo] = None
        self.current_frame = -1

        self._image = QLabel("Open a video (Ctrl+O) or drop one here")
        self._image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._image.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self._image.setMinimumSize(320, 240)
        self._image.setStyleSheet("background: #202024; color: #c8c8c8;")
        self._error = QLabel()
        self._error.setStyleSheet("background: #5a1d1d; color: white; padding: 6px;")
        self._error.setWordWrap(True)
        self._error.hide()
        self._position = QLabel("frame –")
        self._position.setStyleSheet("font-family: monospace;")
        self._slider = QSlider(Qt.Orientation.Horizontal)
        self._slider.setEnabled(False)
        self._slider.valueChanged.connect(self.show_frame)
        self._play = QPushButton("Play")
        self._play.setCheckable(True)
        self._play.toggled.connect(self._on_play_toggled)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._on_timer_tick)

        controls = QHBoxLayout()
        for text, delta in (("−10", -10), ("−1", -1)):
            controls.addWidget(self._step_button(text, delta))
        controls.addWidget(self._play)
        for text, delta in (("+1", 1), ("+10", 10)):
            controls.addWidget(self._step_button(text, delta))
        controls.addWidget(self._slider, 1)
        controls.addWidget(self._position)
        layout = QVBoxLayout()
        layout.addWidget(self._error)
        layout.addWidget(self._image, 1)
        layout.addLayout(controls)
        central = QWidget()
        central.setLayout(layout)
        self.setCentralWidget(central)
        self._build_actions()

    def _step_button(self, text: str, delta: int) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(f"{'forward' if delta > 0 else 'back'} {abs(delta)} frame{'s' if abs(delta) > 1 else ''}")
        button.clicked.connect(lambda: self.step(delta))
        return button

    def _build_actions(self) -> None:
        menu = self.menuBar().addMenu("&File")
        open_action = QAction("&Open video…", self, shortcut=QKeySequence.StandardKey.Open)
        open_action.triggered.connect(self._on_open_triggered)
        open_folder = QAction("Open frame &folder…", self)
        open_folder.triggered.connect(self._on_open_folder_triggered)
        quit_action = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        for action in (open_action, open_folder, quit_action):
            menu.addAction(action)
        keys = {
            Qt.Key.Key_Right: 1, Qt.Key.Key_Left: -1,
            Qt.KeyboardModifier.ShiftModifier.value | Qt.Key.Key_Right.value: 10,
            Qt.KeyboardModifier.ShiftModifier.value | Qt.Key.Key_Left.value: -10,
        }
        for key, delta in keys.items():
            action = QAction(self, shortcut=QKeySequence(key))
            action.triggered.connect(lambda checked=False, d=delta: self.step(d))
            self.addAction(action)
        toggle = QAction(self, shortcut=QKeySequence(Qt.Key.Key_Space))
        toggle.triggered.connect(self._play.toggle)
        self.addAction(toggle)

    # -- opening -------------------------------------------------------------------------------

    def open_path(self, path: str | Path) -> bool:
        """Open a video file or frame folder; on failure show why and keep the current video."""
        try:
            video = open_video(path)
            info = video.probe()
        except (VideoError, ValueError) as err:
            self.show_error(str(err))
            return False
        self._play.setChecked(False)
        if self._video is not None:
            self._video.close()
        self._video, self._info = video, info
        self._error.hide()
        self.setWindowTitle(f"TSFmicro Studio — {Path(path).name}")
        self._slider.setEnabled(True)
        self._slider.blockSignals(True)
        self._slider.setRange(0, max(0, info.n_frames - 1))
        self._slider.setValue(0)
        self._slider.blockSignals(False)
        self.current_frame = -1
        self.show_frame(0)
        self.videoOpened.emit(str(path))
        return True

    def show_error(self, message: str) -> None:
        self._error.setText(message)
        self._error.show()
        self.statusBar().showMessage(message, 10000)
        self.errorShown.emit(message)

    def _on_open_triggered(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open video", "", VIDEO_FILTER)
        if path:
            self.open_path(path)

    def _on_open_folder_triggered(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open a folder of numbered frames")
        if path:
            self.open_path(path)

    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 (Qt override)
        urls = event.mimeData().urls()
        if urls:
            self.open_path(urls[0].toLocalFile())

    # -- showing frames ------------------------------------------------------------------------

    @property
    def n_frames(self) -> int:
        return self._info.n_frames if self._info else 0

    def step(self, delta: int) -> None:
        if self._video is not None:
            self.show_frame(min(max(0, self.current_frame + delta), self.n_frames - 1))

    def show_frame(self, index: int) -> None:
        if self._video is None or index == self.current_frame:
            return
        try:
            frame = self._video.read(index)
        except VideoError as err:
            self._play.setChecked(False)
            self.show_error(str(err))
            return
        self.current_frame = index
        self._pixmap = QPixmap.fromImage(frame_to_qimage(frame))
        self._rescale()
        self._position.setText(f"frame {index} / {self.n_frames - 1}   {format_timecode(index / self._info.fps)}")
        self._slider.blockSignals(True)
        self._slider.setValue(index)
        self._slider.blockSignals(False)
        self.frameShown.emit(index)

    def _rescale(self) -> None:
        if getattr(self, "_pixmap", None) is not None:
            self._image.setPixmap(self._pixmap.scaled(self._image.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                                      Qt.TransformationMode.SmoothTransformation))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._rescale()

    # -- playback ------------------------------------------------------------------------------

    def _on_play_toggled(self, playing: bool) -> None:
        self._play.setText("Pause" if playing else "Play")
        if playing and self._info is not None:
            if self.current_frame >= self.n_frames - 1:
                self.show_frame(0)
            self._timer.start(max(1, round(1000 / self._info.fps)))
        else:
            self._timer.stop()

    def _on_timer_tick(self) -> None:
        if self.current_frame >= self.n_frames - 1:
            self._play.setChecked(False)
        else:
            self.step(1)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self._timer.stop()
        if self._video is not None:
            self._video.close()
            self._video = None
        super().closeEvent(event)
