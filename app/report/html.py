"""The review report as one self-contained HTML file: every image embedded as a base64 PNG, the
style inline, no script and no link to anything outside the file, so it opens offline and can be
filed or printed as it is (`app.ui.report_pdf` prints it to PDF)."""

from __future__ import annotations

import os
from collections import Counter
from datetime import datetime, timezone
from html import escape
from pathlib import Path
from typing import Iterable, Optional

from app.core.atomic import atomic_write_text
from app.core.events import Event
from app.report.gather import ReportData
from app.report.images import Thumbnails, data_uri, timeline_png

NOTE_CHARS = 2000  # longer notes are shortened in the report (the labels file keeps them whole)
EDITS_SHOWN = 50
THUMB_SHOWN_PX = 96

STYLE = """
body { font-family: sans-serif; font-size: 10pt; color: #222; margin: 1.5em; }
h1 { font-size: 16pt; margin-bottom: 0.2em; } h2 { font-size: 12pt; margin-top: 1.4em; border-bottom: 1px solid #999; }
table { border-collapse: collapse; margin: 0.4em 0; }
th, td { border: 1px solid #bbb; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #eee; } td.num { text-align: right; }
.note { color: #8a4b00; } .small { font-size: 8.5pt; color: #555; } img.plot { width: 100%; max-width: 1200px; height: auto; }
"""


def when(seconds: Optional[float]) -> str:
    """A time stamp as a person reads it, in UTC."""
    if seconds is None:
        return "unknown"
    return datetime.fromtimestamp(float(seconds), timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _table(header: Optional[Iterable[str]], rows: Iterable[Iterable[str]], css_id: str = "") -> str:
    """Cells are HTML already (escaped by the caller); a cell that is not a <td>/<th> is put in a <td>."""
    head = "<tr>" + "".join(f"<th>{escape(h)}</th>" for h in header) + "</tr>\n" if header else ""
    body = "\n".join("<tr>" + "".join(cell if cell.startswith(("<td", "<th")) else f"<td>{cell}</td>" for cell in row)
                     + "</tr>" for row in rows)
    ident = f' id="{css_id}"' if css_id else ""
    return f"<table{ident}>\n{head}{body}\n</table>"


def _facts(data: ReportData) -> str:
    rows = [("video", data.video_path), ("frames", str(data.n_frames)), ("frame rate", f"{data.fps:g} fps"),
            ("duration", f"{data.duration_s:.2f} s"), ("content hash (SHA-256)", data.content_hash)]
    if data.width and data.height:
        rows.append(("frame size", f"{data.width} × {data.height} px"))
    if data.project:
        rows.append(("project", data.project))
        if data.project_meta.get("created_s"):
            rows.append(("project created", when(float(data.project_meta["created_s"]))))
    rows.append(("events from", data.events_from))
    return _table(None, ([f"<th>{escape(k)}</th>", escape(v)] for k, v in rows), "facts")


def _card(data: ReportData) -> str:
    parts = []
    if data.card:
        parts.append(f'<p class="small">model: {escape(data.card_source)}</p>')
        parts.append(_table(("entry", "value"), ([escape(k), escape(v)] for k, v in data.card), "model-card"))
    if data.card_note:
        parts.append(f'<p class="note">{escape(data.card_note)}</p>')
    return "\n".join(parts) or "<p>No model card.</p>"


def _thumb(thumbs: dict, event: Event, frame: int) -> str:
    png = thumbs.get((event.event_id, frame))
    if png is None:
        return '<span class="small">(no image)</span>'
    return f'<img src="{data_uri(png)}" width="{THUMB_SHOWN_PX}" height="{THUMB_SHOWN_PX}" alt="frame {frame}">'


def _notes(text: str) -> str:
    if len(text) <= NOTE_CHARS:
        return escape(text)
    return escape(text[:NOTE_CHARS]) + f' <span class="small">… ({len(text)} characters in all; see the labels file)</span>'


def _events(data: ReportData, thumbs: dict) -> str:
    if not data.events:
        return "<p>No events.</p>"
    fps = data.fps

    def frame_cell(frame: int) -> str:
        return f'<td class="num">{frame}<br><span class="small">{frame / fps:.3f} s</span></td>'

    def small(text: str) -> str:
        return f'<br><span class="small">{escape(text)}</span>' if text else ""

    with_confidence = any(e.confidence is not None for e in data.events)
    rows = []
    for number, e in enumerate(data.events, start=1):
        confidence = ["" if e.confidence is None else f"{e.confidence:.2f}"] if with_confidence else []
        rows.append([f'<td class="num">{number}</td>', escape(e.event_id) + small(e.annotator), escape(e.kind),
                     escape(e.emotion) + small(e.action_units and f"AU {e.action_units}"),
                     frame_cell(e.onset_frame), frame_cell(e.apex_frame), frame_cell(e.offset_frame),
                     f'<td class="num">{1000 * e.duration_frames / fps:.0f}</td>', escape(e.status) + small(e.source),
                     *confidence, _notes(e.notes), _thumb(thumbs, e, e.onset_frame), _thumb(thumbs, e, e.apex_frame)])
    header = ("#", "event (annotator)", "kind", "emotion (AUs)", "onset", "apex", "offset", "ms", "status (source)",
              *(["confidence"] if with_confidence else []), "notes", "onset face", "apex face")
    return _table(header, rows, "events")


def _counts(events: list[Event]) -> str:
    if not events:
        return ""
    counted = [e for e in events if e.status != "rejected"]
    kinds = sorted({e.kind for e in counted})
    by = Counter((e.emotion, e.kind) for e in counted)
    rows = [[escape(emotion)] + [f'<td class="num">{by[(emotion, k)]}</td>' for k in kinds]
            + [f'<td class="num">{sum(by[(emotion, k)] for k in kinds)}</td>']
            for emotion in sorted({e.emotion for e in counted})]
    rows.append(["<b>all</b>"] + [f'<td class="num">{sum(1 for e in counted if e.kind == k)}</td>' for k in kinds]
                + [f'<td class="num">{len(counted)}</td>'])
    statuses = Counter(e.status for e in events)
    status_text = ", ".join(f"{n} {escape(s)}" for s, n in sorted(statuses.items()))
    return (_table(("emotion", *kinds, "all"), rows, "counts")
            + f'<p class="small">Counted: events not rejected. By status: {status_text}.</p>')


def _review(data: ReportData) -> str:
    annotators = Counter(e.annotator.strip() for e in data.events if e.annotator.strip())
    parts = ["<p>Annotators: " + (", ".join(f"{escape(a)} ({n} event{'s' if n != 1 else ''})"
                                           for a, n in sorted(annotators.items()))
                                  or "none recorded in the events") + ".</p>"]
    sources = Counter(e.source for e in data.events)
    if sources:
        parts.append("<p>Sources: " + ", ".join(f"{n} {escape(s)}" for s, n in sorted(sources.items())) + ".</p>")
    if data.edits:
        actions = Counter(e["action"] for e in data.edits)
        parts.append(f"<p>Edits in the project: {len(data.edits)} ("
                     + ", ".join(f"{n} {escape(a)}" for a, n in sorted(actions.items()))
                     + f"), first {when(data.edits[0]['time_s'])}, last {when(data.edits[-1]['time_s'])}.</p>")
        shown = data.edits[-EDITS_SHOWN:]
        parts.append(_table(("#", "when", "action", "event"),
                            ([f'<td class="num">{e["seq"]}</td>', when(e["time_s"]), escape(e["action"]),
                              escape(e["event_id"] or "")] for e in shown), "edits"))
        if len(data.edits) > len(shown):
            parts.append(f'<p class="small">The last {len(shown)} of {len(data.edits)} edits.</p>')
    elif data.project:
        parts.append("<p>The project records no edits.</p>")
    if data.provenance:
        parts.append(_table(("provenance", "value"), ([escape(k), escape(str(v))] for k, v in
                                                       sorted(data.provenance.items())), "provenance"))
    return "\n".join(parts)


def render_html(data: ReportData, *, thumbnails: bool = True) -> str:
    """The whole report as HTML text."""
    thumbs = Thumbnails(data).for_events(data.events) if thumbnails else {}
    name = Path(data.video_path.replace("\\", "/")).name
    notes = "".join(f'<p class="note">{escape(n)}</p>' for n in data.notes)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Micro-expression review: {escape(name)}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>Micro-expression review: {escape(name)}</h1>
<p class="small">Report made {when(data.generated_s)} by TSFmicro Studio {escape(data.app_version)} from
{escape(data.source)}. A research tool's output for a trained reviewer; not a lie detector, not a diagnosis.</p>
{notes}
<h2>Video</h2>
{_facts(data)}
<h2>Timeline</h2>
<p><img class="plot" id="timeline" width="900" src="{data_uri(timeline_png(data))}" alt="timeline of the curves and events"></p>
<h2>Events ({len(data.events)})</h2>
{_events(data, thumbs)}
<h2>Counts by emotion and kind</h2>
{_counts(data.events) or "<p>No events.</p>"}
<h2>Review</h2>
{_review(data)}
<h2>Model</h2>
{_card(data)}
</body>
</html>
"""


def write_report(path: str | os.PathLike, data: ReportData, *, thumbnails: bool = True) -> Path:
    """Write the report atomically (a failure leaves an older report as it was)."""
    target = Path(path)
    if not target.parent.is_dir():
        raise FileNotFoundError(f"{target}: folder {target.parent} does not exist")
    return atomic_write_text(target, render_html(data, thumbnails=thumbnails))
