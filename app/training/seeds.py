"""Seeds derived per purpose, so every random draw of a run is fixed by (run seed, purpose, fold, epoch, rank) and
does not depend on what ran before: a resumed run draws exactly what the uninterrupted one drew."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def derive_seed(seed: int, *keys: Any) -> int:
    """A 31-bit seed for one purpose, e.g. derive_seed(2, "augment", "sub01", 7, 0)."""
    text = json.dumps([seed, *keys])
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") & 0x7FFFFFFF
