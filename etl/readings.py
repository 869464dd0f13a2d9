"""Choosing among readings of an ambiguous layout with the template's identities.

A reader that cannot settle a layout (a wrapped label as near one row of values as another) hands the
pipeline other readings of the document. Each is parsed; the one with the fewest error-level checks
(N1–N4, O1, O2, O6–O8 …) unsatisfied wins — failing, or not assessable because a cell they need was not
read (a reading that leaves a row out must not win by hiding the identities that row is part of) — then
the one with fewer failing, then the one that reads more cells, then the reader's own first reading,
then the alternative whose stable name sorts first. Whatever was chosen, the facts whose value depends
on the choice are stored with confidence "inferred" and the report carries an `ambiguous_layout`
warning: a choice is never stored as if it had been read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from etl.errors import XxgkError
from etl.records import Document, ParsedReport, ParseIssue

Parse = Callable[[Document, str], ParsedReport]


def _values(report: ParsedReport) -> dict[tuple[str, str], tuple[object, str]]:
    return {(f.metric_code, f.breakdown): (f.value, f.semantic) for f in report.facts}


def failing(report: ParsedReport) -> int:
    return sum(1 for c in report.checks if c.severity == "error" and c.status == "fail")


def unsatisfied(report: ParsedReport) -> int:
    """Error-level identities that fail or cannot be assessed (a cell of theirs was not read): a reading
    that leaves a row out does not satisfy the identities that row takes part in."""
    return sum(1 for c in report.checks if c.severity == "error" and c.status in ("fail", "not_assessable"))


def rank(candidate: tuple[str, str, ParsedReport]) -> tuple[int, int, int, str]:
    """Fewest error-level identities unsatisfied (failing, or not assessable for a cell not read), then
    fewest failing, then most cells read, then the reader's first reading, then the alternative's name:
    never its position, which a new heuristic could shift."""
    name, _, report = candidate
    return unsatisfied(report), failing(report), -len(report.facts), name


FIRST = ""
"""The name of the reader's own first reading; it sorts before every alternative's name."""


def choose_reading(document: Document, digest: str, parse: Parse) -> ParsedReport:
    first = replace(document, alternatives=())
    candidates = [(FIRST, "first reading", first)] + [
        (a.name, a.why, replace(document, blocks=a.blocks, alternatives=())) for a in document.alternatives
    ]
    parsed: list[tuple[str, str, ParsedReport]] = []
    for name, why, candidate in candidates:
        try:
            parsed.append((name, why, parse(candidate, digest)))
        except XxgkError:
            continue
    if not parsed:
        return parse(first, digest)
    _, chosen_why, chosen = min(parsed, key=rank)
    values = {(f.metric_code, f.breakdown): (f.value, f.semantic) for f in chosen.facts}
    unsettled = {
        key
        for _, _, other in parsed
        for key in values.keys() | {(f.metric_code, f.breakdown) for f in other.facts}
        if values.get(key)
        != next(((f.value, f.semantic) for f in other.facts if (f.metric_code, f.breakdown) == key), None)
    }
    if not unsettled:
        return chosen
    facts = tuple(
        replace(f, confidence="inferred") if (f.metric_code, f.breakdown) in unsettled else f
        for f in chosen.facts
    )
    scores = ", ".join(f"{failing(report)}" for _, _, report in parsed)
    issue = ParseIssue(
        "ambiguous_layout",
        f"{len(parsed)} readings of an ambiguous table layout (failing identities: {scores}); "
        f"kept {chosen_why!r}; {len(unsettled)} values depend on the choice and are marked inferred",
    )
    return replace(chosen, facts=facts, warnings=(*chosen.warnings, issue))
