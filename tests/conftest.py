import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory) -> Path:
    """A seeded tsfmicro_tiny with a spotting head, saved as a real checkpoint (random weights: for
    code paths, never for accuracy)."""
    from app.analysis.contract import ModelContract
    from app.analysis.pairing import PairingPolicy
    from model import PreprocessCfg, save_checkpoint
    from tests.analysis.analysis_testkit import TINY_CLASSES, make_tiny_parts

    model, head = make_tiny_parts(seed=0)
    path = tmp_path_factory.mktemp("ckpt") / "tiny.pt"
    return save_checkpoint(path, model, model_name="tsfmicro_tiny", class_names=TINY_CLASSES,
                           preprocess=PreprocessCfg(size=model.cfg.input_size),
                           contract=ModelContract(pairing=PairingPolicy(tau_s=0.15)).to_dict(),
                           model_card={"purpose": "tests", "data": "none (random weights)"}, spotting_head=head)
