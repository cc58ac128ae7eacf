"""Frames of a `VideoPlan`: place the face (with the head sweeps), move the mesh points by the expressions, blinks,
gaze shifts and restless activity, warp piecewise-affinely, then film (sensor noise, JPEG).

The expressions are computed in the current frame's face axes from its own landmarks, so on a talking face they
move with the head. A frame no expression touches is computed exactly as with no expressions at all.
"""

from __future__ import annotations

import itertools
import os
from typing import Iterator, Sequence

import numpy as np

from app.media.writer import write_video
from app.testbed.action_units import combination_vectors
from app.testbed.anatomy import anchor_points, face_axes, movable_points
from app.testbed.faces import BaseFace
from app.testbed.mesh_warp import warp_mesh
from app.testbed.nuisance import face_offsets, film, head_matrix
from app.testbed.plan import VideoPlan


def make_face(plan: VideoPlan) -> BaseFace:
    return BaseFace(plan.face, plan.face_kind, plan.size, plan.placement, plan.clip_start)


def _reference(face: BaseFace) -> tuple[np.ndarray, float]:
    """The face's centre and inter-ocular distance in the frame without head motion (head sweeps pivot there)."""
    points = face.landmarks[face.clip_index(0)] @ face.affine[:, :2].T + face.affine[:, 2]
    return points.mean(axis=0), face_axes(points).iod


def expression_vectors(plan: VideoPlan, index: int) -> np.ndarray | None:
    """(72, 2) face-frame vectors (inter-ocular units) of the expressions on frame `index`; None when none acts."""
    active = [(e, e.intensity(index)) for e in plan.expressions if e.onset <= index <= e.offset]
    if not active:
        return None
    return sum(e.amplitude_iod * w * combination_vectors(e.action_units) for e, w in active)


def render_frames(plan: VideoPlan, face: BaseFace | None = None) -> Iterator[np.ndarray]:
    """RGB uint8 frames of the plan, in order."""
    face = face or make_face(plan)
    centre, iod = _reference(face)
    for index in range(plan.n_frames):
        image, landmarks = face.frame(index, head_matrix(list(plan.nuisances), index, centre, iod))
        axes = face_axes(landmarks)
        points = movable_points(landmarks)
        vectors = plan.restless.vectors(index, plan.fps)
        expression = expression_vectors(plan, index)
        if expression is not None:
            vectors = vectors + expression
        offsets = axes.to_pixels(vectors) + face_offsets(list(plan.nuisances), index, points, axes)
        anchors = anchor_points(landmarks, plan.size)
        warped = warp_mesh(image, np.vstack([points, anchors]), np.vstack([points + offsets, anchors]))
        camera = np.random.default_rng([plan.seed, plan.index, 4, 7357, index])
        yield film(warped, plan.noise_sigma, plan.jpeg_quality[index], camera)


def render_recording(parts: Sequence[VideoPlan], path: str | os.PathLike) -> int:
    """Write the plans one after another as one H.264 video at the first's rate and quality (one encoder thread, so
    the same plans give the same file); returns the frame count."""
    frames = itertools.chain.from_iterable(render_frames(plan) for plan in parts)
    return write_video(path, frames, parts[0].fps, crf=parts[0].crf, extra_args=["-threads", "1"])
