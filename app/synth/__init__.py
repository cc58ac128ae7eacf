"""Synthetic test media rendered from real, public-domain faces.

`moving_portrait`: the demo/benchmark portrait with head motion. The synthetic micro-expression data
set (`tsfmicro synth`, docs/synth.md): `action_units` (AU -> landmark displacements), `warp`
(displacement fields, remapping), `timing` (durations, intensity profiles), `faces` (face sources),
`plan` (a video's `VideoSpec`), `nuisance` (blinks, talking, flicker), `render`
(`render_synthetic_video`) and `dataset` (`synthesize_dataset`).
"""
