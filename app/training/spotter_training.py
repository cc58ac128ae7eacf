"""Training the learned motion spotter (`app.analysis.learned_spotter`) on labelled videos.

1. Region motion of every video (`region_flow`, through the app's face pipeline), cached by content hash.
2. Per-frame targets: micro inside a labelled micro-expression (onset..offset), macro inside a macro-expression,
   none elsewhere — including the clips' own speech, blinks, head motion and laughter, which are not labelled.
3. The network is trained with class-balanced cross-entropy and gain / noise augmentation of the features.
4. On the validation videos only, read by the network once (`score_videos`): the micro threshold and smoothing that
   give the best micro spotting F1 of the network and the macro threshold, smoothing and joining gap that give the
   best macro F1, then confidence tables (isotonic regression of hit / false suggestion): on each network micro
   interval's peak P(micro), each macro one's peak P(macro), and each relative-evidence interval's peak score
   (`relative_evidence`).
Nothing here reads a test set; `tsfmicro train-spotter --test` measures the finished spotter last.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence, Union

import numpy as np
import torch
from torch import nn

from app.analysis.evaluate import evaluate_spotting, match_intervals
from app.analysis.learned_spotter import CLASSES, LearnedSpotter, SpotterEnsemble, SpotterNet, network_input
from app.analysis.relative_evidence import EvidenceConfig, did_not_return, evidence_runs
from app.analysis.region_flow import LAGS_S, RegionFlowStream, lag_frames
from app.core.events import Event
from app.core.test_only import refuse_test_only
from app.face import FaceConfig, FacePipeline
from app.media import open_video
from app.media.hashing import content_hash
from app.training.heldout import labelled_truth

Log = Callable[[str], None]
THETAS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
SMOOTHING_S = (0.0, 0.1, 0.2)
MACRO_THETAS = (0.5, 0.6, 0.7, 0.8, 0.9)  # P(macro) that opens a macro suggestion (θ_lo = 2/3 θ_hi)
MACRO_SMOOTHING_S = (0.0, 0.2, 0.4)
MACRO_GAPS_S = (0.0, 0.5, 1.0, 1.5)  # macro suggestions this close are joined (`ProposalConfig.merge_gap_s`)


@dataclass
class LabelledVideo:
    name: str            # the video's path, as events name it
    fps: float
    moves: np.ndarray    # (n, L, R, 2) region motion
    truth: list[Event]


def region_motion(video_path: str | os.PathLike, fps: Optional[float] = None,
                  cache_dir: Optional[Path] = None, on_frame: Optional[Callable[[int], None]] = None) -> tuple[np.ndarray, float]:
    """((n, L, R, 2) region motion, fps) of a whole video, read from `cache_dir` when it was measured before."""
    cached = None
    if cache_dir is not None:
        cached = Path(cache_dir) / f"region_motion_{content_hash(video_path)}_{'_'.join(map(str, LAGS_S))}.npz"
        if cached.is_file():
            with np.load(cached) as data:
                return data["moves"], float(data["fps"])
    with open_video(video_path, fps=fps) as video:
        rate = video.probe().fps
        stream = RegionFlowStream(rate)
        moves = []
        for result in FacePipeline(FaceConfig(), rate).run(video.iter_frames()):
            moves.append(stream.update(result))
            if on_frame is not None:
                on_frame(len(moves))
    out = np.stack(moves).astype(np.float32) if moves else np.zeros((0, len(LAGS_S), 11, 2), np.float32)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(".partial.npz")
        np.savez_compressed(partial, moves=out, fps=rate)
        os.replace(partial, cached)
    return out, rate


def labelled_videos(csv_path: str | os.PathLike, cache_dir: Optional[Path] = None, log: Log = print, *,
                    allow_test_only: bool = False, role: str = "training") -> list[LabelledVideo]:
    """Every video of a training CSV with its region motion and its accepted events (video = resolved path). A
    test-only set is refused unless `allow_test_only` (measuring a finished spotter)."""
    if not allow_test_only:
        refuse_test_only(csv_path, role)
    data, truth = labelled_truth(csv_path)
    by_video: dict[str, list[Event]] = {}
    for event in truth:
        by_video.setdefault(event.video, []).append(event)
    out = []
    for i, (video, events) in enumerate(sorted(by_video.items())):
        moves, fps = region_motion(video, events[0].fps, cache_dir)
        out.append(LabelledVideo(video, fps, moves, events))
        log(f"region motion {i + 1}/{len(by_video)}: {Path(video).name} ({len(moves)} frames)")
    return out


def frame_targets(n: int, events: Sequence[Event]) -> np.ndarray:
    """(n,) class index per frame: 1 inside a micro-expression, 2 inside a macro-expression, 0 elsewhere."""
    y = np.zeros(n, np.int64)
    for event in events:
        y[event.onset_frame:event.offset_frame + 1] = CLASSES.index(event.kind)
    return y


def train_network(videos: Sequence[LabelledVideo], *, epochs: int = 60, seed: int = 0, hidden: int = 32,
                  members: int = 1, log: Log = print) -> Union[SpotterNet, SpotterEnsemble]:
    """A `SpotterNet` trained on the videos (one video a step, in an order drawn from `seed`); with `members` > 1, a
    `SpotterEnsemble` of that many, trained from seeds seed, seed + 1, ..."""
    if members < 1:
        raise ValueError(f"members must be >= 1, got {members}")
    data = _training_tensors(videos)
    nets = []
    for k in range(members):
        if members > 1:
            log(f"member {k + 1}/{members} (seed {seed + k})")
        nets.append(_train_one(data, epochs=epochs, seed=seed + k, hidden=hidden, log=log))
    return nets[0] if members == 1 else SpotterEnsemble(nets)


def _training_tensors(videos: Sequence[LabelledVideo]) -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """(features (F, m), class per frame (m,), valid (m,)) of every video, at the network's frame rate."""
    data = []
    for video in videos:
        features, valid = network_input(video.moves, video.fps)
        targets = frame_targets(len(video.moves), video.truth)
        if len(targets) != len(features):  # resampled to the network's rate: take the nearest frame's class
            targets = targets[np.round(np.linspace(0, len(targets) - 1, len(features))).astype(int)]
        data.append((torch.from_numpy(features.T.copy()), torch.from_numpy(targets), torch.from_numpy(valid).float()))
    if not data:
        raise ValueError("no training videos")
    return data


def _train_one(data: list, *, epochs: int, seed: int, hidden: int, log: Log) -> SpotterNet:
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    net = SpotterNet(data[0][0].shape[0], hidden)
    counts = np.bincount(np.concatenate([t.numpy() for _, t, _ in data]), minlength=len(CLASSES)) + 1
    loss_fn = nn.CrossEntropyLoss(weight=torch.tensor((counts.sum() / counts) ** 0.5, dtype=torch.float32),
                                  reduction="none")
    optimiser = torch.optim.AdamW(net.parameters(), lr=3e-3, weight_decay=1e-3)
    net.train()
    for epoch in range(epochs):
        total = 0.0
        for i in rng.permutation(len(data)):
            x, y, valid = data[i]
            x = x[None] * float(rng.uniform(0.7, 1.4)) + torch.randn(1, *x.shape) * float(rng.uniform(0.0, 0.3))
            loss = (loss_fn(net(x)[0].T, y) * valid).sum() / valid.sum().clamp(min=1)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item()
        if (epoch + 1) % 10 == 0 or epoch == epochs - 1:
            log(f"epoch {epoch + 1}/{epochs}: loss {total / len(data):.4f}")
    net.eval()
    return net


def spot_all(spotter: LearnedSpotter, videos: Sequence[LabelledVideo]) -> list[Event]:
    """The spotter's suggestions on every video."""
    return [e for s in score_videos(spotter, videos)
            for e in spotter.events(s.probs, s.video.moves, s.video.fps, video=s.video.name)]


@dataclass
class ScoredVideo:
    """A labelled video with what a spotter's network read from it, computed once for every choice and table fitted
    on it (it depends on the spotter's network and lags, not on its decoding: use it with that spotter only)."""
    video: LabelledVideo
    probs: np.ndarray  # (n, 3) per-frame (none, micro, macro)


def score_videos(spotter: LearnedSpotter, videos: Sequence[LabelledVideo]) -> list[ScoredVideo]:
    """Each video with the spotter's probabilities: one pass of the network over them."""
    return [ScoredVideo(v, spotter.probabilities(v.moves, v.fps)) for v in videos]


def choose_decoding(spotter: LearnedSpotter, scored: Sequence[ScoredVideo], log: Log = print) -> LearnedSpotter:
    """The spotter with the micro threshold (θ_lo = 0.6 θ_hi) and smoothing of best micro F1 on the `scored` videos,
    and the macro threshold (θ_lo = 2/3 θ_hi), smoothing and the gap below which macro suggestions are joined of best
    macro F1 there."""
    truth = [e for s in scored for e in s.video.truth]

    def f1(trial: LearnedSpotter, kind: str) -> float:
        predicted = [e for s in scored for e in trial.events(s.probs, s.video.moves, s.video.fps, video=s.video.name)]
        return evaluate_spotting(truth, predicted)[kind].counts.f1

    def best(trials: list[LearnedSpotter], kind: str) -> tuple[float, LearnedSpotter]:
        scores = [(f1(trial, kind), i) for i, trial in enumerate(trials)]
        score, i = max(scores, key=lambda s: (round(s[0], 9), -s[1]))  # the first of equals
        return score, trials[i]

    micro_score, chosen = best([dataclasses.replace(spotter, calibration=(), micro=dataclasses.replace(
        spotter.micro, smooth_s=smooth, theta_hi=theta, theta_lo=round(0.6 * theta, 3)))
        for smooth in SMOOTHING_S for theta in THETAS], "micro")
    macro_score, chosen = best([dataclasses.replace(chosen, macro=dataclasses.replace(
        chosen.macro, theta_hi=theta, theta_lo=round(2 * theta / 3, 3), smooth_s=smooth, merge_gap_s=gap))
        for theta in MACRO_THETAS for smooth in MACRO_SMOOTHING_S for gap in MACRO_GAPS_S], "macro")
    log(f"decoding chosen on validation: θ {chosen.micro.theta_hi}, smoothing {chosen.micro.smooth_s} s "
        f"(micro F1 {micro_score:.3f}); macro θ {chosen.macro.theta_hi}, smoothing {chosen.macro.smooth_s} s, "
        f"suggestions joined within {chosen.macro.merge_gap_s} s (macro F1 {macro_score:.3f})")
    return chosen


def with_calibration(spotter: LearnedSpotter, scored: Sequence[ScoredVideo]) -> LearnedSpotter:
    """The spotter with the network's confidence tables fitted on the `scored` videos: (peak probability, P(hit))
    points of an isotonic fit over every micro suggestion, on its peak P(micro), and every macro one, on its peak
    P(macro)."""
    network = dataclasses.replace(spotter, calibration=(), macro_calibration=(), evidence_decoding=None)
    found = {s.video.name: network.events(s.probs, s.video.moves, s.video.fps, video=s.video.name) for s in scored}

    def table(kind: str) -> tuple[tuple[float, float], ...]:
        return _hit_table(scored, lambda s: [(e.onset_frame, e.offset_frame, e.confidence)
                                             for e in found[s.video.name] if e.kind == kind], kind)
    return dataclasses.replace(spotter, calibration=table("micro"), macro_calibration=table("macro"))


def with_relative_evidence(spotter: LearnedSpotter, scored: Sequence[ScoredVideo],
                           config: EvidenceConfig = EvidenceConfig()) -> LearnedSpotter:
    """The spotter with relative-evidence micro intervals added to its network's (`config`), their confidence table
    fitted on the `scored` validation videos (isotonic fit of hit / false suggestion on each interval's peak
    score)."""

    def suggestions(s: ScoredVideo) -> list[tuple[int, int, float]]:
        evidence = spotter.evidence(s.video.moves, s.video.fps)
        runs = evidence_runs(evidence, spotter.regions, s.video.fps, config)
        stayed = did_not_return(s.video.moves, evidence, lag_frames(s.video.fps, spotter.lags_s),
                                [(run.onset, run.offset) for run in runs], spotter.regions, config,
                                s.video.fps)
        return [(run.onset, run.offset, run.score) for run, gone in zip(runs, stayed) if not gone]
    return dataclasses.replace(spotter, evidence_decoding=config, evidence_calibration=_hit_table(scored, suggestions))


def _hit_table(scored: Sequence[ScoredVideo], suggestions: Callable[[ScoredVideo], list[tuple[int, int, float]]],
               kind: str = "micro") -> tuple[tuple[float, float], ...]:
    """Isotonic (score, P(hit)) table over the (onset, offset, score) `kind` suggestions on every video."""
    scores, hits = [], []
    for s in scored:
        found = suggestions(s)
        truth = [(e.onset_frame, e.offset_frame) for e in s.video.truth if e.kind == kind]
        matched = {p for _, p, _ in match_intervals(truth, [(onset, offset) for onset, offset, _ in found])}
        scores += [score for _, _, score in found]
        hits += [1.0 if i in matched else 0.0 for i in range(len(found))]
    return isotonic_table(np.asarray(scores), np.asarray(hits))


def isotonic_table(scores: np.ndarray, hits: np.ndarray) -> tuple[tuple[float, float], ...]:
    """Pool-adjacent-violators fit of hits (0/1) on scores: ((mean score, rate) per block), non-decreasing."""
    if scores.size == 0:
        return ()
    order = np.argsort(scores, kind="stable")
    blocks: list[list[float]] = []  # [sum of scores, sum of hits, count]
    for s, h in zip(scores[order], hits[order]):
        blocks.append([float(s), float(h), 1.0])
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][2] >= blocks[-1][1] / blocks[-1][2]:
            s2, h2, n2 = blocks.pop()
            blocks[-1][0] += s2
            blocks[-1][1] += h2
            blocks[-1][2] += n2
    return tuple((round(b[0] / b[2], 4), round(b[1] / b[2], 4)) for b in blocks)
