"""Scanned copies made by the tests themselves, and their comparison with the truth."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from etl.records import ParsedReport

pytest.importorskip("cv2", reason="OCR needs the ocr extra: pip install 'xxgk[ocr]' (opencv, rapidocr)")
pytest.importorskip("rapidocr", reason="OCR needs the ocr extra: pip install 'xxgk[ocr]' (rapidocr)")


@dataclass(frozen=True)
class Outcome:
    cells: int
    right: int
    wrong_unflagged: list[str]
    wrong_flagged: list[str]
    left_out: list[str]
    meta_right: bool


def truth_of(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(Path(f"{path}.truth.json").read_text(encoding="utf-8"))
    return loaded


def compare(report: ParsedReport, truth: dict[str, Any]) -> Outcome:
    facts = {(f.metric_code, f.breakdown): f for f in report.facts}
    doubts = {(e.metric_code, e.breakdown): e.doubt for e in report.ocr}
    right, unflagged, flagged, left_out = 0, [], [], []
    for want in truth["facts"]:
        key = (want["metric_code"], want["breakdown"])
        got = facts.get(key)
        value = None if want["value"] is None else Decimal(want["value"])
        if got is None:
            left_out.append(str(key))
        elif got.value == value and got.semantic == want["semantic"]:
            right += 1
        else:
            (flagged if doubts.get(key) or got.semantic == "invalid" else unflagged).append(
                f"{key}: {want['value_raw']!r} read {got.value_raw!r}"
            )
    meta = (report.meta.agency, report.meta.year, report.template)
    return Outcome(
        len(truth["facts"]),
        right,
        unflagged,
        flagged,
        left_out,
        meta == (truth["agency"], truth["year"], truth["template"]),
    )
