"""The harmonised-series mapping refers only to catalogue codes and never merges v2019 with v2021 table 二."""

from __future__ import annotations

from etl.catalogue import metrics
from etl.outcomes import outcome_groups
from warehouse.series import series_map


def test_every_mapped_metric_is_in_the_catalogue_and_fits_its_template() -> None:
    catalogue = metrics()
    for series_code, _, template, code, _, _, _ in series_map():
        assert code in catalogue, (series_code, code)
        single_row = any(g.whole_code == code and template in g.whole_templates for g in outcome_groups())
        assert template in catalogue[code].templates or code.startswith("text.") or single_row, (
            series_code,
            code,
        )


def test_table_two_of_2019_and_2021_never_share_a_series() -> None:
    templates: dict[str, set[str]] = {}
    for series_code, _, template, code, _, _, _ in series_map():
        if code.startswith(("v2019.", "v2021.")):
            templates.setdefault(series_code, set()).add(template)
    assert templates and all(len(found) == 1 for found in templates.values())


def test_one_comparable_group_per_series_and_template() -> None:
    groups: dict[tuple[str, str], set[str]] = {}
    for series_code, _, template, _, _, group, _ in series_map():
        groups.setdefault((series_code, template), set()).add(group)
    assert all(len(found) == 1 for found in groups.values())
