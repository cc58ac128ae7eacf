"""Output folder names: `OUT/<name>/` per video, unique and deterministic.

Rule (documented in docs/batch.md):
1. name = the video's file stem, with characters that are unsafe in file names (`<>:"/\\|?*`, control
   characters) replaced by '_' (an empty result becomes 'video').
2. Names are compared case-insensitively (macOS and Windows file systems are), and the names of the batch's own
   files (summary.csv, run.json) are reserved.
3. Videos whose names collide all get a suffix: `<stem>__<parent folders>`, the folders between the colliding
   videos' deepest common folder and the video, joined with '-' (interviews/day1/p01.mp4 and
   interviews/day2/p01.mp4 → p01__day1 and p01__day2). Videos in the same folder (p01.mp4, p01.mov) add the
   extension: p01__mp4, p01__mov (p01__day1_mp4 when both apply).
4. Anything still colliding gets ~2, ~3, ... in input order.

The names depend only on the list of videos, so the same INPUT gives the same names on every run and engine.
Adding a video whose stem collides with an already scored one renames both (the old folder stays; see docs).
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from pathlib import Path
from typing import Sequence

RESERVED = frozenset({"summary.csv", "run.json"})
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def safe_stem(path: Path) -> str:
    name = _UNSAFE.sub("_", path.stem).strip().rstrip(".")
    return name or "video"


def _key(name: str) -> str:
    return name.casefold()


def _suffixed(paths: Sequence[Path]) -> list[str]:
    """Names for videos that share one stem: parent folders below their common folder, then the extension."""
    common = Path(os.path.commonpath([str(p.parent) for p in paths]))
    parents = ["-".join(_UNSAFE.sub("_", part) for part in p.parent.relative_to(common).parts) for p in paths]
    same_parent = defaultdict(list)
    for p, parent in zip(paths, parents):
        same_parent[_key(parent)].append(p)
    names = []
    for p, parent in zip(paths, parents):
        ext = p.suffix.lstrip(".") if len(same_parent[_key(parent)]) > 1 else ""
        tail = "_".join(x for x in (parent, _UNSAFE.sub("_", ext)) if x)
        names.append(f"{safe_stem(p)}__{tail}" if tail else safe_stem(p))
    return names


def output_names(videos: Sequence[Path]) -> list[str]:
    """One folder name per video (same order), unique case-insensitively and never a reserved name."""
    videos = [Path(v) for v in videos]
    names = [safe_stem(v) for v in videos]
    groups = defaultdict(list)
    for i, name in enumerate(names):
        groups[_key(name)].append(i)
    for key, members in groups.items():
        if len(members) > 1 or key in RESERVED:
            for i, name in zip(members, _suffixed([videos[i] for i in members])):
                names[i] = name if _key(name) not in RESERVED else f"{name}__video"
    taken: set[str] = set()
    out = []
    for name in names:
        final, n = name, 1
        while _key(final) in taken or _key(final) in RESERVED:
            n += 1
            final = f"{name}~{n}"
        taken.add(_key(final))
        out.append(final)
    return out
