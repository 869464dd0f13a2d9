"""Tables of the 2019/2021 formats in text whose cells were glued together ("行政许可3960181").

Each row's digits are found between its label and the next one, every way of cutting them into the
template's columns is listed, and the table's own identities choose: a row total equals its six
applicant columns (N3), columns balance (N1, N2), table 四's totals equal their outcomes (N4). A reading
is stored only when exactly one survives, marked `inferred`, with a warning on the report; otherwise the
row is left out and the candidates are reported.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from etl.checks import HANDLED, OTHER_V2019, OTHER_V2021
from etl.extract.rows import FactCollector
from etl.extract.table2 import COLUMNS as T2_COLUMNS
from etl.extract.table2 import DEFAULT_COLUMNS, TEMPLATE_UNITS
from etl.extract.table3 import DEFAULT_PLAN as T3_COLUMNS
from etl.extract.table3 import GROUP_ITEMS, TOP_ROWS
from etl.extract.table4 import TEMPLATE_ORDER as T4_CODES
from etl.extract.table4 import column_label
from etl.normalise import nfkc
from etl.records import CellRef, Paragraph, Template, new_cell_ref

SEPARATOR = "|"
MAX_COMBINATIONS = 200_000
_LABEL_OF = {code: label for label, code in TOP_ROWS.items()} | {
    code: label for items in GROUP_ITEMS.values() for label, code in items.items()
}
_GROUP_HEADING = re.compile(
    r"(?:三、本年度办理结果)?(?:\([三四五六]\)(?:不予公开|无法提供|不予处理|其他处理))?$"
)
_TOP_NUMBERING = {
    "req.received": "一、",
    "req.carried_in": "二、",
    "req.granted": "(一)",
    "req.partial": "(二)",
    "req.other": "(六)",
    "req.total": "(七)",
    "req.carried_out": "四、",
}
_DIGITS = re.compile(r"[\d|.]*")
T2_ROW_LABELS = {
    "regulations": "规章",
    "normative_docs": "(?:行政)?规范性文件",
    "licensing": "行政许可",
    "other_services": "其他对外管理服务事项",
    "penalty": "行政处罚",
    "coercion": "行政强制",
    "admin_fees": "行政事业性收费",
    "procurement": "政府集中采购",
}


def compact(text: str) -> str:
    """NFKC text without spaces or quotes, where a space between two digits becomes a separator."""
    text = nfkc(text)
    text = re.sub(r"(?<=[\d.])\s+(?=\d)", SEPARATOR, text)
    text = re.sub(r"\s+", "", text)
    return re.sub("[\"'“”‘’]", "", text)


def _number_ok(part: str, decimals: bool) -> bool:
    if not part or part.startswith(".") or part.endswith("."):
        return False
    if "." in part and (not decimals or part.count(".") > 1):
        return False
    whole = part.split(".")[0]
    return whole == "0" or not whole.startswith("0")


def segmentations(digits: str, parts: int, *, decimals: bool = False) -> Iterator[tuple[str, ...]]:
    """Every way to cut `digits` into `parts` numbers; SEPARATOR marks a cut that must be made."""
    chunks = digits.split(SEPARATOR)
    if len(chunks) > parts or any(not c for c in chunks):
        return
    for split in _distribute(len(chunks), parts):
        options = [list(_cut(chunk, count, decimals)) for chunk, count in zip(chunks, split, strict=True)]
        for combo in itertools.product(*options):
            yield tuple(part for piece in combo for part in piece)


def _distribute(chunks: int, parts: int) -> Iterator[tuple[int, ...]]:
    for cuts in itertools.combinations(range(1, parts), chunks - 1):
        bounds = (0, *cuts, parts)
        yield tuple(b - a for a, b in itertools.pairwise(bounds))


def _cut(chunk: str, count: int, decimals: bool) -> Iterator[tuple[str, ...]]:
    if count > len(chunk):
        return
    for cuts in itertools.combinations(range(1, len(chunk)), count - 1):
        bounds = (0, *cuts, len(chunk))
        pieces = tuple(chunk[a:b] for a, b in itertools.pairwise(bounds))
        if all(_number_ok(p, decimals) for p in pieces):
            yield pieces


@dataclass(frozen=True)
class GluedRow:
    code: str
    label: str
    digits: str
    candidates: tuple[tuple[Decimal, ...], ...]


def _t3_codes(template: Template) -> list[str]:
    other = OTHER_V2019 if template == "v2019" else OTHER_V2021
    return ["req.received", "req.carried_in", *HANDLED, *other, "req.total", "req.carried_out"]


def _label_regex(code: str) -> str:
    label = "其他处理" if code == "req.other" else _LABEL_OF[code]
    if code == "req.partial":
        return r"部分公开(?:\([^)]*\))?"
    if code == "req.other.other":
        return r"(?<=\d[.、])其他"
    if code == "req.total":
        return r"(?<=\(七\))总计"
    return re.escape(label)


def numbering(code: str) -> str:
    """The item number printed before a row label: '一、', '(三)'-group items '1.' … '8.'."""
    if code in _TOP_NUMBERING:
        return re.escape(_TOP_NUMBERING[code])
    for items in GROUP_ITEMS.values():
        codes = list(items.values())
        if code in codes:
            return rf"{codes.index(code) + 1}[.、]"
    return ""


def _between(text: str, start: int, end: int, next_code: str) -> str | None:
    """The digits printed between two labels, without the next label's numbering and group heading."""
    chunk = re.sub(rf"{numbering(next_code)}$", "", text[start:end])
    chunk = _GROUP_HEADING.sub("", chunk)
    chunk = re.sub(r"\(?[一二三四五六七]\)?、?$", "", chunk) if not chunk[-1:].isdigit() else chunk
    chunk = chunk.strip(SEPARATOR)
    return chunk if chunk and _DIGITS.fullmatch(chunk) else None


def find_t3_rows(text: str, template: Template) -> list[tuple[str, str, str]] | None:
    """(code, printed label, digits) per row of table 三, or None when the labels are not all in order."""
    codes = _t3_codes(template)
    position = text.find("本年新收政府信息公开申请数量")
    if position < 0:
        return None
    spans: list[tuple[str, int, int]] = []
    for code in codes:
        match = re.compile(_label_regex(code)).search(text, position)
        if match is None:
            return None
        spans.append((code, match.start(), match.end()))
        position = match.end()
    rows = []
    for (code, _, end), (next_code, next_start, _) in itertools.pairwise(
        [*spans, ("", len(text), len(text))]
    ):
        if code == codes[-1]:
            digits = _DIGITS.match(text, end)
            chunk = digits.group(0).strip(SEPARATOR) if digits else ""
        else:
            chunk = _between(text, end, next_start, next_code) or ""
        rows.append((code, text[spans[codes.index(code)][1] : end], chunk))
    return rows


def _row_candidates(digits: str, width: int) -> tuple[tuple[Decimal, ...], ...]:
    found = []
    for parts in segmentations(digits, width):
        values = tuple(Decimal(p) for p in parts)
        if values[-1] == sum(values[:-1], Decimal(0)):
            found.append(values)
    return tuple(found)


def _consistent(choice: dict[str, tuple[Decimal, ...]], codes: Sequence[str]) -> bool:
    handled = [
        c for c in codes if c not in ("req.received", "req.carried_in", "req.total", "req.carried_out")
    ]
    for column in range(len(T3_COLUMNS)):
        received, carried_in = choice["req.received"][column], choice["req.carried_in"][column]
        total, carried_out = choice["req.total"][column], choice["req.carried_out"][column]
        if received + carried_in != total + carried_out:
            return False
        if sum((choice[c][column] for c in handled), Decimal(0)) != total:
            return False
    return True


def solve_t3(rows: list[GluedRow]) -> dict[str, tuple[Decimal, ...]]:
    """Each row's reading where it is determined.

    A row whose digits have one cut satisfying its own total (N3) is read that way. Rows with several
    such cuts are settled only when exactly one combination makes the columns balance (N1, N2);
    otherwise they are left out.
    """
    fixed = {r.code: r.candidates[0] for r in rows if len(r.candidates) == 1}
    open_rows = [r for r in rows if len(r.candidates) > 1]
    if not open_rows or any(not r.candidates for r in rows):
        return fixed
    total = 1
    for row in open_rows:
        total *= len(row.candidates)
    if total > MAX_COMBINATIONS:
        return fixed
    codes = [r.code for r in rows]
    solutions = []
    for combo in itertools.product(*(r.candidates for r in open_rows)):
        choice = fixed | {r.code: c for r, c in zip(open_rows, combo, strict=True)}
        if _consistent(choice, codes):
            solutions.append(choice)
            if len(solutions) > 1:
                return fixed
    return solutions[0] if solutions else fixed


def _ref(label: str, column: str, paragraph: Paragraph) -> CellRef:
    return new_cell_ref(
        None, label, column, paragraph.page, f"paragraph {paragraph.index + 1} (digits glued)"
    )


def extract_glued_t3(text: str, template: Template, paragraph: Paragraph, collector: FactCollector) -> bool:
    found = find_t3_rows(text, template)
    if found is None:
        return False
    rows = [
        GluedRow(code, label, digits, _row_candidates(digits, len(T3_COLUMNS)))
        for code, label, digits in found
    ]
    solution = solve_t3(rows)
    for row in rows:
        for column, value in zip(T3_COLUMNS, solution.get(row.code, ()), strict=False):
            ref = _ref(row.label, column, paragraph)
            collector.add(row.code, column, str(value), ref, confidence="inferred")
    collector.warn(
        "glued_digits",
        f"table 三 read from digits printed without separators: {len(solution)} of {len(rows)} rows have "
        "exactly one cut consistent with the table's identities",
    )
    unread = [f"{r.label} ({len(r.candidates)} readings)" for r in rows if r.code not in solution]
    if unread:
        collector.warn(
            "glued_digits", f"table 三 rows not stored, no single reading: {'; '.join(unread[:5])}"
        )
    return bool(solution)


def extract_glued_t4(text: str, paragraph: Paragraph, collector: FactCollector) -> bool:
    start = text.find("复议后起诉")
    if start < 0:
        return False
    match = re.compile(r"总计([\d|]{15,})").search(text, start)
    if match is None:
        return False
    solutions = [
        values
        for parts in segmentations(match.group(1), 15)
        if _t4_ok(values := tuple(Decimal(p) for p in parts))
    ]
    if len(solutions) != 1:
        collector.warn(
            "glued_digits",
            f"table 四 digits {match.group(1)!r} have {len(solutions)} readings that satisfy N4; not stored",
        )
        return False
    for code, value in zip(T4_CODES, solutions[0], strict=True):
        column = column_label(code)
        collector.add(
            code, "", str(value), _ref("行政复议、行政诉讼", column, paragraph), confidence="inferred"
        )
    collector.warn(
        "glued_digits",
        "table 四 read from 15 numbers printed without separators; the only cut that satisfies N4 was chosen",
    )
    return True


def _t4_ok(values: tuple[Decimal, ...]) -> bool:
    return all(values[i + 4] == sum(values[i : i + 4], Decimal(0)) for i in (0, 5, 10))


def extract_glued_t2(text: str, template: Template, paragraph: Paragraph, collector: FactCollector) -> None:
    start = text.find("第二十条")
    end = text.find("本年新收政府信息公开申请数量")
    if start < 0:
        return
    region = text[start : end if end > start else len(text)]
    for row, columns in DEFAULT_COLUMNS.get(template, {}).items():
        match = re.search(rf"{T2_ROW_LABELS[row]}([\d|.]+)(元)?", region)
        if match is None:
            continue
        decimals = any(T2_COLUMNS[c][1] == "amount" for c in columns)
        cuts = list(segmentations(match.group(1).strip(SEPARATOR), len(columns), decimals=decimals))
        if len(cuts) != 1:
            collector.warn(
                "glued_digits",
                f"table 二 row {match.group(0)!r}: {len(cuts)} ways to read "
                f"{len(columns)} numbers; not stored",
            )
            continue
        for column, part in zip(columns, cuts[0], strict=True):
            family, suffix = T2_COLUMNS[column]
            unit = (match.group(2) if suffix == "amount" else None) or TEMPLATE_UNITS.get(column)
            label = match.group(0)[: match.start(1) - match.start(0)]
            collector.add(
                f"{family}.{row}.{suffix}",
                "",
                part,
                _ref(label, column, paragraph),
                printed_unit=unit,
                confidence="inferred",
            )


def extract_glued(paragraphs: Sequence[Paragraph], template: Template, collector: FactCollector) -> None:
    """Read tables 二, 三 and 四 from the paragraph that holds them glued together."""
    for paragraph in paragraphs:
        text = compact(paragraph.text)
        if "本年新收政府信息公开申请数量" not in text:
            continue
        extract_glued_t2(text, template, paragraph, collector)
        extract_glued_t3(text, template, paragraph, collector)
        extract_glued_t4(text, paragraph, collector)
        return
