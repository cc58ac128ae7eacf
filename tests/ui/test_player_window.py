"""The player window, driven for real (offscreen): open, step, play, bad files."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from app.media import open_video
from app.resources import demo_video_path
from app.ui.player_window import PlayerWindow, format_timecode

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot):
    win = PlayerWindow()
    qtbot.addWidget(win)
    win.show()
    return win


def _shown_pixels(win):
    image = win._pixmap.toImage().convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width() * 3].reshape(image.height(), image.width(), 3).copy()


def test_opens_demo_and_steps_frame_exactly(window, qtbot):
    with qtbot.waitSignal(window.frameShown) as shown:
        assert window.open_path(demo_video_path())
    assert shown.args == [0]
    reference = open_video(demo_video_path())
    qtbot.keyClick(window, Qt.Key.Key_Right)
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert window.current_frame == 11
    assert np.array_equal(_shown_pixels(window), reference.read(11))
    qtbot.keyClick(window, Qt.Key.Key_Left)
    assert window.current_frame == 10
    assert np.array_equal(_shown_pixels(window), reference.read(10))
    assert "frame 10 / 299" in window._position.text() and format_timecode(10 / 30) in window._position.text()
    window.show_frame(250)
    window.step(-1)
    assert np.array_equal(_shown_pixels(window), reference.read(249))
    window.step(1000)
    assert window.current_frame == 299


def test_playback_advances_and_stops_at_the_end(window, qtbot):
    window.open_path(demo_video_path())
    window.show_frame(290)
    window._play.setChecked(True)
    qtbot.waitUntil(lambda: window.current_frame == 299, timeout=5000)
    qtbot.waitUntil(lambda: not window._play.isChecked(), timeout=2000)


def test_bad_file_shows_a_message_and_keeps_the_open_video(window, qtbot, tmp_path):
    window.open_path(demo_video_path())
    window.show_frame(5)
    bogus = tmp_path / "broken.mp4"
    bogus.write_text("not a video")
    with qtbot.waitSignal(window.errorShown) as error:
        assert not window.open_path(bogus)
    assert "broken.mp4" in error.args[0]
    assert window.current_frame == 5 and window._error.isVisible()
