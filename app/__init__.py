"""TSFmicro Studio: review interviews for micro-expressions with the TSFmicro model in the loop.

Packages, lowest layer first (`.importlinter` holds the layers; each imports only from those below it):

- `app.resources`: paths of the bundled files, from source and from a frozen build;
- `app.media`: the video core, one `VideoSource` over video files and folders of numbered frames (and the encoder);
- `app.face`: the face pipeline: detection, tracking, landmarks, alignment, quality, face tracks and their cache;
- `app.core`: domain types and their file formats: events, the training CSV, the exchange formats (ELAN, BORIS,
  MEGC), data-set sheets, AU exports, the project store;
- `app.analysis`: the inference engine (the TSFmicro model of `model/` with its spotting head → per-frame curves),
  the motion spotters, proposals (curves → intervals), the model's contract and card, evaluation and rater
  agreement metrics, motion magnification;
- `app.synth`: synthetic media and the synthetic micro-expression data set (`tsfmicro synth`);
- `app.testbed`: a second renderer, apart from `app.synth`, whose sets only test models (`tsfmicro testset`);
- `app.training`: training the pair classifier and the spotting head (`tsfmicro train`) and the learned motion
  spotter (`tsfmicro train-spotter`);
- `app.batch`: batch scoring of many videos, local processes or Ray (`tsfmicro score`);
- `app.report`: the self-contained HTML review report;
- `app.bench`: the benchmarks behind `tsfmicro bench`;
- `app.ui`: the Qt shell, the reviewer window;
- `app.commands`: the `tsfmicro` subcommands, one module each; `app.selftest`: `tsfmicro-studio --self-test`;
- `app.cli` and `app.studio`: the two entry points (`tsfmicro`, `tsfmicro-studio`).

Only `app.ui` imports Qt at import time (`app.studio` and the self-test's window step load it when they run); the
rest is Qt-free, so batch runs and the command line need no GUI.
"""

__version__ = "0.1.0"
