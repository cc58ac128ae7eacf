"""Check the app's CUDA path and measure the full model's speed; on a machine without CUDA the GPU-only checks
are reported as skipped. What each check does and what the figures mean: docs/gpu.md.

    .venv/bin/python scripts/gpu_check.py [--device auto|cpu|cuda] [--json] [--seconds S]

Checks: device (what `--device auto` picks), autocast_bf16 (float32 vs the Predictor's bfloat16 autocast on the
full model), oom_fallback (the Predictor's out-of-memory fallback, provoked with a memory cap), ensemble (the
bundled ensemble on one device, over the start of the demo clip), throughput (full-model inference pairs/s and
training samples/s at 64 px and 224 px). Exit 0 when every applicable check passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
import traceback
import warnings
from typing import Callable, Optional

import numpy as np
import torch

from app.analysis import (AnalysisConfig, DeviceError, DeviceFallbackWarning, Predictor, analyse_video, select_device,
                          set_threads)
from app.bench.model_bench import _median, bench_model, bench_predictor, pairs_per_second
from app.face import FaceConfig
from app.media import open_video
from app.resources import MissingResourceError, default_model_path, demo_video_path
from app.training.augment import scaled_padding
from app.training.config import TrainConfig
from app.training.loop import SampleTensors, make_optimizer, train_epoch

GOAL_PAIRS_PER_S = 2000  # full model, 224 px, one H100, bfloat16 autocast as the app runs it
GOAL_SIZE = 224
SIZES = (64, 224)  # 224: the published model; 64: the same architecture at the bundled model's input size
INFER_BATCHES = {"cuda": {64: (128, 512, 2048), 224: (32, 128, 512)}, "cpu": {64: (1, 2, 4), 224: (1, 2, 4)}}
TRAIN_BATCH = {"cuda": 32, "cpu": 2}  # 32: the training default (TrainConfig.batch_size)
REPEATS = 3
BF16_REL_TOL = 0.05  # float32 vs bfloat16: max |difference| <= 5 % of the float32 result's largest magnitude
SAME_ABS_TOL = 1e-3  # same precision, same batch size, same device: max |probability difference|
CHECK_PAIRS = 16  # pairs for the autocast check
OOM_PAIRS = 128  # pairs for the out-of-memory check (the cap leaves room for about 8)
CHECKS = ("device", "autocast_bf16", "oom_fallback", "ensemble", "throughput")
ENSEMBLE_FRAMES = 30  # frames of the demo clip for the ensemble check


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def random_pairs(n: int, size: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """(onset, apex), each (n, 3, size, size) float32 on the CPU; apex a perturbed copy of onset."""
    generator = torch.Generator().manual_seed(seed)
    onset = torch.randn(n, 3, size, size, generator=generator)
    return onset, onset + 0.1 * torch.randn(n, 3, size, size, generator=generator)


def on_device(tensor: torch.Tensor, device: torch.device) -> bool:
    return tensor.device.type == device.type and (device.index is None or tensor.device.index == device.index)


def bf16_agreement(reference: torch.Tensor, other: torch.Tensor) -> dict:
    """How far a bfloat16 result is from its float32 reference, and whether that is within BF16_REL_TOL."""
    difference = float((reference.float() - other.float().to(reference.device)).abs().max())
    tolerance = BF16_REL_TOL * float(reference.abs().max())
    return {"max_abs_diff": difference, "tolerance": tolerance, "ok": difference <= tolerance}


# ------------------------------------------------------------------------------------------------------ checks


def check_device(requested: str, threads: int) -> tuple[dict, Optional[torch.device]]:
    info = {"threads": threads, "auto_picks": str(select_device("auto")), "requested": requested,
            "torch": torch.__version__,
            "cuda_build": torch.version.cuda, "cuda_available": torch.cuda.is_available()}
    if torch.cuda.is_available():
        props = torch.cuda.get_device_properties(0)
        info.update(gpu=props.name, gpu_memory_gib=round(props.total_memory / 2**30, 1),
                    compute_capability=f"{props.major}.{props.minor}", cudnn=torch.backends.cudnn.version(),
                    bf16_supported=torch.cuda.is_bf16_supported(), gpus=torch.cuda.device_count())
    try:
        device = select_device(requested)
    except DeviceError as error:
        return {"status": "fail", "detail": str(error), **info}, None
    info["chosen"] = str(device)
    return {"status": "pass", "detail": f"--device {requested} runs on {device} (auto picks {info['auto_picks']})",
            **info}, device


def check_autocast(model, device: torch.device, threads: Optional[int]) -> dict:
    if device.type != "cuda":
        return {"status": "skip", "detail": f"the app uses bfloat16 autocast only on CUDA; on {device.type} it runs "
                                            "float32 (Predictor._autocast)"}
    onset, apex = random_pairs(CHECK_PAIRS, model.cfg.input_size)
    logits = {}
    for autocast in (False, True):
        predictor = bench_predictor(model, device=device, threads=threads, batch_size=CHECK_PAIRS,
                                    autocast=autocast)
        with torch.inference_mode():
            logits[autocast] = predictor._logits_batch(onset, apex, model).cpu()
    agreement = bf16_agreement(logits[False], logits[True])
    return {"status": "pass" if agreement["ok"] else "fail",
            "detail": f"{CHECK_PAIRS} pairs, logits max |float32 - bf16| {agreement['max_abs_diff']:.2e} "
                      f"(tolerance {agreement['tolerance']:.2e}: {BF16_REL_TOL:.0%} of the largest |logit|)",
            **agreement}


def _classify_capped(predictor: Predictor, onset: torch.Tensor, apex: torch.Tensor, headroom: int,
                     fill: bool = False):
    """classify_pairs with this process's CUDA memory capped at what it has reserved now plus `headroom` bytes;
    with `fill`, the free space left inside the reserved memory is taken first, so that no model activation fits.
    Returns (probabilities, the fallback warnings issued)."""
    index = predictor.device.index if predictor.device.index is not None else torch.cuda.current_device()
    torch.cuda.empty_cache()
    total = torch.cuda.get_device_properties(index).total_memory
    torch.cuda.set_per_process_memory_fraction(min(1.0, (torch.cuda.memory_reserved(index) + headroom) / total), index)
    ballast = []
    try:
        for chunk in ((64 << 20, 8 << 20, 2 << 20, (1 << 20) + 512) if fill else ()):
            while True:
                try:
                    ballast.append(torch.empty(chunk, dtype=torch.uint8, device=f"cuda:{index}"))
                except torch.OutOfMemoryError:
                    break
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", DeviceFallbackWarning)
            probs = predictor.classify_pairs(onset, apex)
    finally:
        ballast.clear()
        torch.cuda.set_per_process_memory_fraction(1.0, index)
        torch.cuda.empty_cache()
    return probs, [w for w in caught if issubclass(w.category, DeviceFallbackWarning)]


def check_oom_fallback(model, device: torch.device, threads: Optional[int]) -> dict:
    """Two real out-of-memory errors under a memory cap: (a) room for a few pairs only, so the batch is halved until
    it fits, compared with a normal run at the batch it ended at; (b) no room at all, so the run moves to the CPU,
    compared with a normal (bfloat16) run on the GPU."""
    if device.type != "cuda":
        return {"status": "skip", "detail": "skipped: needs CUDA"}
    size = model.cfg.input_size
    onset, apex = random_pairs(OOM_PAIRS, size, seed=1)
    probe = bench_predictor(model, device=device, threads=threads, batch_size=4)
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats(device)
    base = torch.cuda.memory_allocated(device)
    probe.classify_pairs(onset[:4], apex[:4])
    per_pair = max(1, (torch.cuda.max_memory_allocated(device) - base) // 4)  # bytes a pair needs at its peak

    halving = bench_predictor(model, device=device, threads=threads, batch_size=OOM_PAIRS)
    probs, caught = _classify_capped(halving, onset, apex, headroom=8 * per_pair)
    normal = bench_predictor(model, device=device, threads=threads, batch_size=halving.batch_size)
    reference = normal.classify_pairs(onset, apex)
    diff_a = float((probs - reference).abs().max())
    ok_a = (bool(halving.fallbacks) and len(caught) == len(halving.fallbacks) and halving.device.type == "cuda"
            and halving.batch_size < OOM_PAIRS and diff_a <= SAME_ABS_TOL)

    few = 4
    to_cpu = bench_predictor(model, device=device, threads=threads, batch_size=few)
    probs_cpu, caught_cpu = _classify_capped(to_cpu, onset[:few], apex[:few], headroom=0, fill=True)
    normal = bench_predictor(model, device=device, threads=threads, batch_size=few)
    reference_gpu = normal.classify_pairs(onset[:few], apex[:few])
    agreement = bf16_agreement(probs_cpu, reference_gpu)
    ok_b = (to_cpu.device.type == "cpu" and bool(to_cpu.fallbacks) and len(caught_cpu) == len(to_cpu.fallbacks)
            and agreement["ok"])
    model.to(device)  # the CPU fallback moved the shared model
    detail = (f"(a) batch {OOM_PAIRS} capped at ~8 pairs' memory: {len(halving.fallbacks)} fallback(s), ended at batch "
              f"{halving.batch_size} on {halving.device}; max |Δp| vs a normal run at that batch {diff_a:.2e} "
              f"(tolerance {SAME_ABS_TOL:g}) — {'ok' if ok_a else 'FAILED'}. (b) no memory to spare: "
              f"{len(to_cpu.fallbacks)} fallback(s), ended on {to_cpu.device}; max |Δp| vs the GPU run "
              f"{agreement['max_abs_diff']:.2e} (tolerance {agreement['tolerance']:.2e})"
              f" — {'ok' if ok_b else 'FAILED'}")
    return {"status": "pass" if ok_a and ok_b else "fail", "detail": detail,
            "peak_mib_per_pair": round(per_pair / 2**20, 1),
            "halving": {"fallbacks": halving.fallbacks, "final_batch": halving.batch_size, "max_abs_diff": diff_a},
            "to_cpu": {"fallbacks": to_cpu.fallbacks, "final_device": str(to_cpu.device), **agreement}}


def _state_tensors(state) -> list[torch.Tensor]:
    """Every tensor of a spotting-head state (an ensemble's: a tuple, one per member)."""
    return [t for s in (state if isinstance(state, tuple) else (state,))
            for t in (*(x for layer in s.layers for x in (layer.kv, layer.normaliser)), *(s.baseline or ()))]


def _demo_pairs(predictor: Predictor) -> tuple[torch.Tensor, torch.Tensor, float]:
    """(onset, apex) model inputs of the demo clip's first ENSEMBLE_FRAMES frames, paired at the checkpoint's lag and
    registered as its pairing policy says, and the clip's fps. Centre crops of the crop size stand in for aligned
    faces (the face pipeline is exercised separately)."""
    crops, side = [], FaceConfig().align.crop_size
    with open_video(demo_video_path()) as source:
        fps = source.probe().fps
        for _, frame in source.iter_frames(0, ENSEMBLE_FRAMES):
            top, left = (frame.shape[0] - side) // 2, (frame.shape[1] - side) // 2
            crops.append(frame[top : top + side, left : left + side])
    lag = predictor.lag(fps)
    onset = predictor.preprocess(crops[:-lag])
    apex = predictor.preprocess([predictor.pairing.current_crop(r, c) for r, c in zip(crops[:-lag], crops[lag:])])
    return onset, apex, fps


def _clip_run(predictor: Predictor) -> tuple[int, int, list[torch.Tensor]]:
    """The analysis pipeline (face pipeline included) over the demo clip's first ENSEMBLE_FRAMES frames: frames,
    pairs analysed, the final head state's tensors."""
    frames = analysed = 0
    state = None
    with open_video(demo_video_path()) as source:
        for chunk in analyse_video(source, predictor, AnalysisConfig.for_mode("full"), stop=ENSEMBLE_FRAMES):
            frames, analysed, state = frames + chunk.n_frames, analysed + chunk.n_analysed, chunk.head_state
    return frames, analysed, _state_tensors(state)


def check_ensemble(device: torch.device, threads: Optional[int]) -> dict:
    """The bundled ensemble loaded on `device`: pairs of the demo clip through every Predictor entry point, then the
    analysis pipeline over the clip's start when the face models are installed; every member's parameters and
    buffers, every result and the head state must be on `device`, with no fallback."""
    path = default_model_path()
    if path is None:
        return {"status": "fail", "detail": "no bundled default model (resources/models/default.pt)"}
    predictor = Predictor.load(path, device=str(device), threads=threads)
    parts = [part for part in (*predictor.models, *predictor.heads) if part is not None]

    def misplaced(what: str, tensors) -> list[str]:
        return [f"{what} {name} on {t.device}" for name, t in tensors if not on_device(t, device)]

    def parts_misplaced() -> list[str]:
        return [m for i, part in enumerate(parts)
                for m in misplaced(f"member part {i}:", (*part.named_parameters(), *part.named_buffers()))]

    problems = parts_misplaced()
    onset, apex, fps = _demo_pairs(predictor)
    ref = predictor.reference_features(onset)
    embeddings = predictor.embed_pairs(onset, ref, apex)
    class_probs = predictor.classify_pairs(onset, apex)
    phase_probs, state = predictor.run_head(embeddings, torch.ones(len(onset), dtype=torch.bool), fps, None)
    problems += misplaced("result", [("reference features", ref), ("embeddings", embeddings)])
    problems += misplaced("head state", [("tensor", t) for t in _state_tensors(state)])
    if embeddings.shape != (len(onset), predictor.embedding_dim) or not torch.isfinite(embeddings).all():
        problems.append(f"embeddings {tuple(embeddings.shape)}, finite: {bool(torch.isfinite(embeddings).all())}")
    if not torch.allclose(class_probs.sum(dim=1), torch.ones(len(onset)), atol=1e-4):
        problems.append("class probabilities do not sum to 1")
    if not (phase_probs.shape == (len(onset), 4) and np.isfinite(phase_probs).all()):
        problems.append(f"phase probabilities {phase_probs.shape}, not all finite")
    detail = f"{len(predictor.models)} members; {len(onset)} demo pairs through every Predictor entry point"
    try:
        frames, analysed, state_tensors = _clip_run(predictor)
        problems += misplaced("clip head state", [("tensor", t) for t in state_tensors])
        if analysed == 0:
            problems.append("the analysis pipeline analysed no pair")
        detail += f"; analysis pipeline: {analysed} pairs over {frames} demo frames"
    except MissingResourceError as error:  # dlib's face models are large; a bare GPU machine may lack them
        detail += f"; analysis pipeline skipped ({error})"
    problems += parts_misplaced()
    if len(predictor.models) < 2:
        problems.append(f"{len(predictor.models)} member(s); the bundled model should be an ensemble")
    if predictor.fallbacks or predictor.device != device:
        problems.append(f"ran with fallbacks {predictor.fallbacks} on {predictor.device}")
    return {"status": "fail" if problems else "pass", "members": len(predictor.models),
            "detail": "; ".join(problems[:5]) if problems else f"{detail}; every member and result on {device}"}


# ------------------------------------------------------------------------------------------------- throughput


def training_samples_per_second(model, batch: int, device: torch.device, budget_s: float) -> tuple[float, int]:
    """Median samples/s of one training step (augmentation, forward, backward, AdamW step) through the training
    loop, with the training defaults; as many repeats (up to REPEATS) as fit `budget_s` after a warm-up step."""
    config = TrainConfig().resolved(model.num_classes)
    size = model.cfg.input_size
    onset, apex = random_pairs(batch, size, seed=2)
    data = SampleTensors(onset, apex, torch.arange(batch) % model.num_classes)
    optimizer = make_optimizer(model, config.lr, config.weight_decay)
    generator = torch.Generator().manual_seed(0)

    def step() -> float:
        start = time.perf_counter()
        train_epoch(model, data, list(range(batch)), batch_size=batch, optimizer=optimizer, generator=generator,
                    device=device, rotation_deg=config.rotation_deg, padding=scaled_padding(config.crop_padding, size))
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        return time.perf_counter() - start

    warm = step()
    repeats = max(1, min(REPEATS, int(budget_s / warm)))
    return _median(lambda: batch / step(), repeats), repeats


def measure_size(size: int, device: torch.device, budget_s: float, threads: Optional[int], model=None) -> dict:
    """Inference pairs/s over the batch sizes that fit half of `budget_s` (the first always runs), and training
    samples/s in the other half."""
    model = (model or bench_model(input_size=size)).to(device)
    # the app's autocast: bfloat16 on CUDA, none elsewhere
    autocast = bench_predictor(model, device=device, threads=threads)._autocast
    start = time.perf_counter()
    rates: dict[int, float] = {}
    out_of_memory = None
    for batch in INFER_BATCHES["cuda" if device.type == "cuda" else "cpu"][size]:
        if rates and time.perf_counter() - start + (REPEATS + 1) * batch / max(rates.values()) > budget_s / 2:
            break
        log(f"  inference, {size} px, batch {batch}")
        try:
            rates[batch] = pairs_per_second(model, batch, REPEATS, device, autocast)
        except torch.OutOfMemoryError:  # a larger batch will not fit either
            out_of_memory = batch
            torch.cuda.empty_cache()
            break
    if not rates:
        raise RuntimeError(f"out of memory at {size} px even at batch {out_of_memory}")
    best = max(rates, key=rates.get)
    batch = TRAIN_BATCH["cuda" if device.type == "cuda" else "cpu"]
    log(f"  training, {size} px, batch {batch}")
    train_rate, train_repeats = training_samples_per_second(model, batch, device, budget_s / 2)
    model.eval()
    return {"parameters": sum(p.numel() for p in model.parameters()),
            "inference_pairs_per_s": {str(b): round(r, 2) for b, r in rates.items()},
            "inference_best_batch": best, "inference_best_pairs_per_s": round(rates[best], 2),
            "inference_repeats": REPEATS, "inference_out_of_memory_at_batch": out_of_memory,
            "inference_precision": "bfloat16 autocast" if device.type == "cuda" else "float32",
            "training_batch": batch, "training_samples_per_s": round(train_rate, 2), "training_repeats": train_repeats,
            "training_precision": "float32"}


# -------------------------------------------------------------------------------------------------------- main


def run_check(name: str, fn: Callable[[], dict]) -> dict:
    log(f"check: {name}")
    started = time.perf_counter()
    try:
        result = fn()
    except Exception as error:  # a crash is a failed check, named, and the others still run
        traceback.print_exc(file=sys.stderr)
        result = {"status": "fail", "detail": f"{type(error).__name__}: {error}"}
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result


def format_report(report: dict) -> str:
    lines = [f"device: {report['device'].get('chosen', '-')} (auto picks {report['device']['auto_picks']}); torch "
             f"{report['device']['torch']}, CUDA build {report['device']['cuda_build']}, "
             f"{report['device']['threads']} CPU threads"]
    if "gpu" in report["device"]:
        d = report["device"]
        lines.append(f"GPU: {d['gpu']}, {d['gpu_memory_gib']} GiB, compute capability {d['compute_capability']}, "
                     f"bf16 {'yes' if d['bf16_supported'] else 'no'}")
    lines.append("")
    for name, check in report["checks"].items():
        lines.append(f"{check['status'].upper():5} {name}: {check.get('detail', '')}")
    if report["throughput"]:
        lines += ["", f"{'input':>6} {'params':>11} {'inference pairs/s by batch (median of 3)':<44} {'best':>9} "
                      f"{'training samples/s':>19}"]
        for size, t in report["throughput"].items():
            by_batch = ", ".join(f"{b}: {r:g}" for b, r in t["inference_pairs_per_s"].items())
            lines.append(f"{size + ' px':>6} {t['parameters']:>11,} {by_batch:<44} "
                         f"{t['inference_best_pairs_per_s']:>9.1f} {t['training_samples_per_s']:>10.2f} "
                         f"@ {t['training_batch']} (median of {t['training_repeats']})")
        precision = next(iter(report["throughput"].values()))["inference_precision"]
        lines.append(f"inference: {precision}, inputs on the device; training: float32 through the training loop")
    goal, where = report["goal"], report["device"].get("gpu", report["device"].get("chosen"))
    measured = "not measured" if goal["measured"] is None else f"measured {goal['measured']:,} on {where}"
    verdict = "" if goal["met"] is None else f" -> {'met' if goal['met'] else 'NOT met'}"
    lines += ["", f"goal: >= {goal['pairs_per_s']:,} pairs/s for the full model at {GOAL_SIZE} px on one H100; "
                  f"{measured}{verdict}"]
    lines.append("PASSED" if report["passed"] else f"FAILED: {', '.join(report['failed'])}")
    return "\n".join(lines)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    parser.add_argument("--json", action="store_true", help="print one JSON object (progress goes to stderr)")
    parser.add_argument("--seconds", type=float, default=40.0,
                        help="time budget of the throughput measurements, split across input sizes (default 40)")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch CPU threads (default: the app's, all logical cores)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    checks: dict[str, dict] = {}
    throughput: dict[str, dict] = {}
    checks["device"], device = check_device(args.device, set_threads(args.threads))
    if device is None:
        checks.update({name: {"status": "skip", "detail": "not run: no device"} for name in CHECKS[1:]})
    else:
        full_model = functools.cache(bench_model)  # the published 224 px model, 12.8 M parameters, built once
        checks["autocast_bf16"] = run_check("autocast_bf16",
                                            lambda: check_autocast(full_model(), device, args.threads))
        checks["oom_fallback"] = run_check("oom_fallback",
                                           lambda: check_oom_fallback(full_model(), device, args.threads))
        checks["ensemble"] = run_check("ensemble", lambda: check_ensemble(device, args.threads))

        def measure() -> dict:
            for size in SIZES:
                model = full_model() if size == full_model().cfg.input_size else None
                throughput[str(size)] = measure_size(size, device, args.seconds / len(SIZES), args.threads, model)
            ok = all(t[key] > 0 for t in throughput.values()
                     for key in ("inference_best_pairs_per_s", "training_samples_per_s"))
            return {"status": "pass" if ok else "fail", "detail": "every figure positive" if ok else "a figure is 0"}

        checks["throughput"] = run_check("throughput", measure)
    measured = throughput.get(str(GOAL_SIZE), {}).get("inference_best_pairs_per_s")
    failed = [name for name, check in checks.items() if check["status"] == "fail"]
    report = {
        "device": {k: v for k, v in checks["device"].items() if k not in ("status", "detail")},
        "checks": {name: {k: v for k, v in check.items() if name != "device" or k in ("status", "detail")}
                   for name, check in checks.items()},
        "throughput": throughput,
        "goal": {"pairs_per_s": GOAL_PAIRS_PER_S, "input_size": GOAL_SIZE, "measured": measured,
                 "met": None if device is None or device.type != "cuda" or measured is None
                 else measured >= GOAL_PAIRS_PER_S},
        "passed": not failed, "failed": failed, "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(report, indent=1) if args.json else format_report(report))
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
