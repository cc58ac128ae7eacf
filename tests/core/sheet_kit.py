"""Tiny coding sheets in the official layouts (quirks as listed in `app/core/sheets.py`), built with openpyxl, and tiny
frame folders of numbered image files."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import openpyxl

CASME2_2019_HEADER = ["Subject", "Filename", None, "OnsetFrame", "ApexFrame", "OffsetFrame", None, "Action Units",
                      "Estimated Emotion"]
CASME2_OLD_HEADER = ["Subject", "Filename", "OnsetFrame", "ApexFrame", "OffsetFrame", "Action Units",
                     "Estimated Emotion"]
SAMM_HEADER = ["Subject", "Filename", "Inducement Code", "Onset Frame", "Apex Frame", "Offset Frame", "Duration",
               "Micro", "Action Units", "Estimated Emotion", "Objective Classes", "Notes"]
CASME3_HEADER = ["Subject", "Filename", "Onset", "Apex", "Offset", "AU", "Objective class", "emotion"]


def write_sheet(path: Path, rows: list[list], preamble: list[list] | None = None) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    for row in (preamble or []) + rows:
        sheet.append(row)
    book.save(path)
    return path


def samm_preamble() -> list[list]:
    """13 rows before the header, as in SAMM_Micro_FACS_Codes_v2.xlsx: title, citation, AU key, blanks."""
    rows = [["SAMM: Spontaneous Actions and Micro-Movements"], ["Micro-movement FACS codes, v2"], [],
            ["Please cite: Davison et al., SAMM: A spontaneous micro-facial movement dataset, IEEE TAC 2018"], [],
            ["AU key"], ["L = left", "R = right"], ["A-E = intensity"], ["Inducement code: see the paper"], [], [],
            ["Frame numbers index the image files of each clip"], []]
    assert len(rows) == 13
    return rows


def frame_folder(folder: Path, names: list[str]) -> Path:
    """Write a few real (8x8) images named as given."""
    folder.mkdir(parents=True, exist_ok=True)
    image = np.full((8, 8, 3), 127, np.uint8)
    for name in names:
        cv2.imwrite(str(folder / name), image)
    return folder
