"""`tsfmicro-studio [VIDEO]`: the desktop application."""

from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="tsfmicro-studio", description="TSFmicro Studio")
    parser.add_argument("video", nargs="?", help="video file, frame folder or .tsfproj project (default: the bundled demo video)")
    args = parser.parse_args(argv)

    from PySide6.QtWidgets import QApplication

    from app.resources import demo_video_path
    from app.ui.main_window import ReviewerWindow

    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    qt_app.setApplicationName("TSFmicro Studio")
    window = ReviewerWindow()
    window.show()
    window.open_path(args.video or demo_video_path())
    return qt_app.exec()


if __name__ == "__main__":
    sys.exit(main())
