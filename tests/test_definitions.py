"""What is defined once stays defined once: the templates (etl/templates.py) and the request-outcome
groups (etl/outcome_groups.csv with the catalogue's req.<group>.* rows) agree with every place that
uses them."""

from __future__ import annotations

import re
import typing
from importlib import resources

from dashboard.i18n import TEXT
from dashboard.measures import OUTCOME_CODES, OUTCOME_GROUPS
from etl.catalogue import metrics
from etl.checks import HANDLED, OTHER_V2019, OTHER_V2021
from etl.extract.table3 import GROUP_ITEMS, GROUPS, TOP_ROWS
from etl.outcomes import handled_codes, outcome_codes, outcome_groups
from etl.records import TEMPLATES, Template
from etl.templates import TEMPLATE_SPECS
from warehouse.filters import TEMPLATES as FILTER_TEMPLATES
from warehouse.series import series_map
from xxgk.samples.figures import OUTCOME_WEIGHTS
from xxgk.samples.labels import T3_OUTCOMES


def test_every_template_is_described_once_and_everywhere() -> None:
    described = tuple(TEMPLATE_SPECS)
    assert described == TEMPLATES == typing.get_args(Template) == FILTER_TEMPLATES
    schema = resources.files("warehouse").joinpath("schema.sql").read_text(encoding="utf-8")
    check = re.search(r"template\s+VARCHAR NOT NULL CHECK \(template IN \(([^)]*)\)\)", schema)
    assert check is not None
    assert tuple(re.findall(r"'([^']+)'", check.group(1))) == described
    for name, spec in TEMPLATE_SPECS.items():
        assert spec.name == name
        assert TEXT[f"template.{name}"] == (spec.label_zh, spec.label_en)


def test_outcome_groups_cover_every_row_the_catalogue_puts_under_the_total() -> None:
    under_total = {m.code for m in metrics().values() if m.parent == "req.total"}
    assert under_total == set(outcome_codes())
    assert [g.name for g in outcome_groups()] == list(OUTCOME_GROUPS)
    assert {g.name: g.all_codes() for g in outcome_groups()} == OUTCOME_GROUPS
    assert outcome_codes() == OUTCOME_CODES


def test_extraction_checks_and_samples_read_the_same_groups() -> None:
    items = {code for codes in GROUP_ITEMS.values() for code in codes.values()}
    assert items | {"req.granted", "req.partial"} == set(outcome_codes()) - {"req.other"}
    assert set(GROUPS.values()) == {g.name for g in outcome_groups() if g.items}
    assert {"req.granted", "req.partial"} <= set(TOP_ROWS.values())
    assert (*HANDLED, *OTHER_V2019) == handled_codes("v2019") == T3_OUTCOMES["v2019"]
    assert (*HANDLED, *OTHER_V2021) == handled_codes("v2021") == T3_OUTCOMES["v2021"]
    assert set(OUTCOME_WEIGHTS) == set(outcome_codes())


def test_harmonised_series_take_outcome_groups_from_their_definition() -> None:
    csv_text = resources.files("warehouse").joinpath("series_map.csv").read_text(encoding="utf-8")
    series = {g.series_code for g in outcome_groups()}
    for line in csv_text.splitlines()[1:]:
        code, _, template = line.split(",")[:3]
        assert not (code in series and template in ("v2019", "v2021")), line
    mapped = {(row[2], row[3]) for row in series_map() if row[0] in series}
    for template in ("v2019", "v2021"):
        assert {code for t, code in mapped if t == template} >= set(handled_codes(template))
    assert ("v2021", "req.other") in mapped
