"""Does the spotter's warning hold? `tsfmicro evaluate --spotter learned` splits the labelled videos into those where
the spotter said it cannot see faint micro-expressions (`relative_evidence.Sensitivity.blind`) and the rest, and
scores micro spotting in each group: where the warning is right, few micro-expressions are found under it.
"""

from __future__ import annotations

from typing import Callable, Hashable, Mapping, Optional, Sequence

from app.analysis.breakdown import spotting_summary
from app.analysis.evaluate import evaluate_spotting
from app.analysis.relative_evidence import Sensitivity
from app.core.events import Event


def sensitivity_check(truth: Sequence[Event], pred: Sequence[Event], key: Callable[[Event], Hashable],
                      seen: Mapping[Hashable, Optional[Sensitivity]]) -> Optional[dict]:
    """For the videos in `seen` (video key → its sensitivity; None where it has none): per group, warned and not
    warned, the number of videos, the range of their floors (% eye span) and micro spotting there. None when no video
    has a sensitivity (a spotter without relative evidence)."""
    measured = {video: s for video, s in seen.items() if s is not None}
    if not measured:
        return None
    out = {}
    for group, warned in (("warned", True), ("not_warned", False)):
        videos = {video for video, s in measured.items() if s.blind == warned}
        floors = [measured[video].floor for video in videos]
        micro = evaluate_spotting([e for e in truth if key(e) in videos], [e for e in pred if key(e) in videos],
                                  key)["micro"]
        out[group] = {"videos": len(videos), "floor_min": min(floors) if floors else None,
                      "floor_max": max(floors) if floors else None, "micro": spotting_summary(micro)}
    out["per_video"] = {str(video): s.as_dict() for video, s in sorted(measured.items(), key=lambda kv: str(kv[0]))}
    return out


def sensitivity_lines(check: dict) -> list[str]:
    """The printout of a `sensitivity_check`."""
    lines = ["Where the spotter warned that it cannot see faint micro-expressions (sensitivity over the micro limit):"]
    for group, label in (("warned", "warned"), ("not_warned", "not warned")):
        g = check[group]
        floors = "" if g["floor_min"] is None else f", floor {g['floor_min']:.2f}–{g['floor_max']:.2f} % eye span"
        m = g["micro"]
        lines.append(f"  {label}: {g['videos']} videos{floors}; micro-expressions found "
                     f"{m['tp']} / {m['tp'] + m['fn']}, false micro suggestions {m['fp']}")
    return lines
