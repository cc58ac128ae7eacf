"""`tsfmicro analyze`: per-frame phase probabilities of a video → frames.csv (+ analysis.json provenance)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from app.analysis.config import DEFAULT_MODE, MODES
from app.analysis.model_card import NOT_VALIDATED, is_synthetic, trained_on
from app.commands.common import command_error, print_sensitivity
from app.commands.frame_progress import FrameProgress
from app.commands.registry import command
from app.core.atomic import atomic_write_text
from app.core.label_exchange import export_labels
from app.media import open_video
from app.resources import default_model_path


@command("analyze", "the default analysis of a video: suggested micro-expressions (events.csv) and per-frame curves")
def _analyze_command(parser: argparse.ArgumentParser):
    parser.add_argument("video", help="video file or folder of numbered frames")
    parser.add_argument("--out", required=True, help="output folder (created if needed)")
    parser.add_argument("--method", choices=("learned", "flow", "model"),
                        help="learned (default without --checkpoint: the bundled learned motion spotter, which "
                             "measured best on the held-out test sets; motion.csv + events.csv, emotions named by the "
                             "bundled model's pair classifier), flow (the training-free spotter, likewise) or model "
                             "(the TSFmicro model's per-frame phase curves: frames.csv; the default with --checkpoint)")
    parser.add_argument("--checkpoint", help="trained TSFmicro checkpoint with a spotting head (default: the bundled "
                                             "default model, trained on synthetic data; `tsfmicro card` shows it)")
    parser.add_argument("--device", default="auto",
                        help="auto (default: CUDA, then Apple MPS, then CPU), cpu, cuda, cuda:N or mps")
    parser.add_argument("--mode", choices=MODES,
                        help="fast (default with --checkpoint; real time on a CPU: the model runs on a motion-gated, "
                             "budgeted subset of frames, the rest are marked analysed=0) or full (every frame; the "
                             "default for the bundled default model, which is small enough for it)")
    parser.add_argument("--stride", type=int, help="analyse only every N-th frame (overrides the mode's stride)")
    parser.add_argument("--lag-s", type=float, help="pairing lag in seconds (default: the checkpoint's, else 0.15)")
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: all cores)")
    parser.add_argument("--batch", type=int, help="pairs per model call (default: 4 on CPU, 32 on CUDA)")
    parser.add_argument("--chunk", type=int, default=64, help="frames per chunk (default 64)")
    parser.add_argument("--fps", type=float, help="frame rate of a frame folder")

    def run(args: argparse.Namespace) -> int:
        # lazy: torch (Predictor, model) and the face pipeline, loaded only when this command runs
        from app.analysis import FRAMES_CSV_COLUMNS, AnalysisConfig, DeviceError, FrameAnalyzer, FramesCsvWriter, Predictor
        from app.analysis.suggest import suggest_events
        from model import CheckpointError

        method = args.method or ("model" if args.checkpoint else "learned")
        if method != "model":
            if args.checkpoint:
                return command_error("analyze", f"--checkpoint is a model: use it with --method model, not {method}")
            return _analyze_with_spotter(args, method)
        checkpoint = args.checkpoint or default_model_path()
        if checkpoint is None:
            return command_error("analyze", "--checkpoint FILE is required: this installation has no bundled default "
                                            "model (resources/models/default.pt)")
        for name in ("stride", "threads", "batch", "chunk"):
            value = getattr(args, name)
            if value is not None and value < 1:
                return command_error("analyze", f"--{name} must be >= 1, got {value}")
        out = Path(args.out)
        if out.exists() and not out.is_dir():
            return command_error("analyze", f"{out}: exists and is not a folder")
        mode = args.mode or (DEFAULT_MODE if args.checkpoint else "full")
        try:
            config = AnalysisConfig.for_mode(mode, stride=args.stride, chunk_size=args.chunk, tau_s=args.lag_s)
        except ValueError as error:
            return command_error("analyze", str(error))
        with open_video(args.video, fps=args.fps) as video:
            info = video.probe()
            if not info.fps > 0:
                return command_error("analyze", f"{args.video}: no frame rate; pass --fps")
            try:
                predictor = Predictor.load(checkpoint, device=args.device, threads=args.threads, batch_size=args.batch)
            except (CheckpointError, DeviceError) as error:
                return command_error("analyze", str(error))
            which = "the bundled default model" if not args.checkpoint else str(checkpoint)
            print(f"model: {which}, trained on {trained_on(predictor.model_card)}", flush=True)
            if is_synthetic(predictor.model_card):
                print(f"note: {NOT_VALIDATED}", flush=True)
            out.mkdir(parents=True, exist_ok=True)
            analyzer = FrameAnalyzer(predictor, info.fps, config)
            progress = FrameProgress("analyze", info.n_frames)
            with FramesCsvWriter(out / "frames.csv", info.fps) as csv_out:

                def on_chunk(chunk) -> None:
                    csv_out.write(chunk)
                    progress.update(chunk.n_frames, chunk.n_analysed)

                events = suggest_events(video, "model", fps=info.fps, predictor=predictor, config=config,
                                        analyzer=analyzer, face_config=predictor.face_config,
                                        video_name=str(Path(args.video).resolve()), subject=Path(args.video).stem,
                                        on_chunk=on_chunk).events
            progress.finish()
        export_labels(out / "events.csv", events, Path(args.video))
        meta = {
            "video": str(Path(args.video).resolve()),
            "n_frames": csv_out.rows,
            "fps": info.fps,
            "frames_analysed": progress.analysed,
            "analysed_fraction": round(progress.analysed / max(1, csv_out.rows), 4),
            "elapsed_s": round(progress.elapsed_s, 2),
            "speed_fps": round(csv_out.rows / max(1e-9, progress.elapsed_s), 2),
            "analysis": analyzer.describe(),
            "predictor": predictor.describe(),
            "columns": list(FRAMES_CSV_COLUMNS),
            "suggested_events": len(events),
            "suggestions_note": "events.csv: intervals from the per-frame curves (app/analysis/proposals.py); "
                                "emotion named by the pair classifier on each interval's onset and apex frames "
                                "(its top three in notes; 'none' where a frame had no face)",
        }
        atomic_write_text(out / "analysis.json", json.dumps(meta, indent=2) + "\n")
        print(f"{csv_out.rows} frames ({progress.analysed} analysed by the model, mode {mode}) in "
              f"{progress.elapsed_s:.1f} s ({meta['speed_fps']:.1f} fps); {len(events)} suggested events; wrote "
              f"{out / 'frames.csv'}, {out / 'events.csv'} and {out / 'analysis.json'}")
        return 0

    return run


def _analyze_with_spotter(args: argparse.Namespace, method: str) -> int:
    """A motion spotter over the video → motion.csv, events.csv (emotions named by the bundled model's pair
    classifier where it is installed) and analysis.json."""
    # lazy: the spotters and the face pipeline (the learned one: torch), loaded only when this command runs
    from app.analysis.frames_csv import write_motion_csv
    from app.analysis.learned_spotter import SpotterError, default_spotter
    from app.analysis.suggest import suggest_events

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        return command_error("analyze", f"{out}: exists and is not a folder")
    try:
        card = default_spotter().card if method == "learned" else {"data": "none: training-free"}
    except SpotterError as error:
        return command_error("analyze", str(error))
    print(f"default analysis: the {method} motion spotter, trained on {card.get('data', 'unknown data')}", flush=True)
    with open_video(args.video, fps=args.fps) as video:
        info = video.probe()
        if not info.fps > 0:
            return command_error("analyze", f"{args.video}: no frame rate; pass --fps")
        progress = FrameProgress("analyze", info.n_frames)
        found = suggest_events(video, method, video_name=str(Path(args.video).resolve()), subject=Path(args.video).stem,
                               on_sample=lambda s: progress.update(1), device=args.device, threads=args.threads)
        progress.finish()
    result, events = found.spot, found.events
    out.mkdir(parents=True, exist_ok=True)
    write_motion_csv(out / "motion.csv", result)
    export_labels(out / "events.csv", events, Path(args.video))
    n = len(result.motion)
    meta = {"video": str(Path(args.video).resolve()), "n_frames": n, "fps": info.fps, "method": method,
            "spotter_card": card, "elapsed_s": round(result.seconds, 2),
            "speed_fps": round(n / max(1e-9, result.seconds), 2), "suggested_events": len(events),
            "suggestions_note": "events.csv: the spotter's intervals; confidence = the calibrated chance that a "
                                "suggestion is a real event, as measured on the spotter's validation videos (on other "
                                "footage an order, not a probability); emotion named by "
                                "the bundled model's pair classifier on each interval's onset and apex frames"}
    if result.sensitivity is not None:
        meta["sensitivity"] = result.sensitivity.as_dict()
    atomic_write_text(out / "analysis.json", json.dumps(meta, indent=2) + "\n")
    micro = sum(e.kind == "micro" for e in events)
    print(f"{n} frames in {result.seconds:.1f} s ({meta['speed_fps']:.1f} fps); {len(events)} suggested events "
          f"({micro} micro); wrote {out / 'motion.csv'}, {out / 'events.csv'} and {out / 'analysis.json'}")
    print_sensitivity(result.sensitivity)
    return 0
