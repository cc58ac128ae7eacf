"""ELAN files: written here and read back (same frames), read by pympi, and ELAN's own layout read."""

import pympi
import pytest

from app.core.events import Event
from app.core.events_csv import read_events_csv, write_events_csv
from app.core.exchange import ExchangeError, read_labels, write_labels
from app.core.exchange.eaf import infer_tier_mapping, read_eaf

EVENTS = [
    Event("clip.mp4", "sub01", "e1", 10, 14, 20, 29.97, "micro", "happiness", "6+12", notes="-5 frames; check"),
    Event("clip.mp4", "sub01", "e2", 100, 150, 200, 29.97, "macro", "surprise", ""),
    Event("clip.mp4", "sub01", "e3", 12, 13, 18, 29.97, "macro", "disgust", "9"),
    Event("clip.mp4", "sub01", "e4", 0, 0, 0, 29.97, "micro", "others", "L10"),
]


def frames(events):
    return sorted((e.event_id, e.kind, e.onset_frame, e.apex_frame, e.offset_frame, e.emotion, e.action_units, e.notes)
                  for e in events)


@pytest.mark.parametrize("fps", [29.97, 200.0, 25.0, 30.0])
def test_csv_to_eaf_and_back_gives_the_same_frames(tmp_path, fps):
    (tmp_path / "clip.mp4").write_bytes(b"")
    events = [Event(**{**e.__dict__, "fps": fps}) for e in EVENTS]
    write_events_csv(tmp_path / "train.csv", events)
    report, _ = read_labels(tmp_path / "train.csv")
    write_labels(tmp_path / "labels.eaf", report.accepted)
    back, fmt = read_labels(tmp_path / "labels.eaf")
    assert fmt == "eaf" and back.ok and frames(back.accepted) == frames(events)
    assert {e.fps for e in back.accepted} == {fps} and {e.subject for e in back.accepted} == {"sub01"}
    write_labels(tmp_path / "back.csv", back.accepted)
    again = read_events_csv(tmp_path / "back.csv", strict=True).accepted
    assert frames(again) == frames(events) and {e.video for e in again} == {"clip.mp4"}


def test_pympi_reads_every_event_and_the_linked_media(tmp_path):
    (tmp_path / "clip.mp4").write_bytes(b"")
    write_labels(tmp_path / "labels.eaf", [Event(**{**e.__dict__, "video": str(tmp_path / "clip.mp4")}) for e in EVENTS])
    eaf = pympi.Elan.Eaf(str(tmp_path / "labels.eaf"))
    micro = eaf.get_annotation_data_for_tier("micro")
    assert len(micro) == 2 and len(eaf.get_annotation_data_for_tier("macro")) == 2
    assert (334, 701, "happiness | AU 6+12") in micro  # frames 10..20 at 29.97 fps, end exclusive
    assert len(eaf.get_annotation_data_for_tier("micro apex")) == 2
    assert eaf.media_descriptors[0]["RELATIVE_MEDIA_URL"] == "./clip.mp4"
    assert dict(eaf.properties)["tsfmicro_fps"] == "29.97"


# ELAN's own layout: header with media descriptor, time slots in ms (one unaligned), several tiers
# (two raters, apex, a reference tier of comments, a speech tier), linguistic types and constraints.
ELAN_FILE = """<?xml version="1.0" encoding="UTF-8"?>
<ANNOTATION_DOCUMENT AUTHOR="" DATE="2024-03-01T10:00:00+01:00" FORMAT="3.0" VERSION="3.0"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="http://www.mpi.nl/tools/elan/EAFv3.0.xsd">
    <HEADER MEDIA_FILE="" TIME_UNITS="milliseconds">
        <MEDIA_DESCRIPTOR MEDIA_URL="file:///C:/studies/interview7.mp4" MIME_TYPE="video/mp4" RELATIVE_MEDIA_URL="./interview7.mp4"/>
        <PROPERTY NAME="URN">urn:nl-mpi-tools-elan-eaf:0b3c2c0e</PROPERTY>
        <PROPERTY NAME="lastUsedAnnotationId">7</PROPERTY>
    </HEADER>
    <TIME_ORDER>
        <TIME_SLOT TIME_SLOT_ID="ts1" TIME_VALUE="1000"/>
        <TIME_SLOT TIME_SLOT_ID="ts2" TIME_VALUE="1400"/>
        <TIME_SLOT TIME_SLOT_ID="ts3" TIME_VALUE="1160"/>
        <TIME_SLOT TIME_SLOT_ID="ts4" TIME_VALUE="1200"/>
        <TIME_SLOT TIME_SLOT_ID="ts5" TIME_VALUE="5000"/>
        <TIME_SLOT TIME_SLOT_ID="ts6" TIME_VALUE="7000"/>
        <TIME_SLOT TIME_SLOT_ID="ts7"/>
        <TIME_SLOT TIME_SLOT_ID="ts8" TIME_VALUE="9000"/>
    </TIME_ORDER>
    <TIER LINGUISTIC_TYPE_REF="Expression" PARTICIPANT="P07" ANNOTATOR="Rater A" TIER_ID="MicroExp">
        <ANNOTATION>
            <ALIGNABLE_ANNOTATION ANNOTATION_ID="a1" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts2">
                <ANNOTATION_VALUE>Happy; AU6+AU12</ANNOTATION_VALUE>
            </ALIGNABLE_ANNOTATION>
        </ANNOTATION>
    </TIER>
    <TIER LINGUISTIC_TYPE_REF="Point" PARTICIPANT="P07" TIER_ID="Apex">
        <ANNOTATION>
            <ALIGNABLE_ANNOTATION ANNOTATION_ID="a2" TIME_SLOT_REF1="ts3" TIME_SLOT_REF2="ts4">
                <ANNOTATION_VALUE></ANNOTATION_VALUE>
            </ALIGNABLE_ANNOTATION>
        </ANNOTATION>
    </TIER>
    <TIER LINGUISTIC_TYPE_REF="Expression" PARTICIPANT="P07" TIER_ID="Macro expressions">
        <ANNOTATION>
            <ALIGNABLE_ANNOTATION ANNOTATION_ID="a3" TIME_SLOT_REF1="ts5" TIME_SLOT_REF2="ts6">
                <ANNOTATION_VALUE>smirk, unsure</ANNOTATION_VALUE>
            </ALIGNABLE_ANNOTATION>
        </ANNOTATION>
    </TIER>
    <TIER LINGUISTIC_TYPE_REF="Comment" PARENT_REF="Macro expressions" TIER_ID="Notes">
        <ANNOTATION>
            <REF_ANNOTATION ANNOTATION_ID="a4" ANNOTATION_REF="a3">
                <ANNOTATION_VALUE>look at the lips again</ANNOTATION_VALUE>
            </REF_ANNOTATION>
        </ANNOTATION>
    </TIER>
    <TIER LINGUISTIC_TYPE_REF="Speech" TIER_ID="Speech">
        <ANNOTATION>
            <ALIGNABLE_ANNOTATION ANNOTATION_ID="a5" TIME_SLOT_REF1="ts7" TIME_SLOT_REF2="ts8">
                <ANNOTATION_VALUE>well, I think so</ANNOTATION_VALUE>
            </ALIGNABLE_ANNOTATION>
        </ANNOTATION>
    </TIER>
    <LINGUISTIC_TYPE GRAPHIC_REFERENCES="false" LINGUISTIC_TYPE_ID="Expression" TIME_ALIGNABLE="true"/>
    <LINGUISTIC_TYPE GRAPHIC_REFERENCES="false" LINGUISTIC_TYPE_ID="Point" TIME_ALIGNABLE="true"/>
    <LINGUISTIC_TYPE CONSTRAINTS="Symbolic_Association" GRAPHIC_REFERENCES="false" LINGUISTIC_TYPE_ID="Comment" TIME_ALIGNABLE="false"/>
    <LINGUISTIC_TYPE GRAPHIC_REFERENCES="false" LINGUISTIC_TYPE_ID="Speech" TIME_ALIGNABLE="true"/>
    <CONSTRAINT DESCRIPTION="Time subdivision of parent annotation's time interval, no time gaps allowed within this interval" STEREOTYPE="Time_Subdivision"/>
    <CONSTRAINT DESCRIPTION="1-1 association with a parent annotation" STEREOTYPE="Symbolic_Association"/>
    <CONSTRAINT DESCRIPTION="Time alignable annotations within the parent annotation's time interval, gaps are allowed" STEREOTYPE="Included_In"/>
</ANNOTATION_DOCUMENT>
"""


def test_an_elan_made_file_imports_with_inferred_tiers(tmp_path):
    path = tmp_path / "interview7.eaf"
    path.write_text(ELAN_FILE, encoding="utf-8")
    report = read_eaf(path, fps=25)
    assert report.ok, report.problems
    micro, macro = sorted(report.accepted, key=lambda e: e.onset_frame)
    # 1000..1400 ms at 25 fps: frames 25..34; the apex annotation 1160..1200 ms is frame 29
    assert (micro.kind, micro.onset_frame, micro.apex_frame, micro.offset_frame) == ("micro", 25, 29, 34)
    assert (micro.emotion, micro.action_units, micro.subject, micro.annotator) == ("happiness", "6+12", "P07", "Rater A")
    assert (macro.kind, macro.onset_frame, macro.apex_frame, macro.offset_frame) == ("macro", 125, 149, 174)
    assert macro.emotion == "none" and "smirk, unsure" in macro.notes and "look at the lips again" in macro.notes
    inferred = [str(f) for f in report.fixes if "tiers inferred" in f.reason][0]
    assert "micro <- 'MicroExp'" in inferred and "apex <- 'Apex'" in inferred and "not read: 'Speech'" in inferred
    assert any("apex set to the middle frame" in f.reason for f in report.fixes)  # the macro event has none


def test_an_explicit_tier_mapping_is_used_and_checked(tmp_path):
    path = tmp_path / "interview7.eaf"
    path.write_text(ELAN_FILE, encoding="utf-8")
    report = read_eaf(path, fps=25, tiers={"macro": ["MicroExp"]})
    assert [(e.kind, e.onset_frame, e.apex_frame) for e in report.accepted] == [("macro", 25, 29)]
    assert not any("tiers inferred" in f.reason for f in report.fixes)
    with pytest.raises(ExchangeError, match="no tier named 'Gestures'.*'MicroExp'"):
        read_eaf(path, fps=25, tiers={"micro": ["Gestures"]})
    assert infer_tier_mapping(["ME rater 2", "MaE", "Comments"]) == {"micro": ("ME rater 2",), "macro": ("MaE",),
                                                                      "notes": ("Comments",)}


@pytest.mark.parametrize("text, message", [
    ("<ANNOTATION_DOCUMENT>\n<HEADER>\n</ANNOTATION_DOCUMENT>", r"XML error at line 3, column 2"),
    ("<?xml version='1.0'?><html><body/></html>", r"root element is <html>"),
    (ELAN_FILE.replace('TIME_VALUE="1400"', 'TIME_VALUE="1.4s"'), r"line 11, TIME_SLOT ts2: TIME_VALUE '1.4s'"),
    (ELAN_FILE.replace("MicroExp", "Gaze").replace("Macro expressions", "Hands"), r"no tier holds micro- or macro"),
])
def test_bad_elan_files_are_refused_naming_the_file_and_place(tmp_path, text, message):
    path = tmp_path / "bad.eaf"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ExchangeError, match=message) as caught:
        read_eaf(path, fps=25)
    assert "bad.eaf" in str(caught.value)


def test_an_elan_file_without_frame_rate_needs_fps(tmp_path):
    path = tmp_path / "interview7.eaf"
    path.write_text(ELAN_FILE, encoding="utf-8")
    with pytest.raises(ExchangeError, match="give --fps"):
        read_eaf(path)


def test_an_annotation_without_time_is_rejected_with_its_line(tmp_path):
    path = tmp_path / "interview7.eaf"
    path.write_text(ELAN_FILE.replace('TIER_ID="Speech"', 'TIER_ID="micro 2"'), encoding="utf-8")
    report = read_eaf(path, fps=25)
    assert len(report.accepted) == 2
    (problem,) = report.problems
    assert problem.line == 49 and "annotation a5" in problem.column and "no usable time span" in problem.reason


def test_several_videos_do_not_fit_one_elan_file(tmp_path):
    events = EVENTS[:1] + [Event(**{**EVENTS[1].__dict__, "video": "other.mp4"})]
    with pytest.raises(ExchangeError, match="one video's labels"):
        write_labels(tmp_path / "x.eaf", events)
    assert not (tmp_path / "x.eaf").exists()
