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
