"""The magnification dialog (offscreen): loops original and magnified crops, the factor spin box
re-magnifies, the heat map is shown; opened for a true event of the demo video."""

import numpy as np
import pytest
from PySide6.QtGui import QImage

from app.analysis.magnify import magnify
from app.analysis.magnify_video import CropRange
from app.core.events_csv import read_events_csv
from app.resources import resource_path
from app.ui.magnify_view import MagnifyDialog

pytestmark = [pytest.mark.gui]


def _crops() -> CropRange:
    y, x = np.mgrid[0:224, 0:224]
    frames = [np.repeat((120 + 60 * np.exp(-((x - 112 - s) ** 2 + (y - 130) ** 2) / 300.0))[..., None], 3, 2)
              for s in (0.0, 0.5, 1.0, 0.5)]
    return CropRange("synthetic.mp4", 40, 43, 30.0, np.stack(frames).astype(np.uint8))


def _image(label) -> np.ndarray:
    image = label.pixmap().toImage().convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, :image.width() * 3].reshape(image.height(), image.width(), 3).copy()


def test_dialog_loops_and_refactors(qtbot):
    crops = _crops()
    dialog = MagnifyDialog(crops, factor=1.0)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.timer.isActive() and dialog.frame_label.text().startswith("frame 40 ")
    np.testing.assert_array_equal(_image(dialog.magnified_label), _image(dialog.original_label))
    assert not dialog.heatmap_label.pixmap().isNull() and dialog.apex == 42
    dialog.step()
    dialog.step()
    assert dialog.position == 2 and dialog.frame_label.text().startswith("frame 42 ")
    dialog.factor_spin.setValue(8.0)
    np.testing.assert_array_equal(dialog.magnified, magnify(crops.crops, 8.0, dialog.config))
    assert not np.array_equal(_image(dialog.magnified_label), _image(dialog.original_label))
    for _ in range(2):
        dialog.step()
    assert dialog.position == 0  # loops
    dialog.speed_box.setCurrentIndex(0)
    assert dialog.timer.interval() == round(1000 / (30 * 0.125))
    dialog.reject()
    assert not dialog.timer.isActive()


def test_dialog_for_a_demo_event(qtbot):
    event = next(e for e in read_events_csv(resource_path("demo", "astronaut_demo.events.csv")).accepted
                 if e.emotion == "surprise")
    dialog = MagnifyDialog.for_event(resource_path("demo", "astronaut_demo.mp4"), event, factor=5)
    qtbot.addWidget(dialog)
    assert (dialog.crops.first, dialog.crops.last, dialog.apex) == (event.onset_frame, event.offset_frame,
                                                                   event.apex_frame)
    assert dialog.factor == 5.0 and event.event_id in dialog.windowTitle()
