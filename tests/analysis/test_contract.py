"""A checkpoint's contract (face crops, pairing, decoding): one versioned plain-dict form, old files read as before."""

from __future__ import annotations

import dataclasses
import json

import pytest
import torch

from app.analysis import Predictor
from app.analysis.contract import CONTRACT_VERSION, ModelContract
from app.analysis.pairing import PairingPolicy
from app.analysis.proposals import ProposalConfig
from app.face import FaceConfig
from app.resources import default_model_path
from model import CheckpointError, load_checkpoint, save_checkpoint


def test_the_plain_dict_form_round_trips_and_names_what_it_refuses():
    contract = ModelContract(
        face=dataclasses.replace(FaceConfig(), align=dataclasses.replace(FaceConfig().align, crop_size=112)),
        pairing=PairingPolicy(0.2, register="flow"),  # embedding None
        decoding=ProposalConfig(theta_hi=0.9, macro_max_s=None, baseline="median"))
    data = contract.to_dict()
    assert data["version"] == CONTRACT_VERSION and data["pairing"]["embedding"] is None
    assert ModelContract.from_dict(data) == contract
    assert ModelContract.from_dict({**data, "decoding": None}).proposal_config == ProposalConfig()
    assert ModelContract.from_dict({}) == ModelContract.from_dict({"version": 1}) == ModelContract()
    with pytest.raises(ValueError, match=r"contract.pairing: unknown field\(s\) \['lag'\]"):
        ModelContract.from_dict({**data, "pairing": {"lag": 5}})
    with pytest.raises(ValueError, match=r"contract.decoding.theta_hi: expected a number"):
        ModelContract.from_dict({**data, "decoding": {"theta_hi": "high"}})
    with pytest.raises(ValueError, match="newer than this program reads"):
        ModelContract.from_dict({**data, "version": CONTRACT_VERSION + 1})
    with pytest.raises(ValueError, match="contract version missing"):
        ModelContract.from_dict({"face": {}})


def test_version_0_the_strings_of_schema_2_files_is_read_as_they_meant():
    strings = {"crop_spec": FaceConfig().to_json(), "pairing_policy": PairingPolicy(0.1, "pre_logits").to_json(),
               "decoding": "unspecified"}
    assert ModelContract.from_dict({"version": 0, **strings}) == ModelContract(pairing=PairingPolicy(0.1, "pre_logits"))
    with pytest.raises(ValueError, match="pairing_policy is not JSON"):
        ModelContract.from_dict({"version": 0, **strings, "pairing_policy": "every other frame"})
    with pytest.raises(ValueError, match=r"contract.face: unknown field\(s\) \['detector'\]"):
        ModelContract.from_dict({"version": 0, **strings, "crop_spec": '{"detector": "dlib"}'})


def test_the_bundled_model_reads_as_before_and_gives_the_same_outputs_once_rewritten(tmp_path):
    """resources/models/default.pt (schema 2): its contract is what the old readers made of its strings; written
    again in the current form, it reads back to the same contract and the same outputs."""
    path = default_model_path()
    raw = torch.load(path, map_location="cpu", weights_only=True)["preprocess"]
    old = load_checkpoint(path)
    contract = ModelContract.of(old)
    assert contract.face == FaceConfig.from_json(raw["crop_spec"])
    pairing = json.loads(raw["pairing_policy"])
    assert pairing.pop("policy") == "lag" and contract.pairing == PairingPolicy(**pairing)
    assert contract.decoding == ProposalConfig(**json.loads(raw["decoding"]))
    assert Predictor.load(path, device="cpu", threads=1).proposal_config == contract.decoding

    rewritten = save_checkpoint(tmp_path / "v3.pt", old.model, model_name=old.model_name, class_names=old.class_names,
                                preprocess=old.preprocess, contract=contract.to_dict(), model_card=old.model_card,
                                spotting_head=old.spotting_head, more_members=old.more_members)
    new = load_checkpoint(rewritten)
    assert ModelContract.of(new) == contract and new.preprocess == old.preprocess
    torch.manual_seed(0)
    size = old.preprocess.size
    onset, apex = torch.randn(2, 3, size, size), torch.randn(2, 3, size, size)
    with torch.no_grad():
        for a, b in zip(old.members, new.members):
            assert torch.equal(a.model(onset, apex), b.model(onset, apex))


def test_an_unreadable_contract_names_the_file(tmp_path, tiny_checkpoint):
    loaded = load_checkpoint(tiny_checkpoint)
    broken = dataclasses.replace(loaded, contract={"version": 1, "pairing": {"tau_s": -1.0}})
    with pytest.raises(CheckpointError, match="invalid contract: tau_s must be a positive") as info:
        Predictor.from_checkpoint(broken, device="cpu")
    assert str(tiny_checkpoint) in str(info.value)


def test_the_predictor_carries_the_checkpoint_s_face_settings(tmp_path, tiny_checkpoint):
    """The analysis of `tsfmicro analyze`, batch scoring and held-out evaluation crops faces as the model's
    training did: with the contract's face settings, which the predictor hands on."""
    loaded = load_checkpoint(tiny_checkpoint)
    face = dataclasses.replace(FaceConfig(), align=dataclasses.replace(FaceConfig().align, crop_size=112))
    path = save_checkpoint(tmp_path / "face.pt", loaded.model, model_name=loaded.model_name,
                           class_names=loaded.class_names, preprocess=loaded.preprocess,
                           contract=ModelContract(face=face).to_dict(), model_card={},
                           spotting_head=loaded.spotting_head)
    assert Predictor.load(path, device="cpu", threads=1).face_config == face
    assert Predictor.load(tiny_checkpoint, device="cpu", threads=1).face_config == FaceConfig()
