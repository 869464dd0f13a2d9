"""The statistics templates, each described once: how it is recognised, read, counted and checked.

`TEMPLATE_SPECS` is read by the pipeline (detection, extraction, expected cells, completeness, the
missing-cells warning, checks), the dashboard's template filter and its labels; tests check that
`etl.records.Template`, the warehouse schema's CHECK constraint and the filter list agree with it.
A template is recognised from its labels, never from the year.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, partial
from typing import Protocol

from etl.catalogue import metrics
from etl.checks import FactMap, Term, narrative_checks, new_template_checks, old_template_checks
from etl.compliance import NEW_LAYOUT, OLD_LAYOUT, ReportLayout
from etl.extract import extract_new
from etl.extract.fujian import ROWS as FUJIAN_ROWS
from etl.extract.fujian import extract_fujian
from etl.extract.layout import document_rows, new_expected_cells, new_wanted_codes
from etl.extract.old import DATA_ROWS as OLD_ROWS
from etl.extract.old import OLD_CELLS, extract_old
from etl.extract.rows import FactCodes, FactCollector
from etl.normalise import fold
from etl.records import CheckResult, Document, RowView, Template

V2021_MARKERS = ("本年制发件数", "本年废止件数", "现行有效件数", "申请人无正当理由逾期不补正")
V2019_MARKERS = ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量")
NEW_MARKERS = ("本年新收政府信息公开申请数量", "上年结转政府信息公开申请数量", "结转下年度继续办理")
V2021_WEAK = ("本年收费金额",)
V2019_WEAK = ("政府集中采购", "采购总金额")
OLD_MIN_LABELS = 6
OLD_MIN_SHARE = 0.5
FUJIAN_MIN_CELLS = 4
NEW_REQUIRED_ROWS = ("req.total", "req.carried_out")
"""Table 三 rows without which a 2019/2021 report is cut off."""


@dataclass(frozen=True)
class Detection:
    """Label fingerprints. Templates of a lower tier win over higher tiers; within a tier, the one with
    the highest score (its own markers plus weak ones), the first on a tie."""

    tier: int
    markers: tuple[str, ...]
    shared_markers: tuple[str, ...] = ()
    """Markers of the tier's family: they bring the tier in but do not score."""
    weak_markers: tuple[str, ...] = ()
    min_markers: int = 1
    requires: tuple[str, ...] = ()

    def hits(self, text: str) -> bool:
        found = sum(marker in text for marker in (*self.markers, *self.shared_markers))
        return found >= self.min_markers and all(word in text for word in self.requires)

    def score(self, text: str) -> int:
        return sum(marker in text for marker in (*self.markers, *self.weak_markers))


Extract = Callable[[Sequence[RowView], FactCollector], None]
Count = Callable[[FactCollector, Container[str]], int]
Wanted = Callable[[FactCollector, Container[str]], tuple[str, ...]]
Complete = Callable[[FactCollector, int, bool], str | None]


class TableChecks(Protocol):
    """A template's own checks, given the facts, the table 三 rows the document prints (or None) and the
    facts' codes when the caller has them."""

    def __call__(
        self, facts: FactMap, rows: Sequence[str] | None, codes: FactCodes | None = None, /
    ) -> Iterable[CheckResult]: ...


@dataclass(frozen=True)
class TemplateSpec:
    name: Template
    label_zh: str
    label_en: str
    detection: Detection
    extract: Extract
    expected_cells: Count
    """How many cells the document's tables should hold (its layout, given the folded text)."""
    incomplete: Complete
    """Why the tables read are too few to be a report (cut off …), or None."""
    wanted: Wanted | None
    """The codes the `missing_cells` warning compares with; None: no such warning."""
    table_checks: TableChecks
    """The template's own checks, given the facts and the table 三 rows the document prints (or None)."""
    table_rows: Wanted | None
    """The table 三 rows the document prints, where the template has such a table."""
    received: Term
    """The table's row that the narrative's 收到申请 figure is checked against (T1)."""
    proactive: Term | None
    """The table's row that the narrative's 主动公开 figure is checked against (T2), if it has one."""
    reads_glued_text: bool
    """Tables flattened without separators are cut by the template's identities (etl/extract/glued.py)."""
    layout: ReportLayout
    """The sections, tables, period sentence and signature the format requires (checks F1–F5)."""


def _table_codes(collector: FactCollector) -> frozenset[str]:
    return collector.codes().table_codes


def _old_incomplete(collector: FactCollector, expected: int, cut_off: bool) -> str | None:
    found = len(_table_codes(collector))
    if found < OLD_MIN_SHARE * expected and cut_off:
        return (
            f"statistics table incomplete: {found} of {expected} rows of the old national table found "
            "(truncated?)"
        )
    return None


def _fujian_incomplete(collector: FactCollector, expected: int, cut_off: bool) -> str | None:
    found = len(_table_codes(collector))
    return (
        f"statistics table incomplete: only {found} cells of the Fujian table"
        if found < FUJIAN_MIN_CELLS
        else None
    )


def _new_incomplete(collector: FactCollector, expected: int, cut_off: bool) -> str | None:
    codes = _table_codes(collector)
    if not any(code.startswith("req.") for code in codes):
        return "table 三 (收到和处理政府信息公开申请情况) not found or not readable"
    for code in NEW_REQUIRED_ROWS:
        if code not in codes:
            return f"table 三 is cut off: row {metrics()[code].label_zh} missing (truncated?)"
    if not any(code.startswith(("review.", "suit_")) for code in codes):
        return "table 四 (行政复议、行政诉讼情况) not found (truncated?)"
    return None


def _old_wanted(collector: FactCollector, folded_text: Container[str]) -> tuple[str, ...]:
    return _old_codes()


@cache
def _old_codes() -> tuple[str, ...]:
    """The old table's codes, in catalogue order: a pure function of the catalogue."""
    return tuple(
        m.code for m in metrics().values() if "old" in m.templates and not m.code.startswith("old.section")
    )


def _new_spec(name: Template, label_zh: str, label_en: str, detection: Detection) -> TemplateSpec:
    return TemplateSpec(
        name=name,
        label_zh=label_zh,
        label_en=label_en,
        detection=detection,
        extract=partial(extract_new, name),
        expected_cells=partial(new_expected_cells, name),
        incomplete=_new_incomplete,
        wanted=partial(new_wanted_codes, name),
        table_checks=lambda facts, rows, codes=None: new_template_checks(facts, name, rows, codes),
        table_rows=partial(document_rows, name),
        received=("req.received", "total"),
        proactive=None,
        reads_glued_text=True,
        layout=NEW_LAYOUT,
    )


def _no_table_checks(
    facts: FactMap, rows: Sequence[str] | None, codes: FactCodes | None = None, /
) -> Iterable[CheckResult]:
    return ()


TEMPLATE_SPECS: dict[Template, TemplateSpec] = {
    "old": TemplateSpec(
        name="old",
        label_zh="旧版（2008–2018）",
        label_en="Old (2008–2018)",
        detection=Detection(tier=2, markers=tuple(OLD_ROWS), min_markers=OLD_MIN_LABELS),
        extract=extract_old,
        expected_cells=lambda collector, text: OLD_CELLS,
        incomplete=_old_incomplete,
        wanted=_old_wanted,
        table_checks=lambda facts, rows, codes=None: old_template_checks(facts),
        table_rows=None,
        received=("old.requests.received", ""),
        proactive=("old.proactive.total", ""),
        reads_glued_text=False,
        layout=OLD_LAYOUT,
    ),
    "old_fujian": TemplateSpec(
        name="old_fujian",
        label_zh="福建旧版",
        label_en="Fujian old",
        detection=Detection(tier=1, markers=tuple(FUJIAN_ROWS), min_markers=3, requires=("历年累计",)),
        extract=extract_fujian,
        expected_cells=lambda collector, text: sum(
            1 for code, _ in collector.facts if code.startswith("fj.")
        ),
        incomplete=_fujian_incomplete,
        wanted=None,
        table_checks=_no_table_checks,
        table_rows=None,
        received=("fj.requests.total", ""),
        proactive=("fj.proactive.total", ""),
        reads_glued_text=False,
        layout=OLD_LAYOUT,
    ),
    "v2019": _new_spec(
        "v2019",
        "2019版",
        "2019 table",
        Detection(
            tier=0,
            markers=V2019_MARKERS,
            shared_markers=(*V2021_MARKERS, *NEW_MARKERS),
            weak_markers=V2019_WEAK,
        ),
    ),
    "v2021": _new_spec(
        "v2021",
        "2021版",
        "2021 table",
        Detection(
            tier=0,
            markers=V2021_MARKERS,
            shared_markers=(*V2019_MARKERS, *NEW_MARKERS),
            weak_markers=V2021_WEAK,
        ),
    ),
}


def spec(template: Template) -> TemplateSpec:
    return TEMPLATE_SPECS[template]


_TIERS: tuple[tuple[TemplateSpec, ...], ...] = tuple(
    tuple(s for s in TEMPLATE_SPECS.values() if s.detection.tier == tier)
    for tier in sorted({s.detection.tier for s in TEMPLATE_SPECS.values()})
)
"""The templates of each tier, lowest tier first, in `TEMPLATE_SPECS` order."""


def template_of_text(text: str) -> Template | None:
    """The template whose labels a folded text carries, or None."""
    for members in _TIERS:
        if any(s.detection.hits(text) for s in members):
            return max(members, key=lambda s: s.detection.score(text)).name
    return None


def detect_template(document: Document) -> Template | None:
    """Fingerprint the tables first; the paragraphs only when no table carries template labels.

    `template_of_text` asks only whether each marker is in the text, and no marker holds "|": a marker
    is in the texts folded and joined by "|" when it is in one of them, so each distinct text is folded
    and joined once (a table repeats its values, 0 most of all)."""
    texts = dict.fromkeys([cell.text for table in document.tables for cell in table.cells])
    found = template_of_text("|".join(map(fold, texts)))
    if found is not None:
        return found
    return template_of_text("|".join(map(fold, dict.fromkeys([p.text for p in document.paragraphs]))))


def run_checks(
    facts: FactMap,
    template: Template,
    no_fees: str | None = None,
    rows: Sequence[str] | None = None,
    codes: FactCodes | None = None,
) -> tuple[CheckResult, ...]:
    """Every per-report check the template runs; `no_fees` is the narrative's "未收取…费用" sentence (T3),
    `rows` the table 三 rows the document prints (None: the template's rows), `codes` the facts' codes
    when the caller has them (`FactCollector.codes`)."""
    described = spec(template)
    return (
        *described.table_checks(facts, rows, codes),
        *narrative_checks(facts, described.received, described.proactive, no_fees),
    )
