"""A second face renderer, designed apart from `app.synth` and used ONLY to test models (`tsfmicro testset`).

Nothing here may train a model, choose its decoding or calibrate it: the sets it writes carry the test-only marker
of `app.core.test_only`, which the training side refuses. It imports nothing from `app.synth` or `app.training`,
and only `app.commands.testset` (and the tests) import it. Qt-free.

Modules, one job each: `anatomy` (landmark groups, the face's own axes, the mesh's points), `mesh_warp`
(piecewise-affine warp on a Delaunay mesh), `action_units` (its own AU displacement templates), `emotions`
(emotion -> AU combinations), `profiles` (intensity over time), `nuisance` (blinks, gaze, head sweeps, restless
activity, JPEG and sensor noise), `faces` (base faces read from installed packages), `plan` (what one video shows),
`render` (frames of a plan), `dataset` (a whole set on disk).
"""
