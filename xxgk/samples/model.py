"""Records shared by the sample generator: agencies, plans, logical tables and truth facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

Figures = dict[tuple[str, str], Decimal]
"""Numbers of one report keyed by (metric code, breakdown), money in the unit it is printed in."""


@dataclass(frozen=True)
class Agency:
    name: str
    kind: str
    province: str
    city: str
    county: str | None
    site: str
    first_year: int = 2014

    @property
    def vertical(self) -> bool:
        return self.kind == "vertical"

    @property
    def place(self) -> str:
        return self.county or self.city


@dataclass(frozen=True)
class Fact:
    metric_code: str
    breakdown: str
    value: str | None
    semantic: str
    value_raw: str

    def as_json(self) -> dict[str, str | None]:
        return {
            "breakdown": self.breakdown,
            "metric_code": self.metric_code,
            "semantic": self.semantic,
            "value": self.value,
            "value_raw": self.value_raw,
        }


@dataclass(frozen=True)
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    fact: Fact | None = None
    header: bool = False


Row = tuple[Cell, ...]


@dataclass(frozen=True)
class Table:
    name: str
    rows: tuple[Row, ...]

    def facts(self) -> list[Fact]:
        return [cell.fact for row in self.rows for cell in row if cell.fact is not None]


@dataclass(frozen=True)
class Para:
    text: str
    kind: str = "body"
    facts: tuple[Fact, ...] = ()


Block = Para | Table


@dataclass(frozen=True)
class Plan:
    agency: Agency
    year: int
    template: str
    fmt: str
    ext: str
    encoding: str
    flags: frozenset[str]
    seed: int
    faults: tuple[str, ...] = ()
    version_of: str | None = None

    def has(self, flag: str) -> bool:
        return flag in self.flags

    @property
    def new(self) -> bool:
        return self.template != "old"

    @property
    def file_name(self) -> str:
        suffix = "_更正版" if self.version_of else ""
        return f"{self.agency.name}_{self.year}{suffix}{self.ext}"

    @property
    def rng_key(self) -> str:
        return f"{self.seed}|{self.agency.name}|{self.year}"


@dataclass(frozen=True)
class Document:
    """A built report before rendering: its title (None when the document prints none) and blocks."""

    plan: Plan
    title: str | None
    blocks: tuple[Block, ...]
    published: str
    quirks: frozenset[str] = field(default_factory=frozenset)

    def facts(self) -> list[Fact]:
        found: list[Fact] = []
        for block in self.blocks:
            found.extend(block.facts() if isinstance(block, Table) else block.facts)
        return found

    def tables(self) -> list[Table]:
        return [block for block in self.blocks if isinstance(block, Table)]
