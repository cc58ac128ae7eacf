"""The timeline: per-frame curves, the face-quality lane, events and the playhead on one frame axis.

Two linked plots: an overview of the whole video (drag its window to move the detail view) and a
zoomable detail view. Long curves stay fast with peak downsampling and clip-to-view. Events are
drawn as intervals (onset..offset) with an apex line; suggested, accepted and rejected events
look different. The selected event's interval can be dragged; the edit is committed once, when
the drag ends. Dragging the playhead, or clicking on the plot, asks to seek.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.core.events import Event
from model.phases import PHASES

DRAWN_PHASES = tuple(phase for phase in PHASES if phase != "none")  # p_none is not drawn
PHASE_CURVES = tuple(f"p_{phase}" for phase in DRAWN_PHASES)  # the phase curves the timeline draws
PHASE_COLOURS = ("#2b8cbe", "#d7301f", "#31a354")  # in DRAWN_PHASES' order
CURVE_PENS = {
    **{curve: (colour, phase) for curve, phase, colour in zip(PHASE_CURVES, DRAWN_PHASES, PHASE_COLOURS, strict=True)},
    "motion": ("#756bb1", "motion spotter"),
}
EVENT_BRUSHES = {"suggested": (255, 196, 0, 60), "accepted": (60, 170, 60, 70), "rejected": (150, 150, 150, 40)}
SELECTED_BRUSH = (30, 120, 255, 70)
QUALITY_LANE = (-0.12, -0.04)  # y range of the face-quality lane under the curves
ANALYSED_LANE = (1.03, 1.08)  # y range of the lane above the curves: frames the model analysed
LANE_AXIS_WIDTH = 84  # px: the left axis of the detail view and of lanes under it (AU names fit)
LANE_HEIGHT = 40  # px: one read-only lane under the detail view (a second rater's events)


class _DetailViewBox(pg.ViewBox):
    """The detail plot's view box: a Shift+drag draws a new interval instead of panning."""

    def __init__(self, timeline: "TimelineView"):
        super().__init__()
        self._timeline = timeline
        self._drawing: Optional[pg.LinearRegionItem] = None

    def mouseDragEvent(self, ev, axis=None) -> None:  # noqa: N802 (pyqtgraph override)
        drawing = self._drawing is not None
        if not drawing and not (ev.button() == Qt.MouseButton.LeftButton
                                and ev.modifiers() & Qt.KeyboardModifier.ShiftModifier):
            super().mouseDragEvent(ev, axis)
            return
        ev.accept()
        start = self.mapSceneToView(ev.buttonDownScenePos(Qt.MouseButton.LeftButton)).x()
        end = self.mapSceneToView(ev.scenePos()).x()
        low, high = sorted((start, end))
        if self._drawing is None:
            self._drawing = pg.LinearRegionItem(values=(low, high), brush=SELECTED_BRUSH, movable=False)
            self.addItem(self._drawing)
        self._drawing.setRegion((low, high))
        if ev.isFinish():
            self.removeItem(self._drawing)
            self._drawing = None
            self._timeline.draw_interval(low, high)


class TimelineView(QWidget):
    seekRequested = Signal(int)
    eventSelected = Signal(str)
    intervalEdited = Signal(str, int, int)  # event id, new onset, new offset
    apexMoved = Signal(str, int)  # event id, new apex frame
    intervalDrawn = Signal(int, int)  # onset, offset of a new interval drawn with Shift+drag

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        pg.setConfigOptions(antialias=False, background="w", foreground="k")
        self._layout_widget = pg.GraphicsLayoutWidget()
        self.overview = self._layout_widget.addPlot(row=0, col=0)
        self.detail = self._layout_widget.addPlot(row=1, col=0, viewBox=_DetailViewBox(self))
        self._layout_widget.ci.layout.setRowStretchFactor(0, 1)
        self._layout_widget.ci.layout.setRowStretchFactor(1, 4)
        for plot in (self.overview, self.detail):
            plot.setMouseEnabled(x=True, y=False)
            plot.setYRange(QUALITY_LANE[0] - 0.02, ANALYSED_LANE[1] + 0.02, padding=0)
            plot.hideButtons()
        self.overview.setMouseEnabled(x=False, y=False)
        self.overview.hideAxis("left")
        self.detail.setLabel("bottom", "frame")
        self.detail.setLabel("left", "p")
        self.detail.addLegend(offset=(-10, 5))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._layout_widget)

        self.n_frames = 1
        self._curves: dict[str, tuple[pg.PlotDataItem, pg.PlotDataItem]] = {}
        self._quality: Optional[pg.PlotDataItem] = None
        self._analysed: Optional[pg.PlotDataItem] = None
        self._events: dict[str, tuple[pg.LinearRegionItem, pg.InfiniteLine]] = {}
        self._brushes: dict[str, tuple] = {}  # each event's status colour
        self._selected: Optional[str] = None
        self._curves_hidden = False  # blind mode: the model's curves are drawn but not shown

        self.playhead = pg.InfiniteLine(pos=0, movable=True, pen=pg.mkPen("#e6550d", width=2))
        self.playhead.sigPositionChangeFinished.connect(self._on_playhead_dragged)
        self.detail.addItem(self.playhead)
        self._overview_playhead = pg.InfiniteLine(pos=0, movable=False, pen=pg.mkPen("#e6550d"))
        self.overview.addItem(self._overview_playhead)
        self.window = pg.LinearRegionItem(values=(0, 1), brush=(0, 0, 0, 25))
        self.window.setZValue(-10)
        self.window.sigRegionChanged.connect(self._on_window_dragged)
        self.overview.addItem(self.window)
        self.detail.sigXRangeChanged.connect(self._on_detail_range_changed)
        self.detail.scene().sigMouseClicked.connect(self._on_scene_clicked)

    # -- data ----------------------------------------------------------------------------------

    def set_length(self, n_frames: int, visible_frames: int = 300) -> None:
        self.n_frames = max(1, int(n_frames))
        for plot in (self.overview, self.detail):
            plot.setLimits(xMin=0, xMax=self.n_frames, minXRange=10)
        self.overview.setXRange(0, self.n_frames, padding=0)
        self.detail.setXRange(0, min(self.n_frames, visible_frames), padding=0)

    def set_curve(self, name: str, values: np.ndarray) -> None:
        """Show (or update) one per-frame curve; NaN (not computed / no face) leaves a gap."""
        y = np.asarray(values, dtype=np.float32)
        x = np.arange(len(y), dtype=np.float32)
        if name not in self._curves:
            colour, label = CURVE_PENS.get(name, ("#636363", name))
            detail = self.detail.plot(pen=pg.mkPen(colour, width=1.5), name=label, connect="finite")
            overview = self.overview.plot(pen=pg.mkPen(colour), connect="finite")
            for item in (detail, overview):
                item.setDownsampling(auto=True, method="peak")
                item.setClipToView(True)
            self._curves[name] = (detail, overview)
        for item in self._curves[name]:
            item.setData(x, y)
            item.setVisible(not self._curves_hidden)

    def curve_names(self) -> list[str]:
        return list(self._curves)

    def set_quality(self, ok: np.ndarray) -> None:
        """The face-quality lane: a band under the curves where the face is usable."""
        lane = np.where(np.asarray(ok, dtype=bool), QUALITY_LANE[1], QUALITY_LANE[0]).astype(np.float32)
        if self._quality is None:
            self._quality = self.detail.plot(pen=pg.mkPen("#2ca25f"), fillLevel=QUALITY_LANE[0],
                                             brush=(44, 162, 95, 90), stepMode="center", name="face ok")
        self._quality.setData(np.arange(len(lane) + 1, dtype=np.float32), lane)

    def set_analysed(self, analysed: np.ndarray) -> None:
        """The lane above the curves: raised where the model analysed the frame. Elsewhere (the fast
        mode skips frames) the curves show the per-frame head carrying its state, not a new look."""
        seen = np.nan_to_num(np.asarray(analysed, dtype=np.float32)) > 0.5
        lane = np.where(seen, ANALYSED_LANE[1], ANALYSED_LANE[0]).astype(np.float32)
        if self._analysed is None:
            self._analysed = self.detail.plot(pen=pg.mkPen("#3182bd"), fillLevel=ANALYSED_LANE[0],
                                              brush=(49, 130, 189, 110), stepMode="center", name="model saw frame")
        self._analysed.setData(np.arange(len(lane) + 1, dtype=np.float32), lane)
        self._analysed.setVisible(not self._curves_hidden)

    def set_curves_hidden(self, hidden: bool) -> None:
        """Blind mode: hide (or show again) every curve and the analysed lane; the data stays."""
        self._curves_hidden = bool(hidden)
        self.detail.legend.setVisible(not hidden)  # its entries would name (and toggle) the hidden curves
        for item in [*(i for pair in self._curves.values() for i in pair), self._analysed]:
            if item is not None:
                item.setVisible(not hidden)

    def curves_visible(self) -> list[str]:
        return [name for name, (detail, _) in self._curves.items() if detail.isVisible()]

    def set_events(self, events: list[Event]) -> None:
        """Redraw all events (called on document signals)."""
        for region, apex in self._events.values():
            self.detail.removeItem(region)
            self.detail.removeItem(apex)
        self._events.clear()
        self._brushes.clear()
        for event in events:
            brush = EVENT_BRUSHES.get(event.status, EVENT_BRUSHES["suggested"])
            self._brushes[event.event_id] = brush
            region = pg.LinearRegionItem(values=(event.onset_frame, event.offset_frame + 1), brush=brush,
                                         movable=event.event_id == self._selected)
            region.setZValue(-5)
            region.sigRegionChangeFinished.connect(lambda item, eid=event.event_id: self._on_region_edited(eid, item))
            apex = pg.InfiniteLine(pos=event.apex_frame + 0.5, movable=event.event_id == self._selected,
                                   pen=pg.mkPen((120, 0, 0), style=Qt.PenStyle.DashLine))
            apex.sigPositionChangeFinished.connect(lambda line, eid=event.event_id: self._on_apex_dragged(eid, line))
            self.detail.addItem(region)
            self.detail.addItem(apex)
            self._events[event.event_id] = (region, apex)
        self._style_selection()

    def select_event(self, event_id: Optional[str]) -> None:
        """Restyle the existing intervals (no rebuild): the selected one is movable and highlighted."""
        self._selected = event_id
        self._style_selection()

    def _style_selection(self) -> None:
        for event_id, (region, apex) in self._events.items():
            selected = event_id == self._selected
            region.setMovable(selected)
            apex.setMovable(selected)
            region.setBrush(pg.mkBrush(SELECTED_BRUSH if selected else self._brushes[event_id]))

    def event_region(self, event_id: str) -> tuple[float, float]:
        return tuple(self._events[event_id][0].getRegion())

    def add_lane(self, axis_width: int = LANE_AXIS_WIDTH) -> pg.PlotItem:
        """A thin read-only plot row under the detail view, on its frame axis (x-linked: it follows
        zoom and scroll); its left axis and the detail view's get the same width so frames line up."""
        plot = self._layout_widget.addPlot(row=self._layout_widget.ci.layout.rowCount(), col=0)
        plot.setXLink(self.detail)
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        plot.hideAxis("bottom")
        plot.setMaximumHeight(LANE_HEIGHT)
        for axis in (plot.getAxis("left"), self.detail.getAxis("left")):
            axis.setWidth(axis_width)
        return plot

    def remove_lane(self, plot: pg.PlotItem) -> None:
        self._layout_widget.removeItem(plot)

    # -- playhead and view -------------------------------------------------------------------------

    def set_playhead(self, frame: int) -> None:
        """Follow playback: move the playhead; scroll the detail view when it leaves it."""
        x = frame + 0.5
        self.playhead.blockSignals(True)
        self.playhead.setValue(x)
        self.playhead.blockSignals(False)
        self._overview_playhead.setValue(x)
        low, high = self.detail.viewRange()[0]
        if not low <= x <= high:
            width = high - low
            start = min(max(0.0, x - 0.2 * width), max(0.0, self.n_frames - width))
            self.detail.setXRange(start, start + width, padding=0)

    def _on_playhead_dragged(self) -> None:
        self.seekRequested.emit(self._clamp(self.playhead.value()))

    def _on_scene_clicked(self, mouse_event) -> None:
        if mouse_event.button() != Qt.MouseButton.LeftButton or mouse_event.double():
            return
        position = mouse_event.scenePos()
        if self.detail.sceneBoundingRect().contains(position):
            frame = self._clamp(self.detail.vb.mapSceneToView(position).x())
            hit = [eid for eid, (region, _) in self._events.items()
                   if region.getRegion()[0] <= frame < region.getRegion()[1]]
            if hit:
                self.eventSelected.emit(hit[0])
            self.seekRequested.emit(frame)

    def _clamp(self, x: float) -> int:
        return int(min(max(0, np.floor(x)), self.n_frames - 1))

    def _on_region_edited(self, event_id: str, region: pg.LinearRegionItem) -> None:
        start, stop = region.getRegion()
        onset = self._clamp(round(start))
        offset = self._clamp(round(stop) - 1)
        self.intervalEdited.emit(event_id, onset, offset)

    def _on_apex_dragged(self, event_id: str, line: pg.InfiniteLine) -> None:
        self.apexMoved.emit(event_id, self._clamp(line.value()))

    def draw_interval(self, start_x: float, end_x: float) -> None:
        """A Shift+drag from `start_x` to `end_x` (view coordinates) asks for a new event there."""
        onset, offset = self._clamp(round(start_x)), self._clamp(round(end_x) - 1)
        if offset >= onset:
            self.intervalDrawn.emit(onset, offset)

    def _on_window_dragged(self) -> None:
        low, high = self.window.getRegion()
        self.detail.blockSignals(True)
        self.detail.setXRange(low, high, padding=0)
        self.detail.blockSignals(False)

    def _on_detail_range_changed(self, _view, x_range) -> None:
        self.window.blockSignals(True)
        self.window.setRegion(x_range)
        self.window.blockSignals(False)
