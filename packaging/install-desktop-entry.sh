#!/usr/bin/env bash
# Register a built bundle with the desktop (per user, no root): a launcher, a menu entry and the icon.
#
#   bash packaging/install-desktop-entry.sh [BUNDLE_DIR]   # default: dist/TSFmicroStudio
#
# Writes ~/.local/share/applications/tsfmicro-studio.desktop (Exec = the bundle's absolute path)
# and ~/.local/share/icons/hicolor/{48x48,128x128,256x256}/apps/tsfmicro-studio.png.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUNDLE="$(cd "${1:-$ROOT/dist/TSFmicroStudio}" && pwd)"
EXE="$BUNDLE/tsfmicro-studio"
[[ -x "$EXE" ]] || { echo "no executable at $EXE (build first: bash packaging/build.sh)" >&2; exit 2; }
DATA="${XDG_DATA_HOME:-$HOME/.local/share}"
ICONS="$BUNDLE/_internal/resources/icons"
for px in 48 128 256; do
    src="$ICONS/tsfmicro-studio-$px.png"; [[ $px == 256 ]] && src="$ICONS/tsfmicro-studio.png"
    install -D -m 644 "$src" "$DATA/icons/hicolor/${px}x${px}/apps/tsfmicro-studio.png"
done
mkdir -p "$DATA/applications"
sed -e "s|^Exec=.*|Exec=\"$EXE\" %f|" -e "s|^TryExec=.*|TryExec=$EXE|" \
    "$ROOT/packaging/tsfmicro-studio.desktop" > "$DATA/applications/tsfmicro-studio.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database "$DATA/applications" || true
echo "installed $DATA/applications/tsfmicro-studio.desktop → $EXE"
