"""`tsfmicro-studio [VIDEO]`: the desktop application."""

from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence

from app.resources import MissingResourceError, demo_video_path, resource_path
from app.selftest import run_self_test


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="tsfmicro-studio", description="TSFmicro Studio")
    parser.add_argument("video", nargs="?", help="video file, frame folder or .tsfproj project (default: the bundled demo video)")
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation offscreen (model, demo-clip analysis, CSV, window) and exit: "
                             "0 when everything works")
    args = parser.parse_args(argv)
    if args.self_test:
        return run_self_test()

    # lazy: Qt loads only now, after --self-test had the chance to choose its offscreen platform
    from PySide6.QtWidgets import QApplication

    from app.ui.main_window import ReviewerWindow

    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    qt_app.setApplicationName("TSFmicro Studio")
    _set_window_icon(qt_app)
    window = ReviewerWindow()
    window.show()
    window.open_path(args.video or demo_video_path())
    return qt_app.exec()


def _set_window_icon(qt_app) -> None:
    from PySide6.QtGui import QIcon  # lazy: Qt, as in main

    try:
        qt_app.setWindowIcon(QIcon(str(resource_path("icons", "tsfmicro-studio.png"))))
    except MissingResourceError:
        pass  # cosmetic only


if __name__ == "__main__":
    sys.exit(main())
