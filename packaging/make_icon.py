"""Draw the application icon (no downloads): a stylised face with a timeline beneath it.

    .venv/bin/python packaging/make_icon.py      # writes resources/icons/tsfmicro-studio{,-48,-128}.png

The PNGs are committed; run this again only to change the drawing.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

OUT = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZE = 512  # drawn at 512 px, anti-aliased, then downscaled


def draw(size: int = SIZE) -> np.ndarray:
    """A BGRA image: a rounded dark-teal tile, a pale face with eyes and a faint smile, and a
    timeline with one highlighted (micro-expression) interval."""
    s = size / 512.0
    img = np.zeros((size, size, 4), np.uint8)

    def p(x: float, y: float) -> tuple[int, int]:
        return int(round(x * s * 16)), int(round(y * s * 16))  # 4 fractional bits for cv2's shift

    aa, shift = cv2.LINE_AA, 4
    tile = (92, 74, 24, 255)  # BGR(A): dark teal
    r = 84
    for cx, cy in ((r, r), (512 - r, r), (r, 512 - r), (512 - r, 512 - r)):
        cv2.circle(img, p(cx, cy), int(r * s * 16), tile, -1, aa, shift)
    cv2.rectangle(img, (int(r * s), 0), (int((512 - r) * s), size - 1), tile, -1)
    cv2.rectangle(img, (0, int(r * s)), (size - 1, int((512 - r) * s)), tile, -1)

    face = (200, 226, 244, 255)
    dark = (60, 44, 20, 255)
    cv2.ellipse(img, p(256, 205), (int(118 * s * 16), int(142 * s * 16)), 0, 0, 360, face, -1, aa, shift)
    for x in (212, 300):
        cv2.ellipse(img, p(x, 185), (int(22 * s * 16), int(13 * s * 16)), 0, 0, 360, dark, -1, aa, shift)
        cv2.line(img, p(x - 26, 152), p(x + 24, 148 if x > 256 else 156), dark, max(1, int(9 * s)), aa, shift)
    cv2.ellipse(img, p(256, 262), (int(48 * s * 16), int(20 * s * 16)), 0, 15, 165, dark, max(1, int(10 * s)), aa, shift)

    track_y = 420
    cv2.line(img, p(70, track_y), p(442, track_y), (200, 200, 200, 255), max(1, int(14 * s)), aa, shift)
    cv2.line(img, p(262, track_y), p(330, track_y), (60, 170, 255, 255), max(1, int(30 * s)), aa, shift)  # orange
    cv2.circle(img, p(296, track_y), int(20 * s * 16), (255, 255, 255, 255), -1, aa, shift)
    return img


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    big = draw()
    for px, name in ((256, "tsfmicro-studio.png"), (128, "tsfmicro-studio-128.png"), (48, "tsfmicro-studio-48.png")):
        small = cv2.resize(big, (px, px), interpolation=cv2.INTER_AREA)
        cv2.imwrite(str(OUT / name), small)
        print(OUT / name)


if __name__ == "__main__":
    main()
