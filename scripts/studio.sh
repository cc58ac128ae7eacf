#!/usr/bin/env bash
# Set up (if needed) and open TSFmicro Studio on the bundled demo video, or on the files given.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
    echo "studio: no display found (DISPLAY and WAYLAND_DISPLAY are unset)." >&2
    echo "studio: on a desktop, run this from a terminal inside the session; on a server: xvfb-run -a bash scripts/studio.sh" >&2
    exit 1
fi
exec .venv/bin/tsfmicro-studio "$@"
