#!/usr/bin/env bash
# Set up (if needed), check the import contracts (.importlinter: layers, no cycles) and run the whole
# test suite offscreen (no display, no GPU needed). Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/lint-imports --no-logo --no-cache
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest "$@"
