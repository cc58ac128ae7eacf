"""TSFmicro in pure PyTorch. Nothing here imports `app`."""
