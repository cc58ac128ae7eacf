"""Where the command line keeps its caches."""

from __future__ import annotations

import os
from pathlib import Path


def default_cache_dir() -> Path:
    """$TSFMICRO_CACHE_DIR, else $XDG_CACHE_HOME/tsfmicro, else ~/.cache/tsfmicro."""
    base = os.environ.get("TSFMICRO_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "tsfmicro")
    return Path(base)
