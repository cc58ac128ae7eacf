"""Benchmarks behind `tsfmicro bench`: figures and ratios measured in one run, medians of repeats."""
