"""The phases of a facial expression, in the order of the spotting head's outputs: the one definition.

`PHASES[i]` names column i of every (n, 4) phase-probability array: the spotting head's output, the analysis' chunks,
the proposal decoder's input and the `p_<phase>` columns of frames.csv. "none" is "no expression under way"; an
expression runs onset → apex → offset, the same words as a labelled interval's three frames. Imports nothing (no
torch), so light modules (the proposal decoder, file formats) can use it.
"""

from __future__ import annotations

PHASES = ("none", "onset", "apex", "offset")
