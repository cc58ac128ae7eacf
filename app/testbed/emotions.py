"""Which action-unit combinations this renderer shows for each emotion label (its own choice of sets).

Each list reads: the prototypical combination first, then the partial or one-sided forms a short, suppressed
expression often shows. "others" is single units that belong to no emotion here.
"""

from __future__ import annotations

AU_SETS: dict[str, tuple[str, ...]] = {
    "happiness": ("6+12", "12", "L12", "R12"),
    "disgust": ("9", "10", "4+9", "4+10", "9+10"),
    "surprise": ("1+2", "1+2+5"),
    "repression": ("14", "17", "23", "24", "17+24", "L14", "R14"),
    "fear": ("1+2+4+20", "1+4+20"),
    "sadness": ("1+4+15", "1+15"),
    "anger": ("4+7+23", "4+7"),
    "others": ("1", "2", "L2", "R2", "5", "7", "25", "26", "20"),
}
EMOTIONS = tuple(AU_SETS)
