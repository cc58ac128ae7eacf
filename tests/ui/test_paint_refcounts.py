"""Painting must not corrupt reference counts. PySide6 6.12.0 dropped one reference to None on
every void QPainter call; on Python 3.11 (where None is not immortal) the reviewer then crashed
after a few minutes of playback ("deallocating None"). This guards the pinned Qt binding."""

import sys

import numpy as np
import pytest

from app.core.events import Event
from app.ui.timeline_view import TimelineView

pytestmark = pytest.mark.gui


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12 on")
def test_repainting_the_timeline_keeps_none_alive(qtbot):
    view = TimelineView()
    qtbot.addWidget(view)
    view.resize(900, 300)
    view.show()
    view.set_length(600)
    view.set_curve("p_apex", np.random.default_rng(0).random(600).astype(np.float32))
    view.set_quality(np.ones(600, bool))
    view.set_events([Event("v", "s", "a", 10, 12, 20, 30.0)])
    view.repaint()
    before = sys.getrefcount(None)
    for frame in range(50):
        view.set_playhead(frame)
        view.repaint()
    # other code may take or release a few references meanwhile; the bug lost ~20 per repaint
    assert sys.getrefcount(None) - before > -50
