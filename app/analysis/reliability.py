"""How far a spotter's confidence can be trusted: for each kind of suggestion, the mean confidence against the share
that matched a labelled interval (MEGC, `evaluate_spotting`), over all suggestions that carry a confidence and per
confidence band. Where the confidence is calibrated, suggestions at about 0.8 are right about 8 times in 10; the
reviewer's threshold and likeliest-first order rely on it. Pure: no I/O."""

from __future__ import annotations

import statistics
from typing import Mapping

from app.analysis.evaluate import SpottingResult

BANDS = (0.0, 0.25, 0.5, 0.75, 1.0)


def confidence_check(results: Mapping[str, SpottingResult], bands: tuple[float, ...] = BANDS) -> dict:
    """{kind: {n, mean_confidence, right, bands: [{from, to, n, mean_confidence, right}]}} for micro and macro
    suggestions that carry a confidence (`right`: the share matched); a kind without any is left out. A band holds
    from <= confidence < to, the last one its upper edge too; empty bands are left out."""
    out = {}
    for kind in ("micro", "macro"):
        result = results.get(kind)
        if result is None:
            continue
        scored = ([(p.confidence, 1.0) for _, p, _ in result.hits if p.confidence is not None]
                  + [(p.confidence, 0.0) for p in result.false_alarms if p.confidence is not None])
        if not scored:
            continue
        rows = []
        for i, (low, high) in enumerate(zip(bands, bands[1:])):
            last = i == len(bands) - 2
            inside = [(c, r) for c, r in scored if low <= c < high or (last and c == high)]
            if inside:
                rows.append({"from": low, "to": high, **_summary(inside)})
        out[kind] = {**_summary(scored), "bands": rows}
    return out


def _summary(scored: list[tuple[float, float]]) -> dict:
    return {"n": len(scored), "mean_confidence": statistics.fmean(c for c, _ in scored),
            "right": statistics.fmean(r for _, r in scored)}


def confidence_lines(check: dict) -> list[str]:
    """The printout of a confidence check."""
    lines = ["Confidence against the share right (a suggestion is right when it matches a labelled interval)"]
    for kind, c in check.items():
        lines.append(f"  {kind}: {c['n']} suggestions, mean confidence {c['mean_confidence']:.2f}, "
                     f"{100 * c['right']:.0f} % right")
        lines.append("    by confidence: " + "; ".join(
            f"{b['from']:.2f}–{b['to']:.2f}: {b['n']} (mean {b['mean_confidence']:.2f}), "
            f"{100 * b['right']:.0f} % right" for b in c["bands"]))
    return lines
