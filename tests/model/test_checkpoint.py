"""Checkpoint files: round trip, contents, and refusal of bad files."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
import torch

from model import (
    SCHEMA_VERSION,
    CheckpointError,
    PreprocessCfg,
    ResizeMethod,
    SpottingHead,
    SpottingHeadCfg,
    load_checkpoint,
    save_checkpoint,
)

CLASSES = ("happiness", "repression", "disgust", "surprise", "others")
CARD = {"dataset": "CASME II", "protocol": "honest-LOSO", "trained_on": "2025-06-01", "uf1": 0.61, "fold": 3}
CONTRACT = {"version": 1, "face": {"detect": {"detector": "mmod"}}, "pairing": {"tau_s": 0.2}, "decoding": None}


@pytest.fixture
def spotting_head(tiny_model) -> SpottingHead:
    torch.manual_seed(5)
    return SpottingHead(SpottingHeadCfg(embed_dim=tiny_model.num_features, dim=16, depth=1)).eval()


@pytest.fixture
def saved(tmp_path, tiny_model, spotting_head) -> Path:
    # make BatchNorm statistics non-trivial so they are covered by the round trip
    tiny_model.train()
    with torch.no_grad():
        tiny_model(torch.randn(4, 3, 64, 64), torch.randn(4, 3, 64, 64))
    tiny_model.eval()
    return save_checkpoint(
        tmp_path / "model.pt",
        tiny_model,
        model_name="tsfmicro_tiny",
        class_names=CLASSES,
        preprocess=PreprocessCfg(size=64, resize=ResizeMethod.BILINEAR),
        contract=CONTRACT,
        model_card=CARD,
        spotting_head=spotting_head,
    )


def test_save_then_load_gives_identical_outputs(saved, tiny_model, spotting_head, tiny_pair) -> None:
    loaded = load_checkpoint(saved)
    with torch.no_grad():
        assert torch.equal(loaded.model(*tiny_pair), tiny_model(*tiny_pair))
        x, valid = torch.randn(1, 9, tiny_model.num_features), torch.ones(1, 9, dtype=torch.bool)
        restored_curves = loaded.spotting_head.forward_parallel(x, valid, 30.0)
        assert torch.equal(restored_curves, spotting_head.forward_parallel(x, valid, 30.0))
    assert not loaded.model.training


def test_checkpoint_carries_everything_the_app_needs(saved, tiny_model) -> None:
    loaded = load_checkpoint(saved)
    assert loaded.schema_version == SCHEMA_VERSION
    assert loaded.model_name == "tsfmicro_tiny" and loaded.model.cfg == tiny_model.cfg
    assert loaded.class_names == CLASSES
    assert loaded.preprocess == PreprocessCfg(size=64, resize=ResizeMethod.BILINEAR)
    assert loaded.contract == CONTRACT
    assert loaded.model_card == CARD
    raw = torch.load(saved, weights_only=True)
    assert raw["preprocess"]["resize"] == "bilinear"
    assert not {"crop_spec", "pairing_policy", "decoding"} & set(raw["preprocess"])  # the transform only
    assert raw["contract"] == CONTRACT
    assert raw["model"]["cfg"]["spatial"]["antialias"] is False


def test_checkpoint_without_spotting_head(tmp_path, tiny_model) -> None:
    path = save_checkpoint(
        tmp_path / "pair.pt", tiny_model, model_name="tsfmicro_tiny", class_names=CLASSES,
        preprocess=PreprocessCfg(), model_card={},
    )
    assert load_checkpoint(path).spotting_head is None


class _Payload:
    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def test_pickled_arbitrary_object_is_refused_without_running_it(tmp_path) -> None:
    marker = tmp_path / "pwned"
    payload = _Payload()
    payload.marker = str(marker)
    path = tmp_path / "evil.pt"
    torch.save({"format": "tsfmicro-checkpoint", "schema_version": SCHEMA_VERSION, "x": payload}, path)
    with pytest.raises(CheckpointError, match="refused") as info:
        load_checkpoint(path)
    assert info.value.path == path and str(path) in str(info.value)
    assert not marker.exists()


def test_raw_pickle_file_is_refused_without_running_it(tmp_path) -> None:
    marker = tmp_path / "pwned"
    payload = _Payload()
    payload.marker = str(marker)
    path = tmp_path / "plain.pkl"
    path.write_bytes(pickle.dumps({"format": "tsfmicro-checkpoint", "x": payload}, protocol=2))
    with pytest.raises(CheckpointError):
        load_checkpoint(path)
    assert not marker.exists()


def test_truncated_file_raises_checkpoint_error(saved) -> None:
    data = saved.read_bytes()
    saved.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="truncated") as info:
        load_checkpoint(saved)
    assert str(saved) in str(info.value)


def test_missing_file_raises_checkpoint_error(tmp_path) -> None:
    with pytest.raises(CheckpointError, match="not found"):
        load_checkpoint(tmp_path / "absent.pt")


def rewrite(path: Path, edit) -> None:
    payload = torch.load(path, weights_only=True)
    edit(payload)
    torch.save(payload, path)


def test_newer_schema_version_is_refused(saved) -> None:
    rewrite(saved, lambda p: p.__setitem__("schema_version", SCHEMA_VERSION + 1))
    with pytest.raises(CheckpointError, match="newer"):
        load_checkpoint(saved)


def test_missing_key_is_named(saved) -> None:
    rewrite(saved, lambda p: p.pop("class_names"))
    with pytest.raises(CheckpointError, match="class_names"):
        load_checkpoint(saved)


def test_wrong_weight_shapes_are_refused(saved) -> None:
    def widen_head(payload):
        payload["model"]["state_dict"]["head.classifier.weight"] = torch.zeros(6, 128)

    rewrite(saved, widen_head)
    with pytest.raises(CheckpointError, match="do not fit"):
        load_checkpoint(saved)


def test_class_names_must_match_the_output_count(saved, tmp_path, tiny_model) -> None:
    rewrite(saved, lambda p: p.__setitem__("class_names", ["a", "b"]))
    with pytest.raises(CheckpointError, match="2 class names"):
        load_checkpoint(saved)
    with pytest.raises(ValueError):
        save_checkpoint(tmp_path / "x.pt", tiny_model, model_name="tsfmicro_tiny", class_names=["a"],
                        preprocess=PreprocessCfg(), model_card={})
    assert not (tmp_path / "x.pt").exists()


def test_invalid_config_values_are_refused(saved) -> None:
    rewrite(saved, lambda p: p["model"]["cfg"].__setitem__("fusion", "sideways"))
    with pytest.raises(CheckpointError, match="sideways"):
        load_checkpoint(saved)


def test_model_card_accepts_only_strings_and_numbers(tmp_path, tiny_model) -> None:
    with pytest.raises(ValueError, match="model card"):
        save_checkpoint(tmp_path / "x.pt", tiny_model, model_name="tsfmicro_tiny", class_names=CLASSES,
                        preprocess=PreprocessCfg(), model_card={"metrics": [0.1, 0.2]})


LEGACY = {"crop_spec": '{"align": {"crop_size": 112}}', "pairing_policy": '{"policy": "lag", "tau_s": 0.2}',
          "decoding": "unspecified"}


def test_a_schema_2_file_is_read_with_its_contract_strings_handed_on_as_contract_version_0(saved) -> None:
    """Up to schema 2 the face, pairing and decoding settings were JSON strings inside `preprocess`."""
    def downgrade(payload):
        payload["schema_version"] = 2
        payload["preprocess"].update(LEGACY)
        del payload["contract"]

    rewrite(saved, downgrade)
    loaded = load_checkpoint(saved)
    assert loaded.schema_version == 2
    assert loaded.preprocess == PreprocessCfg(size=64, resize=ResizeMethod.BILINEAR)
    assert loaded.contract == {"version": 0, **LEGACY}


def test_contract_strings_in_a_schema_3_preprocess_are_refused(saved) -> None:
    rewrite(saved, lambda p: p["preprocess"].update(LEGACY))
    with pytest.raises(CheckpointError, match="since schema 3 these settings are in `contract`"):
        load_checkpoint(saved)


def test_the_contract_must_be_versioned_plain_data(saved, tmp_path, tiny_model) -> None:
    def save(**contract):
        return save_checkpoint(tmp_path / "c.pt", tiny_model, model_name="tsfmicro_tiny", class_names=CLASSES,
                               preprocess=PreprocessCfg(size=64), model_card={}, **contract)

    with pytest.raises(ValueError, match="not plain data"):
        save(contract={"version": 1, "face": {"size": torch.zeros(1)}})
    with pytest.raises(ValueError, match="contract version"):
        save(contract={"face": {}})
    assert not (tmp_path / "c.pt").exists()
    assert "contract" not in torch.load(save(), weights_only=True)  # nothing specified: nothing written
    assert load_checkpoint(save()).contract == {}
    rewrite(saved, lambda p: p.__setitem__("contract", {"version": "one"}))
    with pytest.raises(CheckpointError, match="contract version"):
        load_checkpoint(saved)
