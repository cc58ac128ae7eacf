"""Every UI test gets its own QSettings store (window geometry, recent projects) and user data folder,
so tests neither read nor change the person's own settings and projects."""

import pytest


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    from PySide6.QtCore import QSettings

    folder = tmp_path / "qsettings"
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
    monkeypatch.setenv("TSFMICRO_DATA_DIR", str(tmp_path / "user-data"))
    return folder


@pytest.fixture
def demo_copy(tmp_path):
    """The bundled demo video copied into the test's folder (its project file is written beside it)."""
    import shutil

    from app.resources import demo_video_path

    path = tmp_path / "interview.mp4"
    shutil.copy(demo_video_path(), path)
    return path


@pytest.fixture
def make_window(qtbot, tmp_path):
    """make_window() -> a shown reviewer window with its own settings file, closed by qtbot at the end.
    make_window(fake_face_tracker): the same window with the fast stand-in face tracker (see there)."""
    from PySide6.QtCore import QSettings

    from app.ui.main_window import ReviewerWindow

    def make(face_pipeline=None):
        window = ReviewerWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat),
                                face_pipeline=face_pipeline)
        qtbot.addWidget(window)
        window.show()
        return window
    return make


class FakeFacePipeline:
    """Stands in for the dlib face pipeline: every decoded frame gets the same face box, a fixed ring of
    landmarks and "ok" quality, without detection or landmark fitting (a damaged frame: no face)."""

    def __init__(self, config, fps):
        self._landmarks = int(config.align.landmarks)
        self._crop = config.align.crop_size

    def run(self, frames):
        import math

        import numpy as np

        from app.face import FaceResult

        for index, frame in frames:
            if frame is None:
                yield FaceResult(index, False, None, None, None, None, False, math.nan, math.nan, math.nan, False,
                                 False)
                continue
            height, width = frame.shape[:2]
            x0, y0, side = width * 0.3, height * 0.2, min(width, height) * 0.4
            box = np.array([x0, y0, x0 + side, y0 + side], np.float32)
            angles = np.linspace(0, 2 * np.pi, self._landmarks, endpoint=False)
            landmarks = np.stack([x0 + side * (0.5 + 0.4 * np.cos(angles)),
                                  y0 + side * (0.5 + 0.4 * np.sin(angles))], axis=1).astype(np.float32)
            scale = self._crop / side
            transform = np.array([[scale, 0, -x0 * scale], [0, scale, -y0 * scale]], np.float32)
            yield FaceResult(index, True, None, box, landmarks, transform, True, 1.0, 1.0, 0.0, False, True)


@pytest.fixture
def fake_face_tracker():
    """A fast FAKE face tracker (a pipeline factory for ReviewerWindow(face_pipeline=...)), for UI tests
    that do NOT test face tracking: opening, labelling, analysis, exports, faults. Their window tracks the
    face on first open, and waiting for dlib to track the whole video would only slow them down. It is not
    a test double for tracking itself: tests of tracking (the overlay, the track's quality, closing the
    window mid-tracking) use make_window() without it, i.e. the real dlib pipeline."""
    return FakeFacePipeline
