"""The video view: the current frame, optional face box and landmarks drawn over it, the aligned
crop the model sees as an inset, and the frame number with its timecode, always visible."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from app.ui.frame_image import frame_to_qimage


@dataclass(frozen=True)
class FaceOverlay:
    box: Optional[np.ndarray] = None  # (4,) x0, y0, x1, y1 frame pixels
    landmarks: Optional[np.ndarray] = None  # (K, 2) frame pixels
    crop: Optional[np.ndarray] = None  # aligned RGB crop
    ok: bool = True


def format_timecode(seconds: float) -> str:
    minutes, secs = divmod(max(0.0, seconds), 60.0)
    hours, minutes = divmod(int(minutes), 60)
    return f"{hours:d}:{minutes:02d}:{secs:06.3f}"


class VideoView(QWidget):
    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.show_box = True
        self.show_landmarks = False
        self.frame_index = -1
        self._pixmap: Optional[QPixmap] = None
        self._image = QLabel("Open a video (Ctrl+O) or drop one here")
        self._image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._image.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self._image.setMinimumSize(320, 240)
        self._image.setStyleSheet("background: #202024; color: #c8c8c8;")
        self._crop = QLabel("face crop")
        self._crop.setFixedSize(160, 160)
        self._crop.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._crop.setStyleSheet("background: #101014; color: #808080; border: 1px solid #404048;")
        self._crop.setToolTip("The aligned face crop the model sees")
        self.position = QLabel("frame –")
        self.position.setStyleSheet("font-family: monospace; font-size: 13px;")
        side = QVBoxLayout()
        side.addWidget(self._crop)
        side.addWidget(self.position)
        side.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._image, 1)
        layout.addLayout(side)

    def show_frame(self, frame: np.ndarray, index: int, time_s: float, n_frames: int,
                   face: Optional[FaceOverlay] = None) -> None:
        pixmap = QPixmap.fromImage(frame_to_qimage(frame))
        if face is not None and (self.show_box or self.show_landmarks):
            self._draw_face(pixmap, face)
        self._pixmap = pixmap
        self.frame_index = index
        self._rescale()
        self.position.setText(f"frame {index} / {n_frames - 1}\n{format_timecode(time_s)}")
        if face is not None and face.crop is not None:
            self._crop.setPixmap(QPixmap.fromImage(frame_to_qimage(face.crop)).scaled(
                self._crop.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))
        else:
            self._crop.clear()
            self._crop.setText("no face" if face is not None else "face crop")

    def _draw_face(self, pixmap: QPixmap, face: FaceOverlay) -> None:
        painter = QPainter(pixmap)
        colour = QColor(80, 220, 120) if face.ok else QColor(240, 160, 40)
        if self.show_box and face.box is not None and np.all(np.isfinite(face.box)):
            painter.setPen(QPen(colour, 2))
            x0, y0, x1, y1 = (float(v) for v in face.box)
            painter.drawRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        if self.show_landmarks and face.landmarks is not None:
            painter.setPen(QPen(QColor(255, 60, 60), 2))
            for x, y in face.landmarks:
                if np.isfinite(x) and np.isfinite(y):
                    painter.drawPoint(QPointF(float(x), float(y)))
        painter.end()

    def shown_pixmap(self) -> Optional[QPixmap]:
        return self._pixmap

    def _rescale(self) -> None:
        if self._pixmap is not None:
            self._image.setPixmap(self._pixmap.scaled(self._image.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                                      Qt.TransformationMode.SmoothTransformation))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._rescale()
