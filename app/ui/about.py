"""Help > About: the version, the card of the model that analysed this video (or what ships), and
the licences of what is bundled (docs/packaging.md has the full list)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QMessageBox, QWidget

from app import __version__


def about_text(model_text: str) -> str:
    frozen = " (packaged build)" if getattr(sys, "frozen", False) else ""
    return "\n".join([
        f"TSFmicro Studio {__version__}{frozen}",
        "",
        "A reviewer's aid for micro-expressions; not a lie detector.",
        "",
        model_text,
        "",
        "Licences of bundled components:",
        "- dlib's 68-point landmark model (shape_predictor_68_face_landmarks.dat, trained on iBUG 300-W): "
        "NON-COMMERCIAL use only. Commercial use needs a landmark model you are licensed to use.",
        "- dlib's 5-point landmark model and MMOD face detector: public domain (Davis King); "
        "the dlib library: Boost Software License 1.0.",
        "- Qt 6 / PySide6: LGPLv3 (shared libraries; you may replace them).",
        "- PyTorch: BSD-3-Clause. OpenCV: Apache-2.0 (its FFmpeg decoding libraries: LGPL 2.1+). "
        "NumPy: BSD-3-Clause. pyqtgraph: MIT.",
        "- The FFmpeg program (imageio-ffmpeg) is not bundled: only `tsfmicro synth` uses it, from a source "
        "install.",
    ])


def show_about(parent: QWidget, model_text: str) -> None:
    QMessageBox.about(parent, "About TSFmicro Studio", about_text(model_text))
