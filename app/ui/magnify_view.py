"""The magnification dialog: an event's original and magnified face crops looping side by side, a
factor spin box, a slow-motion choice and the apex − onset heat map. The work is done by the
Qt-free `app.analysis.magnify` / `app.analysis.magnify_video`; this is only their view."""

from __future__ import annotations

import os
from typing import Optional

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (QComboBox, QDialog, QDoubleSpinBox, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout,
                               QWidget)

from app.analysis.magnify import MAX_FACTOR, MagnifyConfig
from app.analysis.magnify_video import CropRange, aligned_crops, heatmap_for_range, magnify_range
from app.core.events import Event
from app.ui.frame_image import frame_to_qimage

SPEEDS = (("1/8 speed", 0.125), ("1/4 speed", 0.25), ("1/2 speed", 0.5), ("real time", 1.0))


def _pixmap(image: np.ndarray) -> QPixmap:
    return QPixmap.fromImage(frame_to_qimage(image))


class MagnifyDialog(QDialog):
    """Loops frames first..last of `crops`: the original left, magnified by the spin box's factor
    right; the heat map of `apex` (default: the frame that differs most from the first) below."""

    def __init__(self, crops: CropRange, *, factor: float = 10.0, apex: Optional[int] = None,
                 title: str = "", parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.crops = crops
        self.config = MagnifyConfig()
        self.setWindowTitle(title or f"Magnified motion: frames {crops.first}-{crops.last}")
        self.position = 0
        self.magnified = crops.crops

        self.original_label, self.magnified_label, self.heatmap_label = QLabel(), QLabel(), QLabel()
        for label in (self.original_label, self.magnified_label, self.heatmap_label):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setMinimumSize(crops.crops.shape[2], crops.crops.shape[1])
        self.frame_label = QLabel()
        self.factor_spin = QDoubleSpinBox()
        self.factor_spin.setRange(1.0, MAX_FACTOR)
        self.factor_spin.setSingleStep(1.0)
        self.factor_spin.setDecimals(1)
        self.factor_spin.setPrefix("× ")
        self.factor_spin.setToolTip("magnification of the motion since the first frame (1: the plain crops)")
        self.speed_box = QComboBox()
        for text, rate in SPEEDS:
            self.speed_box.addItem(text, rate)
        self.speed_box.setCurrentIndex(1)

        grid = QGridLayout()
        grid.addWidget(QLabel("original"), 0, 0, Qt.AlignmentFlag.AlignCenter)
        grid.addWidget(QLabel("magnified"), 0, 1, Qt.AlignmentFlag.AlignCenter)
        grid.addWidget(self.original_label, 1, 0)
        grid.addWidget(self.magnified_label, 1, 1)
        heat_image, self.apex = heatmap_for_range(crops, apex)
        self.heatmap_label.setPixmap(_pixmap(heat_image))
        self.heatmap_label.setToolTip("where the face changed: |apex − onset|, blue (none) to red (most)")
        grid.addWidget(QLabel(f"change, frame {self.apex} − frame {crops.first}"), 0, 2, Qt.AlignmentFlag.AlignCenter)
        grid.addWidget(self.heatmap_label, 1, 2)
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Factor"))
        controls.addWidget(self.factor_spin)
        controls.addWidget(self.speed_box)
        controls.addStretch(1)
        controls.addWidget(self.frame_label)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addLayout(controls)
        if crops.missing:
            layout.addWidget(QLabel(f"No face in {len(crops.missing)} frame(s); the nearest earlier crop stands in."))

        self.timer = QTimer(self)
        self.timer.timeout.connect(self.step)
        self.factor_spin.setValue(float(factor))
        self.set_factor(float(factor))
        self.factor_spin.valueChanged.connect(self.set_factor)
        self.speed_box.currentIndexChanged.connect(lambda _index: self._restart_timer())
        self._restart_timer()

    @classmethod
    def for_event(cls, video: str | os.PathLike, event: Event, *, factor: float = 10.0,
                  parent: Optional[QWidget] = None) -> "MagnifyDialog":
        """The dialog for one event: its onset..offset crops (computed here, a few seconds), heat map at its apex."""
        crops = aligned_crops(video, event.onset_frame, max(event.offset_frame, event.onset_frame + 1))
        apex = event.apex_frame if crops.first <= event.apex_frame <= crops.last else None
        title = f"Magnified motion: {event.event_id} ({event.emotion}, frames {crops.first}-{crops.last})"
        return cls(crops, factor=factor, apex=apex, title=title, parent=parent)

    @property
    def factor(self) -> float:
        return self.factor_spin.value()

    def set_factor(self, factor: float) -> None:
        self.magnified = magnify_range(self.crops, factor, self.config)
        self.show_position(self.position)

    def show_position(self, position: int) -> None:
        self.position = position % len(self.crops.crops)
        self.original_label.setPixmap(_pixmap(self.crops.crops[self.position]))
        self.magnified_label.setPixmap(_pixmap(self.magnified[self.position]))
        self.frame_label.setText(f"frame {self.crops.frame_of(self.position)} "
                                 f"({self.position + 1}/{len(self.crops.crops)})")

    def step(self) -> None:
        self.show_position(self.position + 1)

    def _restart_timer(self) -> None:
        rate = float(self.speed_box.currentData())
        self.timer.start(max(1, int(round(1000.0 / (self.crops.fps * rate)))))

    def done(self, result: int) -> None:
        self.timer.stop()
        super().done(result)
