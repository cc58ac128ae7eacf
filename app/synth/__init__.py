"""Synthetic test media rendered from real, public-domain faces."""
