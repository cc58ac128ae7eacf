"""Subcommands that need the face pipeline and benchmarks; imported by app.cli.main."""
