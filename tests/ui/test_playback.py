"""Playback clock: every frame shown in order, speeds, J/K/L shuttle, loop, stop at the ends."""

import pytest

from app.ui.playback import Playback

pytestmark = pytest.mark.gui


@pytest.fixture
def playback(qapp):
    clock = Playback()
    clock.configure(n_frames=100, fps=100.0)
    yield clock
    clock.stop()


def test_plays_every_frame_in_order_and_stops_at_the_end(playback, qtbot):
    shown = []
    playback.frameDue.connect(shown.append)
    playback.seek(90)
    playback.set_speed(2.0)
    playback.play()
    qtbot.waitUntil(lambda: not playback.playing, timeout=3000)
    assert shown == list(range(91, 100))


def test_backwards_shuttle_and_speed_steps(playback, qtbot):
    shown = []
    playback.frameDue.connect(shown.append)
    playback.seek(5)
    playback.shuttle("j")
    assert playback.direction == -1 and playback.speed == 1.0
    playback.shuttle("j")
    assert playback.speed == 1.5
    qtbot.waitUntil(lambda: not playback.playing, timeout=3000)
    assert shown == [4, 3, 2, 1, 0]
    playback.shuttle("l")
    assert playback.direction == 1 and playback.speed == 1.0 and playback.playing
    playback.shuttle("k")
    assert not playback.playing


def test_loop_over_a_span(playback, qtbot):
    shown = []
    playback.frameDue.connect(shown.append)
    playback.set_loop((10, 12))
    playback.seek(10)
    playback.set_speed(2.0)
    playback.play()
    qtbot.waitUntil(lambda: len(shown) >= 7, timeout=3000)
    playback.stop()
    assert shown[:7] == [11, 12, 10, 11, 12, 10, 11]


def test_speed_limits(playback):
    with pytest.raises(ValueError):
        playback.set_speed(3.0)
    playback.set_speed(0.1)
    assert playback.speed == 0.1
