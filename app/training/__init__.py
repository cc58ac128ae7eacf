"""Training (`tsfmicro train`): the pair classifier with the reference recipe under leave-one-subject-out (or a
subject hold-out) with honest or paper-protocol model selection, then the per-frame spotting head; one checkpoint
with a model card. Qt-free; imports `model/` and the app's core packages only.

Modules, one job each:
- config      `TrainConfig` (recipe defaults, protocol label)
- classes     `--classes` → `ClassMap` (label order, emotion mapping)
- samples     training CSV → events → aligned (onset, apex) crop pairs; skipped events reported
- crops       one video's cached face track → frame-exact aligned crops
- reselect    key-frame re-selection off | faithful | fixed
- augment     6-channel flip / rotation / padded crop
- folds       LOSO folds, hold-out split, inner validation subject
- loop        the epoch loop and batched prediction
- selection   honest selection and the paper protocol's metrics
- seeds       per-purpose seeds (resumable randomness)
- state       `OUT.partial`: save / check / load the resumable state
- distributed torchrun: process group, DDP, DistributedSampler, rank-0 helpers
- spotting    per-frame embeddings, phase targets, head training and scoring
- head_stage  the head stage of a run
- progress    progress bar with ETA
- report      pooled / per-fold metrics, printed summary, predictions CSV
- card        model card and checkpoint
- runner      `Trainer`: the run end to end

    from app.training import Trainer, TrainConfig
    result = Trainer("train.csv", "model.pt", TrainConfig(model="tsfmicro_tiny", epochs=2)).run()
"""

from app.training.config import TrainConfig
from app.training.runner import Trainer, TrainResult
from app.training.samples import TrainingDataError

__all__ = ["TrainConfig", "TrainResult", "Trainer", "TrainingDataError"]
