"""Compare what the parser reads with a sample document's truth file."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from etl.errors import XxgkError
from etl.pipeline import parse_file


@dataclass
class Comparison:
    path: Path
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _value(raw: str | None) -> Decimal | None:
    return None if raw is None else Decimal(raw)


def compare_with_truth(document: Path) -> Comparison:
    truth: dict[str, Any] = json.loads(Path(f"{document}.truth.json").read_text(encoding="utf-8"))
    result = Comparison(document)
    try:
        report = parse_file(document)
    except XxgkError as exc:
        if truth["expect"] != ("rejected" if exc.kind == "rejected" else "error"):
            result.problems.append(f"expected {truth['expect']}, got {exc.kind}: {exc.reason}")
        return result
    if truth["expect"] != "loaded":
        result.problems.append(f"expected {truth['expect']}, but it loaded")
        return result
    meta = report.meta
    for key, found in (("agency", meta.agency), ("year", meta.year), ("template", report.template)):
        if truth[key] != found:
            result.problems.append(f"{key}: truth {truth[key]!r}, read {found!r}")
    facts = {(f.metric_code, f.breakdown): f for f in report.facts}
    wanted = {(t["metric_code"], t["breakdown"]): t for t in truth["facts"]}
    for key, want in wanted.items():
        got = facts.get(key)
        if got is None:
            result.problems.append(f"missing {key}")
        elif got.value != _value(want["value"]) or got.semantic != want["semantic"]:
            result.problems.append(
                f"{key}: truth {want['value']}/{want['semantic']}, read {got.value}/{got.semantic}"
            )
    extra = sorted(set(facts) - set(wanted))
    if extra:
        result.problems.append(f"facts not in the truth: {extra[:5]}")
    return result


def documents(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.endswith(".json"))
