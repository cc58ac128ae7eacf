"""AU codes, the AU -> control-point table, and the displacement fields."""

import cv2
import numpy as np
import pytest

from app.synth.action_units import (EMOTION_AUS, LEFT_EYE, MIRROR, RIGHT_EYE, control_moves, face_frame,
                                    moves_for, parse_aus)
from app.synth.faces import portrait_landmarks
from app.synth.warp import Field, Remapper, add_fields, displacement_field, eyelid_field


@pytest.fixture(scope="module")
def landmarks():
    return portrait_landmarks()[1]


def test_mirror_is_an_involution_that_swaps_the_eyes():
    assert sorted(MIRROR) == list(range(68)) and (MIRROR[MIRROR] == np.arange(68)).all()
    assert sorted(MIRROR[RIGHT_EYE]) == LEFT_EYE


def test_parse_codes():
    assert parse_aus("6+12") == [("", 6), ("", 12)]
    assert parse_aus("L14") == [("L", 14)] and parse_aus("r12") == [("R", 12)]
    for bad in ("", "6+", "X12", "99"):
        with pytest.raises(ValueError):
            parse_aus(bad)
    for codes in EMOTION_AUS.values():
        for code in codes:
            assert moves_for(code)


def test_unilateral_code_moves_one_side_only(landmarks):
    # Subject's left = image right in the unmirrored portrait.
    mid_x = landmarks[27:31, 0].mean()
    points, vectors, _ = control_moves(landmarks, [("L14", 1.0)], 0.05)
    assert (points[:, 0] > mid_x).all()
    points, _, _ = control_moves(landmarks, [("R12", 1.0)], 0.05)
    assert (points[:, 0] < mid_x).all()
    points, _, _ = control_moves(landmarks, [("12", 1.0)], 0.05)
    assert (points[:, 0] < mid_x).any() and (points[:, 0] > mid_x).any()


def test_directions_make_sense(landmarks):
    _, v, _ = face_frame(landmarks)  # towards the chin
    for code, sign in (("1", -1), ("2", -1), ("4", +1), ("15", +1), ("17", -1), ("10", -1)):
        _, vectors, _ = control_moves(landmarks, [(code, 1.0)], 0.05)
        assert sign * (vectors @ v).mean() > 0, code
    points, vectors, _ = control_moves(landmarks, [("12", 1.0)], 0.05)
    corners = [np.argmin(np.hypot(*(points - landmarks[i]).T)) for i in (48, 54)]
    centre = landmarks[48:60].mean(axis=0)
    for k in corners:  # lip corners pulled outwards and up
        assert (points[k] - centre) @ vectors[k] > 0 and vectors[k] @ v < 0


def test_lip_action_units_move_the_lips_as_facs_says(landmarks):
    _, v, _ = face_frame(landmarks)
    centre = landmarks[48:60].mean(axis=0)

    def corner_outwards(code):  # how far the right lip corner moves away from the mouth's centre
        points, vectors, _ = control_moves(landmarks, [(code, 1.0)], 0.05)
        k = int(np.argmin(np.hypot(*(points - landmarks[48]).T)))
        return (points[k] - centre) @ vectors[k] / np.hypot(*(points[k] - centre))

    assert corner_outwards("20") > 0 > corner_outwards("18")  # stretcher outwards, pucker inwards
    for code in ("23", "24"):  # tightener, pressor: the lips close on each other
        points, vectors, _ = control_moves(landmarks, [(code, 1.0)], 0.05)
        upper = [np.argmin(np.hypot(*(points - landmarks[i]).T)) for i in (50, 51)]
        lower = [np.argmin(np.hypot(*(points - landmarks[i]).T)) for i in (57, 58)]
        assert all(vectors[k] @ v > 0 for k in upper) and all(vectors[k] @ v < 0 for k in lower), code


@pytest.mark.parametrize("code", ["1+2+5", "6+12", "4+9", "9+10", "15+17", "14+17", "4+7", "18+23", "20+24+26"])
def test_no_control_point_moves_further_than_the_amplitude(landmarks, code):
    iod = face_frame(landmarks)[2]
    _, vectors, _ = control_moves(landmarks, [(c, 1.0) for c in code.split("+")], 0.05)
    assert np.hypot(*vectors.T).max() <= 0.05 * iod + 1e-9
    points, vectors, sigmas = control_moves(landmarks, [(c, 1.0) for c in code.split("+")], 0.05)
    field = displacement_field(points, vectors, sigmas, (512, 512))
    assert field.max_px <= 0.05 * iod + 1e-4


def test_field_is_zero_outside_its_support_and_none_without_motion():
    assert displacement_field(np.zeros((1, 2)), np.zeros((1, 2)), np.ones(1), (64, 64)) is None
    field = displacement_field(np.array([[32.0, 32.0]]), np.array([[2.0, 0.0]]), np.array([4.0]), (64, 64))
    assert field.max_px == pytest.approx(2.0, abs=1e-4)
    assert field.x0 >= 32 - 13 and field.x0 + field.dx.shape[1] <= 32 + 14
    dist = np.hypot(*np.meshgrid(np.arange(field.dx.shape[1]) + field.x0 - 32, np.arange(field.dx.shape[0]) + field.y0 - 32))
    assert (field.dx[dist > 12] == 0).all()


def test_backward_map_moves_content_by_the_field():
    # A horizontal ramp moved right by 1.5 px near the centre reads 1.5 less there.
    ramp = np.tile(np.arange(100, dtype=np.float32) * 2, (100, 1))
    image = np.repeat(ramp[:, :, None], 3, axis=2).astype(np.uint8)
    field = displacement_field(np.array([[50.0, 50.0]]), np.array([[1.5, 0.0]]), np.array([10.0]), (100, 100))
    out = Remapper((100, 100)).render(image, np.float64([[1, 0, 0], [0, 1, 0]]), field)
    assert out[50, 50, 0] == pytest.approx(image[50, 50, 0] - 3, abs=1)
    assert (out[:, :15] == image[:, :15]).all()


def test_remapper_without_field_matches_warp_affine():
    rng = np.random.default_rng(0)
    image = cv2.GaussianBlur(rng.integers(0, 255, (120, 160, 3), dtype=np.uint8), (5, 5), 0)
    affine = cv2.getRotationMatrix2D((80, 60), 3.0, 1.1)
    ours = Remapper((160, 120)).render(image, affine)
    theirs = cv2.warpAffine(image, affine, (160, 120))
    assert np.abs(ours.astype(int) - theirs.astype(int))[10:-10, 10:-10].max() <= 2


def test_add_fields():
    a = Field(0, 0, np.ones((2, 2), np.float32), np.zeros((2, 2), np.float32))
    b = Field(1, 1, np.ones((2, 2), np.float32), np.ones((2, 2), np.float32))
    s = add_fields(a, b)
    assert (s.x0, s.y0, s.dx.shape) == (0, 0, (3, 3)) and s.dx[1, 1] == 2 and s.dy[0, 0] == 0
    assert add_fields(None, a) is a and add_fields(a, None) is a


def test_eyelid_field_closes_without_folding(landmarks):
    eye = landmarks[RIGHT_EYE]
    field = eyelid_field(eye, 1.0, (512, 512))
    gap = np.mean(eye[[4, 5], 1]) - np.mean(eye[[1, 2], 1])
    assert field.max_px == pytest.approx(gap, rel=0.25)
    # Along every column the backward map y - dy(y) never runs backwards by more than the drop.
    y = np.arange(field.dy.shape[0])[:, None] + field.y0
    source = y - field.dy
    assert (np.diff(source, axis=0) > -0.05).all()
    assert eyelid_field(eye, 0.0, (512, 512)) is None


@pytest.mark.realdata
@pytest.mark.parametrize("face", ["astronaut", "grace_hopper"])
def test_mirrored_portrait_keeps_the_subjects_sides(face):
    from app.synth.faces import hopper_path

    if face == "grace_hopper" and hopper_path() is None:
        pytest.skip("matplotlib's sample portrait is not installed")
    image, points = portrait_landmarks(face)
    mirrored_image, mirrored = portrait_landmarks(face + "_mirrored")
    width = image.shape[1]
    assert (mirrored_image == image[:, ::-1]).all()
    # fitted again on the mirrored image: point k of the mirror is the mirror of the partner point of the original,
    # so the subject's right eye is still on the image's left and right-side AUs stay on the right
    expected = np.column_stack([width - 1 - points[MIRROR, 0], points[MIRROR, 1]])
    iod = np.hypot(*(points[LEFT_EYE].mean(0) - points[RIGHT_EYE].mean(0)))
    assert np.median(np.hypot(*(mirrored - expected).T)) < 0.1 * iod
    assert mirrored[RIGHT_EYE, 0].mean() < mirrored[LEFT_EYE, 0].mean()
