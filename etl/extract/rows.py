"""Shared pieces of table extraction: splitting a row into labels and values, and collecting facts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from etl.catalogue import metric
from etl.normalise import CACHE_LIMIT, cache_short, label_key, one_line, remember
from etl.records import CellRef, Confidence, Fact, ParseIssue, RowView, TableCell, new_fact
from etl.values import ParsedValue, parse_value, to_metric_unit

UNIT_WORDS = frozenset({"条", "件", "次", "篇", "个", "人", "人次", "万元", "元", "项", "家", "—", "-", "——"})


_UNITS: dict[str, str] = {}
"""A metric's unit per code (`metric(code).unit`), for the facts added a row at a time."""
_READINGS: dict[tuple[str, str, str | None], tuple[Decimal | None, ParsedValue, str]] = {}
"""`FactCollector.add`'s reading of a printed cell per (text, the metric's unit, the printed unit): its
value in the metric's unit, its `parse_value` and its text on one line. Pure functions of the three."""


@cache_short
def key(text: str) -> str:
    """The matching key of a label, with 其它 read as 其他."""
    return label_key(text).replace("其它", "其他")


def is_valueish(cell: TableCell) -> bool:
    """A cell that can hold a value: empty, a number, zero or a not-applicable mark."""
    return parse_value(cell.text).semantic in ("blank", "number", "zero", "na")


def is_numeric(cell: TableCell) -> bool:
    return parse_value(cell.text).semantic in ("number", "zero")


def values_start(valueish: Sequence[bool]) -> int:
    """Where a row's trailing run of value-like cells begins (`trailing_values`), given whether each of
    its cells is one (`is_valueish`, or `extract.CellInfo.valueish`)."""
    split = len(valueish)
    while split > 0 and valueish[split - 1]:
        split -= 1
    return split


def trailing_values(view: RowView) -> tuple[list[TableCell], list[TableCell]]:
    """(label cells, value cells): values are the trailing run of value-like cells."""
    cells = list(view.cells)
    split = len(cells)
    while split > 0 and is_valueish(cells[split - 1]):
        split -= 1
    return cells[:split], cells[split:]


def row_locator(view: RowView, cell: TableCell | None = None) -> str:
    where = f"table {view.table + 1}, row {view.row + 1}"
    return f"{where}, column {cell.col + 1}" if cell is not None else where


def label_text(cells: list[TableCell]) -> str:
    return " / ".join(one_line(c.text) for c in cells if c.text.strip())


TEXT_PREFIXES = ("text.", "old.section.")
"""The codes of facts read from the narrative or the old report's sections, not from the statistics tables."""


@dataclass(frozen=True)
class FactCodes:
    """What the steps after extraction ask of a collector's facts by code, from one pass over the facts
    (each step passed over every fact for its own set: the cells counted, the codes present, the table
    codes, the applicant columns)."""

    present: frozenset[str]
    """The codes of the facts."""
    table_codes: frozenset[str]
    """The codes of the facts read from the statistics tables (not starting with `TEXT_PREFIXES`)."""
    table_cells: int
    """How many facts were read from the statistics tables."""
    req_breakdowns: frozenset[str]
    """The breakdowns (applicant columns) of the table 三 facts (codes starting with `req.`)."""


def fact_codes(facts: Mapping[tuple[str, str], Fact]) -> FactCodes:
    present = frozenset([code for code, _ in facts])
    table_codes = frozenset([code for code in present if not code.startswith(TEXT_PREFIXES)])
    other = present - table_codes
    table_cells = len(facts) - (sum(code in other for code, _ in facts) if other else 0)
    req = {code for code in table_codes if code.startswith("req.")}
    breakdowns = frozenset([b for code, b in facts if code in req]) if req else frozenset()
    return FactCodes(present, table_codes, table_cells, breakdowns)


@dataclass
class FactCollector:
    """Builds facts, keeping the first reading of a cell and recording every problem. Its facts change
    only through its methods (`add`, `add_cells`, `discard`), which let `codes` know."""

    facts: dict[tuple[str, str], Fact] = field(default_factory=dict)
    issues: list[ParseIssue] = field(default_factory=list)
    _codes: FactCodes | None = field(default=None, init=False, repr=False, compare=False)
    _codes_of: int = field(default=-1, init=False, repr=False, compare=False)
    """How many facts `_codes` was made from (a fact added to `facts` directly is seen too)."""
    kept_rows: tuple[tuple[str, object, frozenset[str], bool], tuple[str, ...]] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    """The last `extract.layout.document_rows` of this collector: ((the template, the folded text, the
    table codes, whether a row went unread), its rows)."""

    def codes(self) -> FactCodes:
        """`fact_codes(self.facts)`, made once until the facts change."""
        codes = self._codes
        if codes is None or self._codes_of != len(self.facts):
            codes = self._codes = fact_codes(self.facts)
            self._codes_of = len(self.facts)
        return codes

    def discard(self, cell: tuple[str, str]) -> Fact:
        """Take a fact out (a group row's values when its rows are printed too)."""
        self._codes = None
        return self.facts.pop(cell)

    def warn(self, code: str, message: str, locator: str = "") -> None:
        self.issues.append(ParseIssue(code=code, message=message, locator=locator))

    def add(
        self,
        code: str,
        breakdown: str,
        raw: str,
        source: CellRef,
        *,
        printed_unit: str | None = None,
        confidence: Confidence = "exact",
        reading: ParsedValue | None = None,
    ) -> None:
        if reading is None:
            self.add_cells(code, ((breakdown, raw, source),), printed_unit, confidence)
            return
        unit = metric(code).unit
        self._put(
            code,
            breakdown,
            to_metric_unit(reading, unit, printed_unit),
            one_line(raw),
            reading,
            source,
            confidence,
        )

    def add_cells(
        self,
        code: str,
        cells: Iterable[tuple[str, str, CellRef]],
        printed_unit: str | None = None,
        confidence: Confidence = "exact",
    ) -> None:
        """`add` for each (breakdown, printed text, source) of one metric, in order: the metric's unit is
        looked up once, and each text is read once per (text, unit, printed unit) (`_READINGS`)."""
        try:
            unit = _UNITS[code]
        except KeyError:
            unit = remember(_UNITS, code, metric(code).unit)
        readings = _READINGS
        facts = self.facts
        self._codes = None
        for breakdown, raw, source in cells:
            known = readings.get((raw, unit, printed_unit))
            if known is None:
                parsed = parse_value(raw)
                known = (to_metric_unit(parsed, unit, printed_unit), parsed, one_line(raw))
                if len(raw) <= CACHE_LIMIT:
                    remember(readings, (raw, unit, printed_unit), known)
            value, parsed, value_raw = known
            semantic = parsed.semantic
            if semantic == "invalid" or (code, breakdown) in facts:  # said so by `_put`
                self._put(code, breakdown, value, value_raw, parsed, source, confidence)
            else:
                facts[(code, breakdown)] = new_fact(
                    code, breakdown, value, value_raw, semantic, source, confidence
                )

    def _put(
        self,
        code: str,
        breakdown: str,
        value: Decimal | None,
        value_raw: str,
        parsed: ParsedValue,
        source: CellRef,
        confidence: Confidence,
    ) -> None:
        if parsed.semantic == "invalid":
            self.warn(
                "invalid_value",
                f"{code}[{breakdown or '-'}]: {value_raw!r} is not a number"
                + (f" ({parsed.problem})" if parsed.problem else ""),
                source.locator,
            )
        cell = (code, breakdown)
        kept = self.facts.get(cell)
        if kept is not None:
            self.warn(
                "duplicate_cell",
                f"{code}[{breakdown or '-'}] printed twice; kept {kept.value_raw!r} ({kept.source.locator}), "
                f"ignored {value_raw!r}",
                source.locator,
            )
            return
        self._codes = None
        self.facts[cell] = new_fact(code, breakdown, value, value_raw, parsed.semantic, source, confidence)

    def has(self, code: str, breakdown: str = "") -> bool:
        return (code, breakdown) in self.facts
