"""Which reports a dashboard view covers, turned into one parameterised SQL condition on `reports`."""

from __future__ import annotations

from dataclasses import dataclass, field

from etl.templates import TEMPLATE_SPECS

SCOPES = ("own", "aggregate")
TEMPLATES: tuple[str, ...] = tuple(TEMPLATE_SPECS)
LEVELS = ("province", "city", "county", "township")
KINDS = ("government", "government_office", "department", "township", "zone", "vertical")


@dataclass(frozen=True)
class ReportFilter:
    """Current versions only. Empty tuples and None mean "no restriction". Vertically managed units
    (国家税务总局…税务局, 调查队) stay out of local totals unless asked for, or chosen by kind."""

    province_code: str | None = None
    city_code: str | None = None
    county_code: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    templates: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    agency_text: str = ""
    agency_ids: tuple[str, ...] = field(default=())
    scope: str = "own"
    include_vertical: bool = False
    hide_unconfirmed_ocr: bool = False
    """Leave out values read by OCR that no passing identity of their table confirms (etl/ocr/trust.py)."""
    review: tuple[str, ...] = ()
    """Review statuses (pending, approved, returned) from the review database (warehouse/review)."""

    def condition(self, alias: str = "r", *, per_report: bool = True) -> tuple[str, dict[str, object]]:
        """A SQL condition over `reports AS alias` and its named parameters. Without `per_report`, only the
        parts an agency row of `agg_agencies` answers by its columns (warehouse/store/rollups.py): not the
        scope, templates and years (its year masks do) nor the review status (the caller reads reports)."""
        parts = [f"{alias}.is_current"]
        params: dict[str, object] = {}
        if per_report:
            parts.append(f"coalesce({alias}.scope, 'own') = $scope")
            params["scope"] = self.scope
        if not self.include_vertical and "vertical" not in self.kinds:
            parts.append(f"NOT coalesce({alias}.is_vertical, FALSE)")
        equal = {
            "province_code": self.province_code,
            "city_code": self.city_code,
            "county_code": self.county_code,
        }
        for column, value in equal.items():
            if value:
                parts.append(f"{alias}.{column} = ${column}")
                params[column] = value
        if per_report:
            self._years(alias, parts, params)
        listed = {
            "template": ("templates", self.templates if per_report else ()),
            "agency_level": ("levels", self.levels),
            "agency_kind": ("kinds", self.kinds),
            "agency_id": ("agency_ids", self.agency_ids),
        }
        for column, (name, values) in listed.items():
            if values:
                parts.append(f"list_contains(${name}, {alias}.{column})")
                params[name] = list(values)
        if self.agency_text.strip():
            parts.append(f"contains(lower({alias}.agency), lower($agency_text))")
            params["agency_text"] = self.agency_text.strip()
        if self.review and per_report:
            status = f"(SELECT rv.status FROM review_status AS rv WHERE rv.report_id = {alias}.report_id)"
            parts.append(f"list_contains($review, coalesce({status}, 'pending'))")
            params["review"] = list(self.review)
        return " AND ".join(parts), params

    def _years(self, alias: str, parts: list[str], params: dict[str, object]) -> None:
        if self.year_from is not None:
            parts.append(f"{alias}.year >= $year_from")
            params["year_from"] = self.year_from
        if self.year_to is not None:
            parts.append(f"{alias}.year <= $year_to")
            params["year_to"] = self.year_to


def confirmed_facts(facts: str = "facts", report_series: str = "report_series") -> str:
    """Stand-ins for the tables `facts` and `report_series` without the OCR values no identity confirms,
    as CTEs named `facts` and `report_series` (so every named query reads them unchanged) or, for the
    review overlay that builds on them, under other names."""
    return f"""{facts} AS (
    SELECT f.* FROM main.facts AS f
    LEFT JOIN main.ocr_cells AS o
        ON o.report_id = f.report_id AND o.metric_code = f.metric_code AND o.breakdown = f.breakdown
    WHERE f.confidence <> 'ocr' OR coalesce(o.confirmed, FALSE)
), {report_series} AS (
    SELECT h.* FROM main.report_series AS h
    WHERE NOT EXISTS (
        SELECT 1 FROM main.facts AS f
        JOIN main.reports AS r ON r.report_id = f.report_id
        JOIN main.series_map AS m ON m.template = r.template AND m.metric_code = f.metric_code
            AND m.metric_breakdown = f.breakdown
        LEFT JOIN main.ocr_cells AS o
            ON o.report_id = f.report_id AND o.metric_code = f.metric_code AND o.breakdown = f.breakdown
        WHERE f.report_id = h.report_id AND m.series_code = h.series_code AND m.breakdown = h.breakdown
            AND f.confidence = 'ocr' AND NOT coalesce(o.confirmed, FALSE)
    )
)"""


CONFIRMED_FACTS = confirmed_facts()
