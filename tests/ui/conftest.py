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
    """make_window() -> a shown reviewer window with its own settings file, closed by qtbot at the end."""
    from PySide6.QtCore import QSettings

    from app.ui.main_window import ReviewerWindow

    def make():
        window = ReviewerWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
        qtbot.addWidget(window)
        window.show()
        return window
    return make
