"""Shared pieces of table extraction: splitting a row into labels and values, and collecting facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from etl.catalogue import metric
from etl.normalise import cache_short, label_key, one_line
from etl.records import CellRef, Confidence, Fact, ParseIssue, RowView, TableCell
from etl.values import ParsedValue, parse_value, to_metric_unit

UNIT_WORDS = frozenset({"条", "件", "次", "篇", "个", "人", "人次", "万元", "元", "项", "家", "—", "-", "——"})


@cache_short
def key(text: str) -> str:
    """The matching key of a label, with 其它 read as 其他."""
    return label_key(text).replace("其它", "其他")


def is_valueish(cell: TableCell) -> bool:
    """A cell that can hold a value: empty, a number, zero or a not-applicable mark."""
    return parse_value(cell.text).semantic in ("blank", "number", "zero", "na")


def is_numeric(cell: TableCell) -> bool:
    return parse_value(cell.text).semantic in ("number", "zero")


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


@dataclass
class FactCollector:
    """Builds facts, keeping the first reading of a cell and recording every problem."""

    facts: dict[tuple[str, str], Fact] = field(default_factory=dict)
    issues: list[ParseIssue] = field(default_factory=list)

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
        target = metric(code)
        parsed = reading or parse_value(raw)
        value: Decimal | None = to_metric_unit(parsed, target.unit, printed_unit)
        if parsed.semantic == "invalid":
            self.warn(
                "invalid_value",
                f"{code}[{breakdown or '-'}]: {one_line(raw)!r} is not a number"
                + (f" ({parsed.problem})" if parsed.problem else ""),
                source.locator,
            )
        if (code, breakdown) in self.facts:
            kept = self.facts[(code, breakdown)]
            self.warn(
                "duplicate_cell",
                f"{code}[{breakdown or '-'}] printed twice; kept {kept.value_raw!r} ({kept.source.locator}), "
                f"ignored {one_line(raw)!r}",
                source.locator,
            )
            return
        self.facts[(code, breakdown)] = Fact(
            metric_code=code,
            breakdown=breakdown,
            value=value,
            value_raw=one_line(raw),
            semantic=parsed.semantic,
            source=source,
            confidence=confidence,
        )

    def has(self, code: str, breakdown: str = "") -> bool:
        return (code, breakdown) in self.facts
