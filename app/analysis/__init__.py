"""Qt-free analysis: inference engine, spotting post-processing (proposals) and evaluation metrics."""
