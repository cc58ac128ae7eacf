"""Playback: the clock that advances frames (play/pause, speeds 0.1x-2x, J/K/L shuttle, looping).

It only says which frame is due; the window shows it. Frame timing comes from the video's fps
scaled by the speed; a slow frame read delays the next tick instead of skipping frames, so every
frame is shown (what a reviewer of 40-ms events needs).
"""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QObject, QTimer, Signal

SPEEDS = (0.1, 0.25, 0.5, 1.0, 1.5, 2.0)


class Playback(QObject):
    frameDue = Signal(int)
    stateChanged = Signal(bool, float)  # playing, signed speed (negative: backwards)

    def __init__(self, parent: Optional[QObject] = None):
        super().__init__(parent)
        self.n_frames = 1
        self.fps = 30.0
        self.current = 0
        self.speed = 1.0
        self.direction = 1
        self.loop: Optional[tuple[int, int]] = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_tick)

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def configure(self, n_frames: int, fps: float) -> None:
        self.stop()
        self.n_frames, self.fps = max(1, int(n_frames)), float(fps)
        self.current = 0

    def set_speed(self, speed: float) -> None:
        if not 0.1 <= speed <= 2.0:
            raise ValueError(f"speed must be between 0.1 and 2, got {speed}")
        self.speed = float(speed)
        self.stateChanged.emit(self.playing, self.direction * self.speed)

    def change_speed(self, direction: int) -> None:
        """One step slower (direction < 0) or faster along SPEEDS, from the nearest one."""
        index = min(range(len(SPEEDS)), key=lambda i: abs(SPEEDS[i] - self.speed))
        self.set_speed(SPEEDS[min(max(0, index + (1 if direction > 0 else -1)), len(SPEEDS) - 1)])

    def set_loop(self, span: Optional[tuple[int, int]]) -> None:
        """Loop over frames span[0]..span[1] (inclusive) while playing forwards; None: no loop."""
        self.loop = None if span is None else (max(0, span[0]), min(self.n_frames - 1, span[1]))

    def play(self, direction: int = 1) -> None:
        self.direction = 1 if direction >= 0 else -1
        self._schedule()
        self.stateChanged.emit(True, self.direction * self.speed)

    def stop(self) -> None:
        self._timer.stop()
        self.stateChanged.emit(False, self.direction * self.speed)

    def toggle(self) -> None:
        self.stop() if self.playing else self.play(self.direction)

    def shuttle(self, key: str) -> None:
        """J/K/L: L plays forwards (again: faster), J backwards (again: faster), K stops."""
        if key == "k":
            self.stop()
            return
        direction = 1 if key == "l" else -1
        if self.playing and self.direction == direction:
            faster = [s for s in SPEEDS if s > self.speed]
            self.speed = faster[0] if faster else self.speed
        elif not self.playing:
            self.speed = 1.0
        self.play(direction)

    def seek(self, frame: int) -> None:
        self.current = min(max(0, int(frame)), self.n_frames - 1)

    def _schedule(self) -> None:
        self._timer.start(max(1, round(1000.0 / (self.fps * self.speed))))

    def _on_tick(self) -> None:
        nxt = self.current + self.direction
        if self.loop is not None and self.direction > 0 and not self.loop[0] <= nxt <= self.loop[1]:
            nxt = self.loop[0]
        if not 0 <= nxt < self.n_frames:
            self.stop()
            return
        self.current = nxt
        self.frameDue.emit(nxt)
        self._schedule()
