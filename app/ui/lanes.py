"""Read-only lanes on the timeline's frame axis: action-unit tracks (one plot row per AU, in a
scrollable strip under the timeline) and a second rater's events (one row under the events).

Every lane is x-linked to the timeline's detail view, so it follows its zoom and scroll, and has
its own playhead line. Nothing here is editable: lanes show data, they never change labels.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea

from app.core.events import Event
from app.ui.timeline_view import LANE_AXIS_WIDTH, TimelineView

AU_ROW_HEIGHT = 34  # px per AU lane
AU_PEN = "#8c510a"
RATER_BRUSH = (150, 80, 200, 90)  # a second rater's events: purple, unlike the person's own
RATER_PEN = (110, 40, 160)
PLAYHEAD_PEN = "#e6550d"


def _name_axis(plot: pg.PlotItem, name: str, y: float) -> None:
    """The lane's name written horizontally as the left axis's one tick (a vertical axis title is
    unreadable in a thin row)."""
    axis = plot.getAxis("left")
    axis.setTicks([[(y, name)], []])
    axis.setWidth(LANE_AXIS_WIDTH)


class AuLanesView(QScrollArea):
    """One plot row per AU column, NaN (no face / no value) leaving a gap."""

    def __init__(self, timeline: TimelineView):
        super().__init__()
        self._timeline = timeline
        self._layout_widget = pg.GraphicsLayoutWidget()
        self.setWidget(self._layout_widget)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._lanes: dict[str, tuple[pg.PlotItem, pg.PlotDataItem, pg.InfiniteLine]] = {}
        self.hide()

    def set_lanes(self, lanes: dict[str, np.ndarray]) -> None:
        """Replace all lanes: column name -> per-frame values of the video (NaN where none)."""
        self.clear()
        self._timeline.detail.getAxis("left").setWidth(LANE_AXIS_WIDTH)  # frames line up with the lanes'
        for row, (name, values) in enumerate(lanes.items()):
            y = np.asarray(values, dtype=np.float32)
            plot = self._layout_widget.addPlot(row=row, col=0)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            plot.hideAxis("bottom")
            plot.setXLink(self._timeline.detail)
            item = plot.plot(np.arange(len(y), dtype=np.float32), y, pen=pg.mkPen(AU_PEN, width=1.2), connect="finite")
            item.setDownsampling(auto=True, method="peak")
            item.setClipToView(True)
            finite = y[np.isfinite(y)]
            low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
            high = high if high > low else low + 1.0
            plot.setYRange(low, high, padding=0.1)
            _name_axis(plot, name, (low + high) / 2)
            playhead = pg.InfiniteLine(pos=self._timeline.playhead.value(), movable=False, pen=pg.mkPen(PLAYHEAD_PEN))
            plot.addItem(playhead)
            self._lanes[name] = (plot, item, playhead)
        self._layout_widget.setMinimumHeight(AU_ROW_HEIGHT * len(self._lanes))
        self.setVisible(bool(self._lanes))

    def clear(self) -> None:
        self._layout_widget.clear()
        self._lanes.clear()
        self.hide()

    def lane_names(self) -> list[str]:
        return list(self._lanes)

    def lane_values(self, name: str) -> np.ndarray:
        return self._lanes[name][1].getOriginalDataset()[1]

    def lane_plot(self, name: str) -> pg.PlotItem:
        return self._lanes[name][0]

    def set_playhead(self, frame: int) -> None:
        for _, _, playhead in self._lanes.values():
            playhead.setValue(frame + 0.5)


class RaterLane:
    """A second rater's events as purple intervals (apex dashed) in one lane under the events; the
    lane exists only while a second rater is loaded. Its intervals cannot be moved or selected."""

    def __init__(self, timeline: TimelineView):
        self._timeline = timeline
        self.plot: Optional[pg.PlotItem] = None
        self.items: list = []  # the intervals and their apex lines
        self._playhead: Optional[pg.InfiniteLine] = None

    def show(self, name: str, events: list[Event]) -> None:
        if self.plot is None:
            self.plot = self._timeline.add_lane()
            self.plot.setYRange(0, 1, padding=0)
            self._playhead = pg.InfiniteLine(pos=self._timeline.playhead.value(), movable=False,
                                             pen=pg.mkPen(PLAYHEAD_PEN))
            self.plot.addItem(self._playhead)
        for item in self.items:
            self.plot.removeItem(item)
        self.items = []
        _name_axis(self.plot, name[:14], 0.5)
        for event in events:
            region = pg.LinearRegionItem(values=(event.onset_frame, event.offset_frame + 1), brush=RATER_BRUSH,
                                         pen=pg.mkPen(RATER_PEN), movable=False)
            apex = pg.InfiniteLine(pos=event.apex_frame + 0.5, movable=False,
                                   pen=pg.mkPen(RATER_PEN, style=Qt.PenStyle.DashLine))
            self.plot.addItem(region)
            self.plot.addItem(apex)
            self.items += [region, apex]

    def clear(self) -> None:
        if self.plot is not None:
            self._timeline.remove_lane(self.plot)
        self.plot, self.items, self._playhead = None, [], None

    def intervals(self) -> list[tuple[float, float]]:
        return [tuple(r.getRegion()) for r in self.items if isinstance(r, pg.LinearRegionItem)]

    def set_playhead(self, frame: int) -> None:
        if self._playhead is not None:
            self._playhead.setValue(frame + 0.5)
