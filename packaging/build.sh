#!/usr/bin/env bash
# Build the one-folder TSFmicro Studio bundle: dist/TSFmicroStudio/tsfmicro-studio
#
#   bash packaging/build.sh            # build, then run the frozen --self-test
#   bash packaging/build.sh --no-test  # build only
#
# DIST_DIR and WORK_DIR override the output folder (default dist/) and PyInstaller's work folder
# (default build/pyinstaller); the test suite builds into a temporary folder this way.
#
# Uses the project's virtual environment (.venv, or $VENV); installs PyInstaller into it when
# missing (the pin below is the tested one). Prints the build time and the bundle's size.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
PYINSTALLER_PIN="pyinstaller==6.22.3"
DIST_DIR="${DIST_DIR:-$ROOT/dist}"
WORK_DIR="${WORK_DIR:-$ROOT/build/pyinstaller}"
RUN_TEST=1
[[ "${1:-}" == "--no-test" ]] && RUN_TEST=0

cd "$ROOT"
if [[ ! -x "$PY" ]]; then
    echo "build.sh: no Python at $PY (create the virtual environment first: see README)" >&2
    exit 2
fi
if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
    echo "build.sh: installing $PYINSTALLER_PIN into $VENV"
    "$PY" -m pip install --quiet "$PYINSTALLER_PIN"
fi
echo "build.sh: PyInstaller $("$PY" -m PyInstaller --version)"

start=$(date +%s)
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST_DIR" --workpath "$WORK_DIR" "$ROOT/packaging/app.spec"
end=$(date +%s)

BUNDLE="$DIST_DIR/TSFmicroStudio"
size_mb=$(du -sm "$BUNDLE" | cut -f1)
echo "build.sh: built $BUNDLE in $((end - start)) s; size ${size_mb} MB"
links=$(find "$BUNDLE/_internal/resources" "$BUNDLE/_internal/dlib_models" -type l | wc -l)
if [[ "$links" != "0" ]]; then
    echo "build.sh: bundled data contains $links symbolic links" >&2
    exit 1
fi
if [[ "$RUN_TEST" == "1" ]]; then
    "$BUNDLE/tsfmicro-studio" --self-test
fi
