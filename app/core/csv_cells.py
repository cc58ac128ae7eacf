"""Numbers in per-frame CSVs: an empty cell where a value was not computed (NaN)."""

from __future__ import annotations

import math


def number_cell(value: float, spec: str = ".3f") -> str:
    """`value` formatted with `spec` (e.g. ".6f", ".6g"); "" when it is not a finite number."""
    value = float(value)
    return format(value, spec) if math.isfinite(value) else ""
