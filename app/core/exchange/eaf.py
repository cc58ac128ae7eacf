"""ELAN annotation files (.eaf), through pympi-ling.

Written layout (one video per file): for each kind a tier `micro` / `macro` whose annotations span
the event (onset..offset) and read 'emotion | AU 4+7'; the apex on tier `<kind> apex` (one frame
long); the event id on `<kind> id` and notes on `<kind> notes`, each spanning the event. The header
links the video and holds the properties `tsfmicro_fps` and `tsfmicro_subject`, so a file written here
reads back to the same frames without options.

Files made in ELAN itself are read with any tier names: a mapping role -> tier names is given
(`micro`, `macro`, `apex`, `id`, `notes`) or inferred from the names and reported.
"""

from __future__ import annotations

import mimetypes
import os
import re
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence
from urllib.parse import unquote, urlparse

import pympi

from app.core.atomic import atomic_write_text
from app.core.events import KINDS, Event
from app.core.validation import Problem, ValidationReport, event_problems

from .common import ExchangeError, format_label, frame_at_ms, frame_to_ms, parse_label, span_to_frames

ROLES = ("micro", "macro", "apex", "id", "notes")
FPS_PROPERTY, SUBJECT_PROPERTY = "tsfmicro_fps", "tsfmicro_subject"


def write_eaf(path: str | os.PathLike, events: Iterable[Event], *, media: Optional[str | os.PathLike] = None) -> Path:
    """Write one video's events as an ELAN file (atomically). `media` is the video to link."""
    path = Path(path)
    events = sorted(events, key=lambda e: (e.onset_frame, e.offset_frame, e.event_id))
    bad = [f"event {e.event_id!r}: {reason}" for e in events for _, reason in event_problems(e)]
    videos = sorted({e.video for e in events})
    fps_values = sorted({float(e.fps) for e in events})
    if bad:
        raise ExchangeError(f"{path}: refusing to write invalid events: " + "; ".join(bad[:5]))
    if len(videos) > 1:
        raise ExchangeError(f"{path}: an ELAN file holds one video's labels, these events belong to "
                            f"{len(videos)} videos ({', '.join(videos[:3])}{', ...' if len(videos) > 3 else ''}); choose one with --video")
    if len(fps_values) > 1:
        raise ExchangeError(f"{path}: events of one video with several frame rates {fps_values}")
    eaf = pympi.Elan.Eaf(author="TSFmicro Studio")
    eaf.remove_tier("default")
    fps = fps_values[0] if fps_values else 30.0
    eaf.add_property(FPS_PROPERTY, repr(fps) if not fps.is_integer() else str(int(fps)))
    subjects = sorted({e.subject for e in events})
    if len(subjects) == 1:
        eaf.add_property(SUBJECT_PROPERTY, subjects[0])
    media = media if media is not None else (videos[0] if videos else None)
    if media:
        _link_media(eaf, Path(media), path)
    annotators = sorted({e.annotator for e in events if e.annotator})
    for kind in KINDS:
        mine = [e for e in events if e.kind == kind]
        names = {"": kind, "apex": f"{kind} apex", "id": f"{kind} id", "notes": f"{kind} notes"}
        for role, tier in names.items():
            if role == "notes" and not any(e.notes for e in mine):
                continue
            eaf.add_tier(tier, ann=annotators[0] if len(annotators) == 1 else None)
        for e in mine:
            start, end = frame_to_ms(e.onset_frame, e.fps), frame_to_ms(e.offset_frame + 1, e.fps)
            eaf.add_annotation(kind, start, end, format_label(e.emotion, e.action_units))
            eaf.add_annotation(names["apex"], frame_to_ms(e.apex_frame, e.fps), frame_to_ms(e.apex_frame + 1, e.fps),
                               "apex")
            eaf.add_annotation(names["id"], start, end, e.event_id)
            if e.notes:
                eaf.add_annotation(names["notes"], start, end, e.notes)
    text = pympi.Elan.to_string(eaf)
    return atomic_write_text(path, '<?xml version="1.0" encoding="UTF-8"?>\n' + text)


def _link_media(eaf, media: Path, eaf_path: Path) -> None:
    absolute = media if media.is_absolute() else (eaf_path.parent / media)
    absolute = Path(os.path.abspath(absolute))
    try:
        relative = "./" + Path(os.path.relpath(absolute, Path(os.path.abspath(eaf_path)).parent)).as_posix()
    except ValueError:  # another drive
        relative = None
    mime = mimetypes.guess_type(media.name)[0] or "video/*"
    eaf.add_linked_file(absolute.as_uri(), relpath=relative, mimetype=mime)


def read_eaf(path: str | os.PathLike, *, fps: Optional[float] = None, video: Optional[str] = None,
             tiers: Optional[Mapping[str, Sequence[str]]] = None) -> ValidationReport:
    """Events of an ELAN file. `fps` is needed unless the file was written here; `video` overrides
    the linked media. `tiers` maps roles (ROLES) to tier names; without it the mapping is inferred
    from the tier names and reported among the report's fixes. Unusable files raise ExchangeError."""
    path = Path(path)
    eaf, text = _load(path)
    properties = dict(eaf.properties)
    if fps is None and FPS_PROPERTY in properties:
        try:
            fps = float(properties[FPS_PROPERTY])
        except ValueError:
            raise ExchangeError(f"{path}: PROPERTY {FPS_PROPERTY} is {properties[FPS_PROPERTY]!r}, not a number")
    if fps is None or not fps > 0:
        raise ExchangeError(f"{path}: an ELAN file made elsewhere carries no frame rate; give --fps (or --video)")
    report = ValidationReport()
    mapping = _tier_mapping(path, eaf, tiers, report)
    video = video or linked_media(eaf, path) or path.stem
    subject = properties.get(SUBJECT_PROPERTY) or _participant(eaf, mapping) or Path(video).stem
    lines = _annotation_lines(text)
    extras = {role: [(s, e, v, _kind_of(t)) for t in mapping.get(role, ()) for s, e, v in _spans(eaf, t)]
              for role in ("apex", "id", "notes")}
    used_ids: set[str] = set()
    count = 0
    for kind in KINDS:
        for tier in mapping.get(kind, ()):
            for aid, start, end, value in _aligned(eaf, tier):
                where = Problem(str(path), lines.get(aid), f"tier {tier!r}, annotation {aid}", "")
                if start is None or end is None or end <= start:
                    report.problems.append(_with(where, f"annotation has no usable time span ({start}..{end} ms)"))
                    continue
                count += 1
                event = _event(kind, tier, start, end, value, fps, video, subject, extras, count, used_ids, eaf,
                               report, where)
                found = event_problems(event)
                report.problems += [_with(where, reason) for _, reason in found]
                if not found:
                    report.accepted.append(event)
    return report


def _with(where: Problem, reason: str) -> Problem:
    return Problem(where.file, where.line, where.column, reason)


def _event(kind, tier, start, end, value, fps, video, subject, extras, count, used_ids, eaf, report, where) -> Event:
    onset, offset = span_to_frames(start, end, fps)
    extras = {role: [(s, e, v) for s, e, v, k in spans if k in (None, kind)] for role, spans in extras.items()}
    emotion, units, leftovers = parse_label(value)
    notes = [n for s, e, n in extras["notes"] if s < end and e > start and n]
    if leftovers or (emotion == "none" and value.strip() and not units):
        notes.append(f"ELAN annotation: {value}")
        report.fixes.append(_with(where, f"annotation {value!r} read as emotion {emotion!r}, AUs {units!r}; "
                                         "its text is kept in the notes"))
    apexes = [frame_at_ms((s + e) / 2, fps) for s, e, _ in extras["apex"]]
    apexes = [a for a in apexes if onset <= a <= offset]
    if apexes:
        apex = apexes[0]
    else:
        apex = (onset + offset) // 2
        report.fixes.append(_with(where, f"no apex annotation within frames {onset}..{offset}; apex set to "
                                             f"the middle frame {apex}"))
    ids = [v.strip() for s, e, v in extras["id"] if s == start and e == end and v.strip() and v.strip() not in used_ids]
    event_id = ids[0] if ids else f"{kind}{count:03d}"
    used_ids.add(event_id)
    annotator = eaf.tiers[tier][2].get("ANNOTATOR", "") or ""
    return Event(video=video, subject=subject, event_id=event_id, onset_frame=onset, apex_frame=apex,
                 offset_frame=offset, fps=fps, kind=kind, emotion=emotion, action_units=units, source="imported",
                 status="accepted", annotator=annotator, notes="; ".join(notes),
                 extra={"elan_tier": tier, "elan_start_ms": start, "elan_end_ms": end})


def _load(path: Path):
    if not path.is_file():
        raise FileNotFoundError(f"{path}: file not found")
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        root = ET.fromstring(path.read_bytes())
    except ET.ParseError as err:
        line, column = err.position
        raise ExchangeError(f"{path}: not an ELAN file: XML error at line {line}, column {column}: {err.msg}") from None
    if root.tag != "ANNOTATION_DOCUMENT":
        raise ExchangeError(f"{path}: not an ELAN file: root element is <{root.tag}>, expected <ANNOTATION_DOCUMENT>")
    for slot in root.iter("TIME_SLOT"):
        value = slot.get("TIME_VALUE")
        if value is not None and not re.fullmatch(r"\d+", value.strip()):
            raise ExchangeError(f"{path}: line {_line_of(text, slot.get('TIME_SLOT_ID'))}, TIME_SLOT "
                                f"{slot.get('TIME_SLOT_ID')}: TIME_VALUE {value!r} is not a whole number of ms")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pympi.Elan.Eaf(str(path), suppress_version_warning=True), text
    except Exception as err:  # pympi raises bare KeyError/Exception on broken references
        raise ExchangeError(f"{path}: ELAN file cannot be read ({type(err).__name__}: {err}); "
                            "check its TIME_SLOT references and TIER elements") from None


def _line_of(text: str, ident: Optional[str]) -> Optional[int]:
    at = text.find(f'"{ident}"') if ident else -1
    return text.count("\n", 0, at) + 1 if at >= 0 else None


def _annotation_lines(text: str) -> dict[str, int]:
    lines = {}
    for match in re.finditer(r'ANNOTATION_ID="([^"]+)"', text):
        lines[match.group(1)] = text.count("\n", 0, match.start()) + 1
    return lines


def _aligned(eaf, tier: str) -> list[tuple[str, Optional[int], Optional[int], str]]:
    rows = []
    for aid, (ts1, ts2, value, *_rest) in eaf.tiers[tier][0].items():
        rows.append((aid, eaf.timeslots.get(ts1), eaf.timeslots.get(ts2), value or ""))
    return sorted(rows, key=lambda r: (r[1] if r[1] is not None else -1, r[0]))


def _kind_of(tier: str) -> Optional[str]:
    """'micro apex' belongs to micro events only; 'Apex' to any."""
    low = tier.lower()
    kinds = [k for k in KINDS if k in low]
    return kinds[0] if len(kinds) == 1 else None


def _spans(eaf, tier: str) -> list[tuple[int, int, str]]:
    spans = [(s, e, v) for _, s, e, v in _aligned(eaf, tier) if s is not None and e is not None]
    if eaf.tiers[tier][1]:  # symbolic (reference) annotations take their parent's time
        try:
            spans += [(s, e, v or "") for s, e, v, *_r in eaf.get_ref_annotation_data_for_tier(tier)]
        except KeyError as err:
            raise ExchangeError(f"tier {tier!r}: a reference annotation points to a missing annotation {err}") from None
    return sorted(spans)


def _participant(eaf, mapping) -> str:
    for tier in mapping.get("micro", ()) + mapping.get("macro", ()):
        name = eaf.tiers[tier][2].get("PARTICIPANT")
        if name:
            return name
    return ""


def linked_media(eaf, path: Path) -> Optional[str]:
    """The linked video as a path (relative to the ELAN file's folder when it exists there)."""
    for media in eaf.media_descriptors:
        for key in ("RELATIVE_MEDIA_URL", "MEDIA_URL"):
            url = media.get(key)
            if not url:
                continue
            local = unquote(urlparse(url).path) if url.startswith("file:") else url
            candidate = Path(local) if Path(local).is_absolute() else path.parent / local
            if candidate.exists() or key == "MEDIA_URL":
                return str(Path(os.path.normpath(candidate)))
    return None


def _tier_mapping(path: Path, eaf, given, report: ValidationReport) -> dict[str, tuple[str, ...]]:
    names = list(eaf.get_tier_names())
    if given:
        mapping = {role: tuple(tiers) for role, tiers in given.items()}
        for role, tiers in mapping.items():
            if role not in ROLES:
                raise ExchangeError(f"{path}: unknown tier role {role!r} (roles: {', '.join(ROLES)})")
            missing = [t for t in tiers if t not in names]
            if missing:
                raise ExchangeError(f"{path}: no tier named {', '.join(map(repr, missing))}; its tiers are "
                                    f"{', '.join(map(repr, names))}")
    else:
        mapping = infer_tier_mapping(names)
        used = {t for tiers in mapping.values() for t in tiers}
        described = "; ".join(f"{role} <- {', '.join(map(repr, tiers))}" for role, tiers in mapping.items() if tiers)
        unused = [t for t in names if t not in used]
        report.fixes.append(Problem(str(path), None, None, f"tiers inferred: {described or 'none'}"
                                    + (f"; not read: {', '.join(map(repr, unused))}" if unused else "")))
    if not mapping.get("micro") and not mapping.get("macro"):
        raise ExchangeError(f"{path}: no tier holds micro- or macro-expressions (tiers: "
                            f"{', '.join(map(repr, names)) or 'none'}); name them, e.g. --tiers 'micro=ME,apex=Apex'")
    return mapping


def infer_tier_mapping(names: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Roles from tier names: 'apex' in a name gives apex, 'note'/'comment' notes, 'id' (a word) ids,
    then 'micro' / 'macro' (also 'ME' / 'MaE' as words) the events."""
    mapping: dict[str, list[str]] = {role: [] for role in ROLES}
    for name in names:
        low = name.lower()
        words = set(re.findall(r"[a-z]+", low))
        if "apex" in low:
            mapping["apex"].append(name)
        elif "note" in low or "comment" in low:
            mapping["notes"].append(name)
        elif "id" in words or "event_id" in low:
            mapping["id"].append(name)
        elif "micro" in low or "me" in words:
            mapping["micro"].append(name)
        elif "macro" in low or "mae" in words:
            mapping["macro"].append(name)
    return {role: tuple(tiers) for role, tiers in mapping.items() if tiers}


def parse_tier_option(text: str) -> dict[str, list[str]]:
    """'micro=ME,macro=Expr,apex=Apex' (a role may repeat) -> {'micro': ['ME'], ...}."""
    mapping: dict[str, list[str]] = {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        role, sep, tier = item.partition("=")
        if not sep or not tier.strip():
            raise ExchangeError(f"--tiers: {item!r} is not ROLE=TIER (roles: {', '.join(ROLES)})")
        mapping.setdefault(role.strip().lower(), []).append(tier.strip())
    return mapping


def media_of(path: str | os.PathLike) -> Optional[str]:
    """The video an ELAN file links, if it can be read; None otherwise."""
    try:
        eaf, _ = _load(Path(path))
    except (ExchangeError, FileNotFoundError):
        return None
    return linked_media(eaf, Path(path))
