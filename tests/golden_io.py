"""Golden-file representation of a parsed report: what a reviewer reads in a diff."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from etl.records import ParsedReport


def report_to_golden(report: ParsedReport) -> dict[str, Any]:
    meta = report.meta
    return {
        "template": report.template,
        "agency": meta.agency,
        "year": meta.year,
        "title": meta.title,
        "province": meta.province,
        "city": meta.city,
        "county": meta.county,
        "cells": [report.found_cells, report.expected_cells],
        "facts": sorted(
            [f.metric_code, f.breakdown, None if f.value is None else str(f.value), f.value_raw, f.semantic]
            for f in report.facts
        ),
        "warnings": sorted({w.code for w in report.warnings}),
        "failed_checks": sorted(
            {f"{c.check_id}[{c.breakdown}]" for c in report.checks if c.status == "fail"}
        ),
    }


def write_golden(path: Path, data: dict[str, Any]) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=1)
    path.write_text(text + "\n", encoding="utf-8")


def read_golden(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
