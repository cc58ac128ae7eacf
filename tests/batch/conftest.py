"""Shared inputs of the batch tests: real H.264 synthetic micro-expression clips (app.synth), a clip without a
face, a corrupt file, and a second tiny checkpoint (other random weights) for the resume tests."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from app.media.writer import write_video
from app.synth.dataset import synthesize_dataset

PYTHON = sys.executable
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def synth_clips(tmp_path_factory) -> list[Path]:
    """Three 2 s (60-frame) 640x480 30 fps synthetic clips, each with a micro-expression."""
    folder = tmp_path_factory.mktemp("batch_synth")
    synthesize_dataset(folder, 3, seed=3, duration_s=2.0)
    return sorted((folder / "videos").glob("*.mp4"))


@pytest.fixture(scope="session")
def long_clips(tmp_path_factory) -> list[Path]:
    """Three 6 s (180-frame) clips: long enough to interrupt a run mid-video."""
    folder = tmp_path_factory.mktemp("batch_long")
    synthesize_dataset(folder, 3, seed=12, duration_s=6.0)
    return sorted((folder / "videos").glob("*.mp4"))


@pytest.fixture(scope="session")
def noface_clip(tmp_path_factory) -> Path:
    """A real, decodable 20-frame clip of plain grey: no face anywhere."""
    path = tmp_path_factory.mktemp("batch_noface") / "empty_room.mp4"
    write_video(path, [np.full((240, 320, 3), 120, np.uint8)] * 20, fps=30.0)
    return path


@pytest.fixture(scope="session")
def corrupt_clip(tmp_path_factory, synth_clips) -> Path:
    """The first 40 kB of a real clip: the container cannot be opened."""
    path = tmp_path_factory.mktemp("batch_corrupt") / "broken.mp4"
    path.write_bytes(synth_clips[0].read_bytes()[:40_000])
    return path


@pytest.fixture(scope="session")
def input_tree(tmp_path_factory, synth_clips, noface_clip, corrupt_clip) -> Path:
    """INPUT folder: day1/p01.mp4 and day2/p01.mp4 (colliding stems), p02.mp4, a no-face clip, a corrupt file,
    and a non-video file that must be ignored."""
    root = tmp_path_factory.mktemp("batch_input")
    for rel, src in (("day1/p01.mp4", synth_clips[0]), ("day2/p01.mp4", synth_clips[1]), ("p02.mp4", synth_clips[2]),
                     ("empty_room.mp4", noface_clip), ("broken.mp4", corrupt_clip)):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, root / rel)
    (root / "notes.txt").write_text("not a video\n")
    return root


@pytest.fixture(scope="session")
def other_checkpoint(tmp_path_factory) -> Path:
    """Like the session's `tiny_checkpoint`, with other random weights (a "retrained" model)."""
    from app.analysis.contract import ModelContract
    from app.analysis.pairing import PairingPolicy
    from model import PreprocessCfg, save_checkpoint
    from tests.analysis.analysis_testkit import TINY_CLASSES, make_tiny_parts

    model, head = make_tiny_parts(seed=1)
    path = tmp_path_factory.mktemp("ckpt_other") / "tiny_other.pt"
    return save_checkpoint(path, model, model_name="tsfmicro_tiny", class_names=TINY_CLASSES,
                           preprocess=PreprocessCfg(size=model.cfg.input_size),
                           contract=ModelContract(pairing=PairingPolicy(tau_s=0.15)).to_dict(),
                           model_card={"purpose": "tests"}, spotting_head=head)


@pytest.fixture(autouse=True)
def _keep_torch_threads():
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def tree_bytes(out: Path) -> dict[str, bytes]:
    """Every per-video file under OUT (not summary.csv / run.json, which hold run times by design)."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.parent != out}


def temporaries(out: Path) -> list[Path]:
    return sorted(out.rglob(".*.tmp"))
