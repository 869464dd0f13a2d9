"""Trust in values read by OCR: each is marked, scored, judged by the table's identities, and a doubtful
one is read again.

1. Every value read from a page image gets `confidence = "ocr"` and an `OcrEvidence` (the OCR score, the
   cell's place on the page, a small PNG crop).
2. Which identities (N1–N4, O1 …) each value takes part in is found by nudging it and seeing which checks
   move; a value in a passing identity is `confirmed`.
3. Where an error-level identity fails, the cells involved are read again at `REREAD_DPI`, digits only;
   each reading is a candidate, and the identities choose: a change of one or two cells that makes every
   identity pass is applied when it is the only one (warning `ocr_corrected`). Otherwise the values stay
   as read and the report gets `ocr_identity_failed` naming every cell of the failing identity.
4. A value no identity confirms is read again the same way; when the two readings differ (or the OCR
   score is low), it is stored with an `ocr_doubtful` warning naming the cell and both readings.
Nothing is changed silently: every value of an OCR report carries its flag (`OcrEvidence.doubt`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

import cv2
import numpy as np
import numpy.typing as npt

from etl.catalogue import metric
from etl.compliance import FORMAT_CHECK_IDS
from etl.errors import XxgkError
from etl.extract.rows import FactCollector
from etl.narrative import no_fees_statement
from etl.normalise import fold, one_line
from etl.ocr.engine import Box, Image, Reading, give_back_memory
from etl.ocr.image import DPI, LIGHT, RED, REREAD_DPI, redness
from etl.readers.ocr import SCALE, Scan
from etl.readings import FIRST, rank
from etl.records import CheckResult, Document, Fact, OcrEvidence, ParsedReport, ParseIssue, TableCell
from etl.templates import run_checks, spec
from etl.values import parse_value

Parse = Callable[[Document, str], ParsedReport]
Key = tuple[str, str]
LOW_SCORE = 0.9
MARK_LEVEL = 110
MARK_AREA = 8
"""A dark mark of this many pixels (at 200 dpi) in a cell read as blank makes the blank doubtful."""
MAX_CHANGES = 2
MAX_TRIALS = 5000
CROP_HEIGHT = 48
"""Crops are stored at most this many pixels high, in 8 grey levels, to keep the warehouse small."""
_LOCATOR = re.compile(r"table (\d+), row (\d+)(?:, column (\d+))?")
_NUMERIC = ("number", "zero", "blank", "na")


@dataclass(frozen=True)
class Spot:
    """Where a fact's value was read: its cell, page and box (points of the prepared page)."""

    cell: TableCell
    page: int
    box: tuple[float, float, float, float]
    rebuilt: bool = False
    """The value's row was rebuilt from word positions (a table printed without ruling lines)."""


def parse_scan(scan: Scan, digest: str, parse: Parse) -> ParsedReport:
    document = settle(scan.document, digest, parse)
    report = parse(document, digest)
    spots = fact_spots(report, document)
    renders: Renders = {}
    report, chosen = _correct(report, scan, spots, renders)
    return _marked(report, scan, spots, chosen, renders)


def settle(document: Document, digest: str, parse: Parse) -> Document:
    """The reading of an ambiguous layout the identities prefer (as etl/readings.py chooses), so that
    the cells of the values are known."""
    if not document.alternatives:
        return document
    readings = [(FIRST, replace(document, alternatives=()))] + [
        (a.name, replace(document, blocks=a.blocks, alternatives=())) for a in document.alternatives
    ]
    scored = []
    for name, reading in readings:
        try:
            report = parse(reading, digest)
        except XxgkError:
            continue
        scored.append((rank((name, "", report)), reading))
    return min(scored, key=lambda item: item[0])[1] if scored else readings[0][1]


def fact_spots(report: ParsedReport, document: Document) -> dict[Key, Spot]:
    tables = {table.index: table for table in document.tables}
    grids = {index: table.grid() for index, table in tables.items()}
    spots: dict[Key, Spot] = {}
    for fact in report.facts:
        match = _LOCATOR.match(fact.source.locator)
        if match is None or int(match.group(1)) - 1 not in tables:
            continue
        grid = grids[int(match.group(1)) - 1]
        row = int(match.group(2)) - 1
        cell = _cell(grid, row, match.group(3), fact)
        if cell is not None and cell.box is not None and cell.page is not None:
            rebuilt = not tables[int(match.group(1)) - 1].aligned
            spots[(fact.metric_code, fact.breakdown)] = Spot(cell, cell.page, cell.box, rebuilt)
    return spots


def _cell(grid: list[list[TableCell | None]], row: int, column: str | None, fact: Fact) -> TableCell | None:
    if not 0 <= row < len(grid):
        return None
    if column is not None:
        col = int(column) - 1
        return grid[row][col] if 0 <= col < len(grid[row]) else None
    same = {id(c): c for c in grid[row] if c is not None and one_line(c.text) == fact.value_raw}
    return next(iter(same.values())) if len(same) == 1 else None


# --- which identities a value takes part in --------------------------------------------------------


def _no_fees(report: ParsedReport) -> str | None:
    return no_fees_statement([line for line in report.text.split("\n") if line])


def involvement(report: ParsedReport, facts: Mapping[Key, Fact] | None = None) -> dict[int, set[Key]]:
    """For each check (by position), the values it reads: those whose change moves its outcome."""
    facts = dict(facts if facts is not None else _fact_map(report))
    checks = checker(report)
    base = checks(facts)
    involved: dict[int, set[Key]] = {i: set() for i in range(len(base))}
    for key, fact in facts.items():
        if fact.semantic not in _NUMERIC:
            continue
        nudged = {**facts, key: replace(fact, value=(fact.value or Decimal(0)) + 1, semantic="number")}
        for i, (before, after) in enumerate(zip(base, checks(nudged), strict=False)):
            if (before.status, before.expected, before.actual) != (
                after.status,
                after.expected,
                after.actual,
            ):
                involved[i].add(key)
    return involved


Checker = Callable[[Mapping[Key, Fact]], tuple[CheckResult, ...]]


def checker(report: ParsedReport) -> Checker:
    """The report's checks over other values, run as the pipeline runs them (with the table 三 rows the
    document prints and its no-fees sentence)."""
    described = spec(report.template)
    folded = fold(report.text)
    no_fees = _no_fees(report)

    def check(facts: Mapping[Key, Fact]) -> tuple[CheckResult, ...]:
        rows = None
        if described.table_rows is not None:
            rows = described.table_rows(FactCollector(facts=dict(facts)), folded)
        return run_checks(facts, report.template, no_fees, rows)

    return check


def _fact_map(report: ParsedReport) -> dict[Key, Fact]:
    return {(f.metric_code, f.breakdown): f for f in report.facts}


def _errors(checks: Iterable[CheckResult]) -> list[int]:
    return [i for i, c in enumerate(checks) if c.severity == "error" and c.status == "fail"]


# --- reading cells again ---------------------------------------------------------------------------


Renders = dict[int, npt.NDArray[np.uint8]]
"""The page last rendered at REREAD_DPI, by number: one at a time (an A4 page takes 46 MB at 400 dpi,
and a worker's memory must not grow with the pages of a scan); the cells are read page by page."""


def _hires(scan: Scan, number: int, renders: Renders) -> npt.NDArray[np.uint8]:
    if number not in renders:
        renders.clear()
        give_back_memory()
        renders[number] = scan.sources[number - 1].render(REREAD_DPI / DPI)
    return renders[number]


def reread(scan: Scan, spots: Mapping[Key, Spot], renders: Renders) -> dict[Key, list[Reading]]:
    """Each spot's cell read again at REREAD_DPI with digits only: candidate readings, best first."""
    factor = REREAD_DPI / DPI
    by_page: dict[int, list[Key]] = {}
    for key, spot in spots.items():
        by_page.setdefault(spot.page, []).append(key)
    keys: list[Key] = []
    crops: list[Image] = []
    for number, page_keys in sorted(by_page.items()):
        page = scan.pages[number - 1]
        rgb = _hires(scan, number, renders)
        for key in page_keys:
            found = _digits_crop(rgb, page.prepared.transform, spots[key].box, factor)
            if found is not None:
                keys.append(key)
                crops.append(found)
    readings = scan.engine.read_digits(crops) if crops else []
    return dict(zip(keys, readings, strict=True))


def _digits_crop(
    rgb: npt.NDArray[np.uint8],
    transform: npt.NDArray[np.float64],
    box: tuple[float, float, float, float],
    factor: float,
) -> Image | None:
    """The inside of a cell (borders left out) from the page rendered `factor` times larger, rectified
    with the page's own transform, tightened to its ink."""
    grey = _cell_patch(rgb, transform, box, factor)
    if grey is None:
        return None
    _, ink = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    points = cv2.findNonZero(ink)
    if points is None:
        return None
    x, y, w, h = cv2.boundingRect(points)
    pad = int(6 * factor)
    return np.ascontiguousarray(grey[max(0, y - pad) : y + h + pad, max(0, x - pad) : x + w + pad])


def _cell_patch(
    rgb: npt.NDArray[np.uint8],
    transform: npt.NDArray[np.float64],
    box: tuple[float, float, float, float],
    factor: float,
) -> Image | None:
    """The inside of a cell, borders left out, rectified, greyscale with the paper made white."""
    scale = SCALE * factor
    x0, top, x1, bottom = (v * scale for v in box)
    inset = 4 * factor
    x0, top, x1, bottom = x0 + inset, top + inset, x1 - inset, bottom - inset
    if x1 - x0 < 4 or bottom - top < 4:
        return None
    zoom = np.diag([factor, factor, 1.0])
    hires = zoom @ transform @ np.linalg.inv(zoom)
    shift = np.array([[1.0, 0.0, x0], [0.0, 1.0, top], [0.0, 0.0, 1.0]])
    size = (int(x1 - x0), int(bottom - top))
    flags = cv2.INTER_CUBIC | cv2.WARP_INVERSE_MAP
    patch = cv2.warpPerspective(
        rgb, np.linalg.inv(hires) @ shift, size, flags=flags, borderValue=(255, 255, 255)
    )
    colour = np.asarray(patch, dtype=np.uint8)
    level = colour[:, :, 0].astype(np.float32)
    paper = max(1.0, float(np.percentile(level, 90)))
    grey = np.clip(level / paper * 255, 0, 255).astype(np.uint8)
    grey[(redness(colour) > RED) & (grey > LIGHT)] = 255
    return np.asarray(grey, dtype=np.uint8)


def marked_blanks(scan: Scan, spots: Mapping[Key, Spot], renders: Renders) -> list[Key]:
    """Cells read as blank that hold a dark mark (a faint dash, a digit detection missed) at REREAD_DPI."""
    factor = REREAD_DPI / DPI
    found: list[Key] = []
    by_page: dict[int, list[Key]] = {}
    for key, spot in spots.items():
        by_page.setdefault(spot.page, []).append(key)
    for number, keys in sorted(by_page.items()):
        rgb = _hires(scan, number, renders)
        transform = scan.pages[number - 1].prepared.transform
        for key in keys:
            patch = _cell_patch(rgb, transform, spots[key].box, factor)
            if patch is not None and _has_mark(patch, factor):
                found.append(key)
    return found


def _has_mark(grey: Image, factor: float) -> bool:
    dark = np.where(grey < MARK_LEVEL, 255, 0).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    return any(stats[i, cv2.CC_STAT_AREA] >= MARK_AREA * factor * factor for i in range(1, count))


# --- letting the identities choose -----------------------------------------------------------------


def _factor(fact: Fact) -> Decimal:
    """Catalogue unit per printed unit (10,000 for money printed in 万元)."""
    printed = parse_value(fact.value_raw).value
    if fact.value is not None and printed:
        return fact.value / printed
    return Decimal(1)


def _candidates(fact: Fact, readings: list[Reading]) -> list[Fact]:
    options: list[Fact] = []
    for reading in readings:
        parsed = parse_value(reading.text)
        if parsed.semantic not in ("number", "zero") or parsed.value is None:
            continue
        value = parsed.value * _factor(fact)
        if value != fact.value and all(o.value != value for o in options):
            options.append(replace(fact, value=value, value_raw=reading.text, semantic=parsed.semantic))
    return options


def _correct(
    report: ParsedReport, scan: Scan, spots: Mapping[Key, Spot], renders: Renders
) -> tuple[ParsedReport, dict[Key, str]]:
    """The report with the only re-reading that satisfies the identities applied, and for each changed
    value why (the value is then chosen, not confirmed)."""
    broken = _errors(report.checks)
    if not broken:
        return report, {}
    facts = _fact_map(report)
    involved = involvement(report, facts)
    suspects = {key for i in broken for key in involved[i] if key in spots}
    readings = reread(scan, {key: spots[key] for key in suspects}, renders)
    options = {key: _candidates(facts[key], readings.get(key, [])) for key in sorted(suspects)}
    solutions = _solutions(report, facts, {k: v for k, v in options.items() if v})
    if len(solutions) != 1:
        return _flag_failing(report, involved, spots, len(solutions)), {}
    changes = solutions[0]
    fixed = {**facts, **{f.key: f.fact for f in changes}}
    note = "; ".join(
        f"{_name(c.key)} {facts[c.key].value_raw!r} → {c.fact.value_raw!r} ({_where(spots.get(c.key))})"
        for c in changes
    )
    issue = ParseIssue(
        "ocr_corrected",
        f"identities failed as read; re-read at {REREAD_DPI} dpi, the one change that mends them: {note}",
    )
    # the format checks read the document, not the values: they stay as they were
    unchanged = tuple(c for c in report.checks if c.check_id in FORMAT_CHECK_IDS)
    checks = (*checker(report)(fixed), *unchanged)
    chosen = {
        c.key: f"read {facts[c.key].value_raw!r}; {c.fact.value_raw!r} ({REREAD_DPI} dpi) chosen by the sums"
        for c in changes
    }
    fixed_report = replace(
        report, facts=tuple(fixed.values()), checks=checks, warnings=(*report.warnings, issue)
    )
    return fixed_report, chosen


@dataclass(frozen=True)
class _Change:
    key: Key
    fact: Fact


def _solutions(
    report: ParsedReport, facts: dict[Key, Fact], options: dict[Key, list[Fact]]
) -> list[list[_Change]]:
    """The smallest sets of changes (one or two cells) after which no error-level identity fails."""
    checks = checker(report)
    trials = 0
    for size in range(1, MAX_CHANGES + 1):
        found: list[list[_Change]] = []
        for keys in itertools.combinations(sorted(options), size):
            for combo in itertools.product(*(options[k] for k in keys)):
                trials += 1
                if trials > MAX_TRIALS:
                    return found
                changed = {**facts, **dict(zip(keys, combo, strict=True))}
                if not _errors(checks(changed)):
                    found.append([_Change(k, f) for k, f in zip(keys, combo, strict=True)])
        if found:
            return found
    return []


def _name(key: Key) -> str:
    code, breakdown = key
    return f"{metric(code).label_zh}{f'[{breakdown}]' if breakdown else ''}"


def _where(spot: Spot | None) -> str:
    if spot is None:
        return "cell not located"
    return f"page {spot.page}, row {spot.cell.row + 1}, column {spot.cell.col + 1}"


def _flag_failing(
    report: ParsedReport, involved: dict[int, set[Key]], spots: Mapping[Key, Spot], solutions: int
) -> ParsedReport:
    why = "no reading makes them pass" if solutions == 0 else f"{solutions} different readings would"
    issues = []
    for i in _errors(report.checks):
        check = report.checks[i]
        cells = ", ".join(f"{_name(k)} ({_where(spots.get(k))})" for k in sorted(involved[i]))
        issues.append(
            ParseIssue(
                "ocr_identity_failed",
                f"{check.check_id} fails on values read by OCR ({why}); check the cells: {cells}",
            )
        )
    return replace(report, warnings=(*report.warnings, *issues))


# --- marking every value ---------------------------------------------------------------------------


def _marked(
    report: ParsedReport,
    scan: Scan,
    spots: Mapping[Key, Spot],
    chosen: Mapping[Key, str],
    renders: Renders,
) -> ParsedReport:
    facts = _fact_map(report)
    involved = involvement(report, facts)
    # the format checks (after the table's own) read no values: they involve none
    passing = {key for i, c in enumerate(report.checks) if c.status == "pass" for key in involved.get(i, ())}
    across = across_rows(report.checks, involved)
    failing_keys = {key for i in _errors(report.checks) for key in involved[i]}
    pages = {page.number: page for page in scan.pages}
    evidence: dict[Key, OcrEvidence] = {}
    for key, spot in spots.items():
        fact = facts[key]
        score = _score(pages, spot)
        confirmed = key in (across if spot.rebuilt else passing) and key not in failing_keys | chosen.keys()
        doubt = "an identity it is part of fails" if key in failing_keys else chosen.get(key, "")
        evidence[key] = OcrEvidence(
            key[0],
            key[1],
            spot.page,
            spot.box,
            round(score, 4),
            confirmed,
            _png(pages[spot.page].image, spot.box),
            doubt,
        )
    issues = list(report.warnings)
    for key in placed_by_words(spots, evidence):
        evidence[key] = replace(evidence[key], doubt=REBUILT_DOUBT)
        issues.append(ParseIssue("ocr_doubtful", f"{_name(key)}: {REBUILT_DOUBT}", facts[key].source.locator))
    unconfirmed = {
        key: spot
        for key, spot in spots.items()
        if not evidence[key].confirmed
        and not evidence[key].doubt
        and facts[key].semantic in ("number", "zero")
    }
    # a blank of a row rebuilt from word positions is looked at even when the identities pass: a digit
    # detection missed there would pass them as a blank does when it is 0
    blanks = {
        key: spot
        for key, spot in spots.items()
        if (spot.rebuilt or not evidence[key].confirmed)
        and not evidence[key].doubt
        and facts[key].semantic == "blank"
    }
    for key in marked_blanks(scan, blanks, renders):
        confirmed = evidence[key].confirmed
        why = "its row was rebuilt from word positions" if confirmed else "no identity confirms it"
        reason = f"read as blank, but the cell holds a mark at {REREAD_DPI} dpi; {why}"
        evidence[key] = replace(evidence[key], doubt=reason, confirmed=False)
        issues.append(ParseIssue("ocr_doubtful", f"{_name(key)}: {reason}", facts[key].source.locator))
    for key, found in reread(scan, unconfirmed, renders).items():
        fact = facts[key]
        second = found[0] if found else Reading("", 0.0)
        parsed = parse_value(second.text)
        agrees = parsed.value is not None and parsed.value * _factor(fact) == fact.value
        low = evidence[key].score < LOW_SCORE
        if agrees and not low:
            continue
        reason = (
            f"read {fact.value_raw!r} (score {evidence[key].score:.2f})"
            + ("" if agrees else f", {second.text!r} at {REREAD_DPI} dpi")
            + "; no identity confirms it"
        )
        evidence[key] = replace(evidence[key], doubt=reason)
        issues.append(ParseIssue("ocr_doubtful", f"{_name(key)}: {reason}", fact.source.locator))
    marked = tuple(replace(f, confidence="ocr") for f in report.facts)
    return replace(report, facts=marked, warnings=tuple(issues), ocr=tuple(evidence.values()))


def across_rows(checks: Sequence[CheckResult], involved: Mapping[int, set[Key]]) -> set[Key]:
    """Values in a passing identity that ties values of several metrics (rows of table 三, cells of
    table 四). A row's own sum (natural persons + … = total) passes whichever row its values were put
    in, so it cannot confirm where a table printed without lines put them."""
    return {
        key
        for i, check in enumerate(checks)
        if check.status == "pass" and len({code for code, _ in involved.get(i, ())}) > 1
        for key in involved[i]
    }


REBUILT_DOUBT = (
    "its row was rebuilt from word positions (a table printed without lines) and no identity confirms it"
)


def placed_by_words(spots: Mapping[Key, Spot], evidence: Mapping[Key, OcrEvidence]) -> list[Key]:
    """Values of a table printed without ruling lines that no identity confirms: a second reading can
    confirm the digits but not the row and column they were put in, so they stay doubtful."""
    return [
        key
        for key, spot in spots.items()
        if spot.rebuilt and not evidence[key].confirmed and not evidence[key].doubt
    ]


def _score(pages: Mapping[int, object], spot: Spot) -> float:
    from etl.ocr.page import ReadPage

    page = pages[spot.page]
    assert isinstance(page, ReadPage)
    x, y = (spot.box[0] + spot.box[2]) / 2 * SCALE, (spot.box[1] + spot.box[3]) / 2 * SCALE
    for read in page.cells:
        b: Box = read.cell.box
        if b.x0 <= x <= b.x1 and b.top <= y <= b.bottom:
            return read.score
    for word in page.words:
        b = word.box
        if b.x0 <= x <= b.x1 and b.top <= y <= b.bottom:
            return word.score
    return 0.0


def _png(image: Image, box: tuple[float, float, float, float]) -> bytes:
    """The printed value: the ink inside the cell with a margin (a wide merged cell is not shrunk to
    nothing), in 8 grey levels, at most CROP_HEIGHT pixels high."""
    x0, top, x1, bottom = (int(v * SCALE) for v in box)
    cell = image[max(0, top) : bottom, max(0, x0) : x1]
    if cell.size == 0:
        return b""
    _, ink = cv2.threshold(cell[4:-4, 4:-4], 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    points = cv2.findNonZero(ink)
    if points is not None:
        x, y, w, h = cv2.boundingRect(points)
        pad = 12
        cell = cell[max(0, y + 4 - pad) : y + 4 + h + pad, max(0, x + 4 - 3 * pad) : x + 4 + w + 3 * pad]
    factor = min(1.0, CROP_HEIGHT / cell.shape[0])
    small = (
        cell if factor >= 1.0 else cv2.resize(cell, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    )
    levels = (np.asarray(small, dtype=np.uint16) // 32) * 36
    ok, encoded = cv2.imencode(
        ".png", np.minimum(levels, 255).astype(np.uint8), [cv2.IMWRITE_PNG_COMPRESSION, 9]
    )
    return encoded.tobytes() if ok else b""
