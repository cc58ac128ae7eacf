"""The learned motion spotter: per-frame micro / macro probabilities read from region motion, intervals from them,
and a confidence per interval that was calibrated on validation videos.

Input: the (n, L, R, 2) region motion of a video (`region_flow`). Frame u's features are, for every lag k and
region, A_u^k (how the region moved from u − k to u) and A_{u+k}^k (from u to u + k): a movement that went and
came back shows as the two pointing opposite ways, speech as the lips and chin moving together, a held
macro-expression as one long push. A small temporal convolution network (receptive field about 1 s) reads them at
30 frames a second (other frame rates are resampled in time) and gives (none, micro, macro) per frame. Several
such networks trained from different seeds may be averaged (`SpotterEnsemble`): one seed's network varies a lot on
footage unlike its training data, their average less.

Intervals: `propose_events` on the micro probability (runs longer than a micro-expression are dropped, so a
macro-expression is never cut into micro pieces), and separately on the macro probability (kept as macro when it
lasts 0.5–4 s, as macro-expressions do: a longer stretch of macro activity is speech or restlessness). With
`evidence_decoding` set (the bundled spotter's default since format 3), micro intervals also come from the
go-and-return evidence measured against the video's own background (`relative_evidence`): those first, then the
network's micro intervals that overlap none of them. The network finds micro-expressions like the ones it was
trained on; the relative evidence finds a small movement that went and came back wherever it stands out from the
face's own background, speech included, which the network, trained on synthetic faces, mostly does not.
The apex is the frame of strongest go-and-return evidence inside the interval (`region_flow.go_and_return`, the
best region), the region is named in notes, and the confidence is P(the interval is a real event) as measured on
validation videos, read from a table fitted there (isotonic regression of hit / miss on the interval's peak
probability); on footage unlike them it orders the suggestions rather than measures them (docs/spotter.md).

Checkpoints are data (`torch.load(weights_only=True)`): weights, architecture, lags, decoding (its configs in the one
plain-dict form, `model.config_to_dict` / `config_from_dict`), calibration and a model card naming the training and
test data.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, Optional, Union

import numpy as np
import torch
from torch import nn

from app.analysis.evaluate import interval_iou
from app.analysis.proposals import ProposalConfig, curve_channels, propose_events
from app.analysis.region_flow import EVIDENCE_REGIONS, LAGS_S, RegionFlowStream, go_and_return, lag_frames
from app.analysis.relative_evidence import (EvidenceConfig, Sensitivity, as_curve, did_not_return, evidence_runs,
                                            micro_like_score, sensitivity)
from app.core.atomic import atomic_write_bytes
from app.core.events import Event
from app.resources import default_spotter_path
from model import config_from_dict, config_to_dict

RATE = 30.0  # frames a second the network reads
CLASSES = ("none", "micro", "macro")
FORMAT = "tsfmicro-learned-spotter"
VERSION = 3  # 3: relative-evidence decoding; 2: the weights of one or more members (an ensemble); 1: one member
NOTE = "learned motion spotter"
EVIDENCE_NOTE = "relative evidence"
CONFIDENCE_NOTE = ("Confidence: how often a suggestion like it (micro or macro) was right on this spotter's validation "
                   "videos (val_csv above). Where those differ from your footage (the bundled spotter's are "
                   "synthetic), read it as an order within the micro or within the macro suggestions, not as a "
                   "probability: on the held-out test renderer the bundled spotter's macro confidence overstates "
                   "most (docs/spotter.md, \"Is the confidence honest?\").")


class SpotterError(ValueError):
    """A learned-spotter file that cannot be used; the message names the file."""


def evidence_features(moves: np.ndarray, lags: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(X (n, 2·L·R·2) float32 in % eye span, valid (n,) bool) from (n, L, R, 2) region motion at `lags` frames."""
    n, n_lags = moves.shape[:2]
    parts = []
    for j, k in enumerate(lags):
        back = moves[:, j].reshape(n, -1)
        ahead = np.full_like(back, np.nan)
        ahead[:max(0, n - k)] = back[k:]
        parts += [back, ahead]
    features = np.concatenate(parts, axis=1) * 100.0 if parts else np.zeros((n, 0))
    valid = np.isfinite(features).all(axis=1)
    return np.nan_to_num(features).astype(np.float32), valid


def resample(values: np.ndarray, n_out: int) -> np.ndarray:
    """(n, ...) values linearly resampled in time to n_out rows (same span: first and last row kept)."""
    n = len(values)
    if n == n_out or n == 0:
        return values.copy()
    src = np.linspace(0.0, n - 1, n_out)
    lo = np.floor(src).astype(int)
    hi = np.minimum(lo + 1, n - 1)
    w = (src - lo).reshape(-1, *([1] * (values.ndim - 1)))
    return values[lo] * (1 - w) + values[hi] * w


class SpotterNet(nn.Module):
    """Temporal convolutions (dilations 1, 2, 4) over per-frame features → (none, micro, macro) logits."""

    def __init__(self, n_features: int, hidden: int = 32):
        super().__init__()
        self.n_features, self.hidden = n_features, hidden
        self.layers = nn.Sequential(
            nn.Conv1d(n_features, hidden, 5, padding=2), nn.ReLU(),
            nn.Conv1d(hidden, hidden, 5, padding=4, dilation=2), nn.ReLU(),
            nn.Conv1d(hidden, hidden, 5, padding=8, dilation=4), nn.ReLU(),
            nn.Conv1d(hidden, len(CLASSES), 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, F, n) -> (B, 3, n)
        return self.layers(x)


class SpotterEnsemble(nn.Module):
    """Several `SpotterNet`s trained from different seeds; forward gives the log of their mean probabilities, so a
    softmax of it is the average of the members' (none, micro, macro) probabilities."""

    def __init__(self, members: list[SpotterNet]):
        super().__init__()
        if not members:
            raise ValueError("an ensemble needs at least one member")
        self.members = nn.ModuleList(members)
        self.n_features, self.hidden = members[0].n_features, members[0].hidden

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        probs = torch.stack([torch.softmax(m(x), dim=1) for m in self.members]).mean(dim=0)
        return torch.log(probs.clamp_min(1e-12))


def network_input(moves: np.ndarray, fps: float, lags_s: tuple[float, ...] = LAGS_S) -> tuple[np.ndarray, np.ndarray]:
    """(features at RATE frames a second (m, F), valid (m,)) of a video's region motion at `fps`."""
    features, valid = evidence_features(moves, lag_frames(fps, lags_s))
    n_out = max(1, int(round(len(features) * RATE / fps))) if len(features) else 0
    if n_out == len(features):
        return features, valid
    return resample(features, n_out).astype(np.float32), resample(valid.astype(np.float64), n_out) > 0.999


def calibrated(table: tuple[tuple[float, float], ...], score: float) -> float:
    """The calibration table's probability at `score` (linear between its points, flat beyond them)."""
    if not table:
        return float(score)
    xs, ys = zip(*table)
    return float(np.interp(score, xs, ys))


@dataclass
class LearnedSpotter:
    """A trained network with its lags, decoding and calibration, and the model card of how it was made."""

    net: Union[SpotterNet, SpotterEnsemble]
    lags_s: tuple[float, ...] = LAGS_S
    regions: tuple[str, ...] = EVIDENCE_REGIONS
    micro: ProposalConfig = field(default_factory=lambda: ProposalConfig(
        smooth_s=0.1, theta_hi=0.5, theta_lo=0.3, micro_max_s=0.5, long_runs="drop"))
    macro: ProposalConfig = field(default_factory=lambda: ProposalConfig(
        smooth_s=0.2, theta_hi=0.6, theta_lo=0.4, min_duration_s=0.5, micro_max_s=0.5, macro_max_s=4.0))
    calibration: tuple[tuple[float, float], ...] = ()
    card: dict = field(default_factory=dict)
    evidence_decoding: Optional[EvidenceConfig] = None  # None: micro intervals from the network alone
    evidence_calibration: tuple[tuple[float, float], ...] = ()  # (relative score, P(hit)) for evidence intervals
    macro_calibration: tuple[tuple[float, float], ...] = ()  # (peak P(macro), P(hit)) for macro suggestions

    def probabilities(self, moves: np.ndarray, fps: float) -> np.ndarray:
        """(n, 3) per-frame (none, micro, macro) probabilities at the video's own frame rate; NaN where the face was
        missing at u, u − k or u + k."""
        n = len(moves)
        if n == 0:
            return np.zeros((0, 3))
        features, valid = network_input(moves, fps, self.lags_s)
        self.net.eval()
        with torch.no_grad():
            logits = self.net(torch.from_numpy(features.T[None].copy()))[0].T
        probs = torch.softmax(logits.double(), dim=-1).numpy()
        probs[~valid] = np.nan
        if len(probs) != n:
            probs = resample(probs, n)
        return probs

    def evidence(self, moves: np.ndarray, fps: float) -> np.ndarray:
        """(n, L, R) go-and-return evidence per frame, lag and region (% eye span), NaN where missing."""
        return go_and_return(moves, lag_frames(fps, self.lags_s))

    def events(self, probs: np.ndarray, moves: np.ndarray, fps: float, *, video: str,
               subject: str = "") -> list[Event]:
        """Suggested micro and macro intervals of one video (source model, status suggested) from its probabilities
        and its (n, L, R, 2) region motion, each with its apex at the strongest go-and-return evidence, the region in
        notes and a calibrated confidence. With relative-evidence decoding, a micro suggestion whose region did not
        come back (`relative_evidence.did_not_return`: a piece of a longer expression) is dropped."""
        evidence = self.evidence(moves, fps)
        strongest = strongest_lag(evidence)

        def at_peak(event: Event, confidence: float, source: str = "") -> Event:
            apex, region = _evidence_peak(strongest, event, self.regions)
            how = ", ".join(part for part in (region, source) if part)
            return dataclasses.replace(event, apex_frame=apex, confidence=round(confidence, 4),
                                       notes=f"{NOTE} ({how})" if how else NOTE)

        out = [at_peak(e, e.confidence, EVIDENCE_NOTE) for e in self._evidence_events(evidence, fps, video=video,
                                                                                      subject=subject)]
        taken = [(e.onset_frame, e.offset_frame) for e in out]
        network = [e for e in propose_events(curve_channels(probs[:, 1]), fps, video=video, subject=subject,
                                             config=self.micro, id_prefix="spot-micro-")
                   if e.kind == "micro" and not any(interval_iou((e.onset_frame, e.offset_frame), t) for t in taken)]
        network += [dataclasses.replace(e, kind="macro") for e in propose_events(
            curve_channels(probs[:, 2]), fps, video=video, subject=subject, config=self.macro,
            id_prefix="spot-macro-")]
        for event in network:
            micro = event.kind == "micro"
            peak = float(np.nanmax(probs[event.onset_frame:event.offset_frame + 1, 1 if micro else 2]))
            out.append(at_peak(event, calibrated(self.calibration if micro else self.macro_calibration, peak)))
        if self.evidence_decoding is not None:
            micro = [e for e in out if e.kind == "micro"]
            stayed = did_not_return(moves, evidence, lag_frames(fps, self.lags_s),
                                    [(e.onset_frame, e.offset_frame) for e in micro], self.regions,
                                    self.evidence_decoding, fps)
            dropped = {id(e) for e, s in zip(micro, stayed) if s}
            out = [e for e in out if id(e) not in dropped]
        return sorted(out, key=lambda e: (e.onset_frame, e.kind))

    def decoding_summary(self) -> str:
        """How its probabilities and motion become suggestions, in a sentence, for the model card."""
        micro, macro, evidence = self.micro, self.macro, self.evidence_decoding
        text = (f"micro θ {micro.theta_hi}/{micro.theta_lo}, smoothing {micro.smooth_s} s; macro θ {macro.theta_hi}/"
                f"{macro.theta_lo}, smoothing {macro.smooth_s} s, suggestions joined within {macro.merge_gap_s} s"
                + ("" if macro.macro_max_s is None else f", {macro.min_duration_s}–{macro.macro_max_s} s long"))
        if evidence is None:
            return text
        stretches = (f", read over the frames of about the same activity (within {evidence.stretch_ratio:g} ×)"
                     if evidence.stretch_ratio else "")
        return (f"{text}; plus relative-evidence intervals ({evidence.threshold} × the video's own background"
                f"{stretches}, at most {evidence.max_evidence} % eye span); micro suggestions whose region did not "
                f"come back (net displacement over {evidence.return_ratio} of the movement) dropped")

    def _evidence_events(self, evidence: np.ndarray, fps: float, *, video: str, subject: str) -> list[Event]:
        """Micro intervals from the relative evidence (none without `evidence_decoding`), confidence calibrated."""
        if self.evidence_decoding is None:
            return []
        threshold = self.evidence_decoding.threshold
        return [Event(video=video, subject=subject, event_id=f"spot-micro-{run.onset}", onset_frame=run.onset,
                      apex_frame=run.onset, offset_frame=run.offset, fps=float(fps), kind="micro", emotion="none",
                      source="model", status="suggested",
                      confidence=(calibrated(self.evidence_calibration, run.score) if self.evidence_calibration
                                  else run.score / (run.score + threshold)))
                for run in evidence_runs(evidence, self.regions, fps, self.evidence_decoding)]

    # ---------------------------------------------------------------- files

    def save(self, path: Union[str, os.PathLike]) -> Path:
        buffer = io.BytesIO()
        members = list(self.net.members) if isinstance(self.net, SpotterEnsemble) else [self.net]
        torch.save({"format": FORMAT, "version": VERSION, "state_dicts": [m.state_dict() for m in members],
                    "n_features": self.net.n_features, "hidden": self.net.hidden, "lags_s": list(self.lags_s),
                    "regions": list(self.regions), "micro": config_to_dict(self.micro),
                    "macro": config_to_dict(self.macro), "calibration": [list(p) for p in self.calibration],
                    "evidence_decoding": (None if self.evidence_decoding is None
                                          else config_to_dict(self.evidence_decoding)),
                    "evidence_calibration": [list(p) for p in self.evidence_calibration],
                    "macro_calibration": [list(p) for p in self.macro_calibration],
                    "card": dict(self.card)}, buffer)
        path = Path(path)
        atomic_write_bytes(path, buffer.getvalue())
        return path

    @classmethod
    def load(cls, path: Union[str, os.PathLike]) -> "LearnedSpotter":
        path = Path(path)
        try:
            data = torch.load(path, map_location="cpu", weights_only=True)
        except FileNotFoundError:
            raise SpotterError(f"{path}: no such file") from None
        except Exception as error:  # noqa: BLE001 - any unreadable file gets the same clear message
            raise SpotterError(f"{path}: not a learned-spotter file ({type(error).__name__}: {error})") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise SpotterError(f"{path}: not a learned-spotter file")
        if data.get("version", 0) > VERSION:
            raise SpotterError(f"{path}: made by a newer version (format {data['version']}); update TSFmicro Studio")
        try:
            states = data["state_dicts"] if "state_dicts" in data else [data["state_dict"]]
            members = [SpotterNet(int(data["n_features"]), int(data["hidden"])) for _ in states]
            for member, state in zip(members, states):
                member.load_state_dict(state)
            net = members[0] if len(members) == 1 else SpotterEnsemble(members)
            decoding = data.get("evidence_decoding")
            return cls(net, tuple(data["lags_s"]), tuple(data["regions"]),
                       config_from_dict(ProposalConfig, data["micro"], "micro"),
                       config_from_dict(ProposalConfig, data["macro"], "macro"),
                       tuple(tuple(p) for p in data["calibration"]), dict(data["card"]),
                       None if decoding is None else config_from_dict(EvidenceConfig, decoding, "evidence_decoding"),
                       tuple(tuple(p) for p in data.get("evidence_calibration", ())),
                       tuple(tuple(p) for p in data.get("macro_calibration", ())))
        except (KeyError, TypeError, ValueError, RuntimeError) as error:
            raise SpotterError(f"{path}: damaged learned-spotter file ({error})") from None


def strongest_lag(scores: np.ndarray) -> np.ndarray:
    """(n, R) the largest of (n, L, R) scores over the lags, NaN where every lag is NaN."""
    filled = np.where(np.isnan(scores), -np.inf, scores).max(axis=1) if scores.shape[1] else scores[:, 0]
    return np.where(np.isfinite(filled), filled, np.nan)


class LearnedOutput(NamedTuple):
    """What one pass of the learned spotter over a video found (`LearnedRun.finish`)."""

    curve: np.ndarray        # (n,) P(micro); with relative-evidence decoding the larger of it and the relative curve
    evidence: np.ndarray     # (n,) the strongest go-and-return evidence, % eye span, NaN where not measured
    region: list[str]        # (n,) the region of that evidence ('' where not measured)
    events: list[Event]
    sensitivity: Optional[Sensitivity]  # what the relative evidence could see here (None without it)
    relative: Optional[np.ndarray] = None  # (n,) the micro-like relative score (`micro_like_score`; None without it)


class LearnedRun:
    """One streaming pass of the learned spotter over a video: `update` takes every face-pipeline result in frame order
    (the region motion is measured as the frames go by; under 0.5 KB a frame is kept, about 40 MB for an hour at
    30 fps); `finish` reads the whole video's motion and returns a `LearnedOutput`."""

    def __init__(self, spotter: LearnedSpotter, fps: float):
        self.spotter, self.fps = spotter, fps
        self._stream = RegionFlowStream(fps, spotter.lags_s, spotter.regions)
        self._moves: list[np.ndarray] = []

    def update(self, result) -> None:
        self._moves.append(self._stream.update(result).astype(np.float32))

    def finish(self, *, video: str, subject: str = "") -> LearnedOutput:
        shape = (0, len(self.spotter.lags_s), len(self.spotter.regions), 2)
        moves = np.stack(self._moves) if self._moves else np.zeros(shape, np.float32)
        probs = self.spotter.probabilities(moves, self.fps)
        evidence = self.spotter.evidence(moves, self.fps)
        filled = strongest_lag(evidence)
        filled = np.where(np.isfinite(filled), filled, -np.inf)
        best = filled.argmax(axis=1)
        score = filled[np.arange(len(filled)), best]
        region = [self.spotter.regions[b] if np.isfinite(v) else "" for b, v in zip(best, score)]
        events = self.spotter.events(probs, moves, self.fps, video=video, subject=subject)
        curve, seen, relative = probs[:, 1], None, None
        decoding = self.spotter.evidence_decoding
        if decoding is not None and len(curve):
            relative = micro_like_score(evidence, self.spotter.regions, decoding, self.fps)
            # NaN: no face, not computed
            curve = np.where(np.isnan(curve), np.nan, np.fmax(curve, as_curve(relative, decoding)))
            seen = sensitivity(evidence, self.spotter.regions, decoding, self.fps)
        return LearnedOutput(curve, np.where(np.isfinite(score), score, np.nan), region, events, seen, relative)


@functools.lru_cache(maxsize=1)
def _cached(path: str, mtime: float) -> LearnedSpotter:
    return LearnedSpotter.load(path)


def spotter_at(path: Union[str, os.PathLike]) -> LearnedSpotter:
    """The learned spotter in file `path` (loaded once while the file is unchanged); SpotterError naming the file
    when it is missing or not a spotter."""
    path = Path(path)
    if not path.is_file():
        raise SpotterError(f"{path}: no such spotter file")
    return _cached(str(path.resolve()), path.stat().st_mtime)


def default_spotter() -> LearnedSpotter:
    """The bundled learned spotter (loaded once); SpotterError when this installation has none."""
    path = default_spotter_path()
    if path is None:
        raise SpotterError("this installation has no bundled learned spotter (resources/models/spotter.pt); "
                           "use the training-free spotter (--method flow)")
    return spotter_at(path)


def _evidence_peak(evidence: np.ndarray, event: Event, regions: tuple[str, ...]) -> tuple[int, str]:
    """(frame, region) of the strongest go-and-return evidence inside the event; its middle when there is none."""
    span = evidence[event.onset_frame:event.offset_frame + 1]
    if span.size == 0 or not np.isfinite(span).any():
        return (event.onset_frame + event.offset_frame) // 2, ""
    flat = int(np.nanargmax(np.where(np.isfinite(span), span, -np.inf)))
    row, col = divmod(flat, span.shape[1])
    return event.onset_frame + row, regions[col]
