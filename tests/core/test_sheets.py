"""Coding-sheet import on sheets built in the official layouts, each quirk of `app/core/sheets.py` present."""

import pytest

from app.core.events_csv import read_events_csv, write_events_csv
from app.core.sheet_import import import_sheet
from app.core.sheets import read_sheet
from app.core.validation import ColumnError, ValidationError

from .sheet_kit import (CASME2_2019_HEADER, CASME2_OLD_HEADER, CASME3_HEADER, SAMM_HEADER, frame_folder,
                        samm_preamble, write_sheet)


def _by_id(report):
    return {e.event_id: e for e in report.accepted}


def _problems_at(report, line):
    return [p for p in report.problems if p.line == line]


# ---------------------------------------------------------------- CASME II


@pytest.fixture
def casme2(tmp_path):
    root = tmp_path / "Cropped"
    # reg_img8..12: numeric order differs from text order (reg_img10 < reg_img8 as text)
    frame_folder(root / "sub01" / "EP02_01f", [f"reg_img{n}.jpg" for n in (8, 9, 10, 11, 12)])
    frame_folder(root / "sub04" / "EP12_01f", [f"reg_img{n}.jpg" for n in range(270, 313)])
    frame_folder(root / "sub2" / "EP01_11f", [f"reg_img{n}.jpg" for n in (1, 2, 3, 4)])  # unpadded folder name
    frame_folder(root / "sub03" / "EP09_01", [f"reg_img{n}.jpg" for n in (1, 2, 3)])
    rows = [
        ["01", "EP02_01f", None, 9, 10, 12, None, "4+7+L10", "disgust"],
        ["04", "EP12_01f", None, 270, "/", 312, None, 4, "others"],       # apex "/" -> imputed
        ["02", "EP01_11f", None, 1, 2, 4, None, "12", "happiness"],
        ["03", "EP09_01", None, 1, 2, 7, None, "4", "surprise"],          # 7: no such frame file
        ["03", "EP19_03", None, 1, 2, 3, None, "4", "surprise"],          # clip folder missing
        ["05", "EP01_01", None, 5, 4, 3, None, "4", "fear"],              # onset > offset
        ["01", "EP02_01f", None, 9, 10, 12, None, "4", "tense"],          # unknown emotion
    ]
    sheet = write_sheet(tmp_path / "CASME2-coding-20190701.xlsx", [CASME2_2019_HEADER] + rows)
    return sheet, root, tmp_path / "out" / "train.csv"


def test_casme2_maps_file_numbers_to_sorted_positions_and_reports_each_quirk(casme2):
    sheet, root, out = casme2
    out.parent.mkdir()
    report = import_sheet("casme2", sheet, root, out)
    events = _by_id(report)
    assert set(events) == {"EP02_01f", "EP12_01f", "EP01_11f"}
    first = events["EP02_01f"]
    assert (first.onset_frame, first.apex_frame, first.offset_frame) == (1, 2, 4)  # files 9, 10, 12
    assert first.subject == "sub01" and first.fps == 200.0 and first.kind == "micro"
    assert first.action_units == "4+7+L10" and first.emotion == "disgust"
    assert first.source == "imported" and first.status == "accepted"
    assert first.video == "../Cropped/sub01/EP02_01f"
    assert "source_frame onset=9 apex=10 offset=12" in first.notes
    assert first.extra["source_onset_frame"] == 9

    imputed = events["EP12_01f"]
    assert imputed.apex_frame == (0 + 42) // 2 and imputed.action_units == "4"
    assert "apex '/'" in imputed.notes and "apex=/" in imputed.notes
    assert any(f.line == 3 and "'/'" in f.reason for f in report.fixes)
    assert events["EP01_11f"].subject == "sub02"  # found in folder sub2

    assert "no frame file numbered 7" in _problems_at(report, 5)[0].reason
    assert _problems_at(report, 5)[0].column == "F (OffsetFrame)"
    assert "no clip folder 'EP19_03'" in _problems_at(report, 6)[0].reason
    assert "onset 5 is after offset 3" in _problems_at(report, 7)[0].reason
    assert "unknown emotion 'tense'" in _problems_at(report, 8)[0].reason
    assert report.rejected == 4 and report.summary().startswith("3 events accepted, 4 rejected")
    reasons = " | ".join(f.reason for f in report.fixes)
    assert "subject stored as text in 7 rows" in reasons and "CASME2-coding-20190701.xlsx layout" in reasons

    with pytest.raises(ValidationError):
        import_sheet("casme2", sheet, root, out, strict=True)

    write_events_csv(out, report.accepted)
    back = read_events_csv(out)  # the written CSV passes the same validator, videos found
    assert back.ok and back.accepted == report.accepted


def test_older_casme2_sheet_is_detected_by_its_header(tmp_path):
    root = tmp_path / "Cropped"
    frame_folder(root / "sub01" / "EP02_01f", [f"reg_img{n}.jpg" for n in (9, 10, 12)])
    sheet = write_sheet(tmp_path / "CASME2-coding-20140508.xlsx",
                        [CASME2_OLD_HEADER, [1, "EP02_01f", 9, 10, 12, "4+7", "disgust"]])
    report = import_sheet("casme2", sheet, root, tmp_path / "train.csv")
    assert [(e.onset_frame, e.apex_frame, e.offset_frame) for e in report.accepted] == [(0, 1, 2)]
    assert any("older CASME2-coding-20140508" in f.reason for f in report.fixes)
    assert not any("subject stored as text" in f.reason for f in report.fixes)  # numeric subject cell


def test_wrong_sheet_layout_names_expected_columns(tmp_path):
    sheet = write_sheet(tmp_path / "s.xlsx", samm_preamble() + [SAMM_HEADER, ["006", "006_1_2"]])
    with pytest.raises(ColumnError, match="OnsetFrame.*SAMM sheet: run `tsfmicro import samm`"):
        read_sheet("casme2", sheet)
    with pytest.raises(FileNotFoundError):
        import_sheet("samm", sheet, tmp_path / "no_such_root", tmp_path / "t.csv")


# ---------------------------------------------------------------- SAMM


def test_samm_preamble_capitalised_emotions_and_apex_outside_interval(tmp_path):
    root = tmp_path / "SAMM"
    frame_folder(root / "006" / "006_1_2", [f"006_{n:05d}.jpg" for n in (5561, 5562, 5588, 5604, 5605)])
    frame_folder(root / "028" / "028_4_1", [f"028_{n:05d}.jpg" for n in range(1100, 1135)])
    frame_folder(root / "032" / "032_3_1", [f"032_{n}.jpg" for n in range(4896, 4941)])  # unpadded names
    rows = [
        ["006", "006_1_2", 1, 5562, 5588, 5604, 43, "Micro - 1/2", "R14A+R17B", "Anger", "IV", ""],
        ["028", "028_4_1", 1, 1100, 1143, 1134, 35, "Micro - 1/2", "4", "Other", "VII", ""],
        ["032", "032_3_1", 2, 4896, 1930, 4940, 45, "Micro - 1/2", "12", "Happiness", "I", ""],
        ["007", "007_3_1", 2, 1, 2, 3, 3, "Micro - 1/2", "12", "Contempt", "I", ""],  # no subject folder
    ]
    sheet = write_sheet(tmp_path / "SAMM_Micro_FACS_Codes_v2.xlsx", [SAMM_HEADER] + rows, preamble=samm_preamble())
    report = import_sheet("samm", sheet, root, tmp_path / "train.csv")
    events = _by_id(report)
    assert set(events) == {"006_1_2", "028_4_1", "032_3_1"}
    e = events["006_1_2"]
    assert (e.onset_frame, e.apex_frame, e.offset_frame, e.emotion, e.subject, e.fps) == (1, 2, 3, "anger", "006", 200.0)
    assert e.video == "SAMM/006/006_1_2"
    late = events["028_4_1"]
    assert (late.onset_frame, late.apex_frame, late.offset_frame) == (0, 17, 34) and late.emotion == "others"
    assert "apex 1143 outside the interval 1100..1134" in late.notes
    early = events["032_3_1"]
    assert early.apex_frame == 22 and "apex 1930 outside" in early.notes
    assert [p.line for p in report.problems] == [18]  # header on row 14, data from row 15
    assert "no subject folder 007 or 7" in report.problems[0].reason
    assert any(f.line == 16 and f.column == "E (Apex Frame)" for f in report.fixes)
    assert any("13 preamble rows skipped" in f.reason for f in report.fixes)


# ---------------------------------------------------------------- CAS(ME)^3


def test_casme3_text_cells_and_others_spelling(tmp_path):
    root = tmp_path / "part_A"
    frame_folder(root / "spNO.1" / "a", [f"{n}.jpg" for n in (122, 123, 126, 140, 150, 155, 160)])
    frame_folder(root / "spNO.2" / "B", [f"{n}.png" for n in (5, 7, 9, 10)])  # folder letter in capitals
    rows = [
        ["spNO.1", "a", "123", "126", "140", "R12", "I", "happy"],
        ["spNO.1", "a", "150", "155", "160", "L2+4", "VII", "Others"],
        ["spNO.2", "b", "5", "7", "9", "4", "II", "others"],
        ["spNO.2", "b", "5", "x7", "9", "4", "II", "sad"],      # not a number
    ]
    sheet = write_sheet(tmp_path / "cas(me)3_part_A_ME_label_JpgIndex_v2.xlsx", [CASME3_HEADER] + rows)
    report = import_sheet("casme3", sheet, root, tmp_path / "train.csv")
    assert len(report.accepted) == 3 and report.rejected == 1
    first, second, third = report.accepted
    assert (first.onset_frame, first.apex_frame, first.offset_frame) == (1, 2, 3)
    assert (first.emotion, first.subject, first.fps, first.event_id) == ("happiness", "spNO.1", 30.0, "a_123_140")
    assert second.emotion == "others" and "'Others' differs in case" in second.notes
    assert (third.onset_frame, third.offset_frame, third.video) == (0, 2, "part_A/spNO.2/B")
    assert third.notes == "source_frame onset=5 apex=7 offset=9"
    assert "must be an integer, got 'x7'" in report.problems[0].reason and report.problems[0].line == 5
    assert any("frame numbers stored as text in 4 rows" in f.reason for f in report.fixes)
