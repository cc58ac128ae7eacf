"""Index-stamped frames: each frame carries its own index as a 12-bit block bar code."""

import numpy as np

BITS = 12
_CELL, _GAP, _COLS = 14, 4, 6


def stamp_frame(index: int, width: int = 160, height: int = 120) -> np.ndarray:
    img = np.full((height, width, 3), 128, np.uint8)
    for bit in range(BITS):
        row, col = divmod(bit, _COLS)
        y, x = 8 + row * (_CELL + _GAP), 8 + col * (_CELL + _GAP)
        img[y:y + _CELL, x:x + _CELL] = 255 if (index >> bit) & 1 else 0
    # a moving bright ellipse-ish blob, so consecutive frames differ beyond the bar code
    cx = 20 + (index * 3) % (width - 40)
    img[height - 30:height - 10, cx - 8:cx + 8] = (230, 200, 90)
    return img


def read_stamp(frame: np.ndarray) -> int:
    value = 0
    for bit in range(BITS):
        row, col = divmod(bit, _COLS)
        y, x = 8 + row * (_CELL + _GAP) + _CELL // 2, 8 + col * (_CELL + _GAP) + _CELL // 2
        if frame[y - 2:y + 3, x - 2:x + 3].mean() > 128:
            value |= 1 << bit
    return value
