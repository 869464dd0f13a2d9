"""The misprinted-label matcher: one character dropped, doubled or swapped still names its row; two rows
equally close, labels of other groups and short labels never match."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from etl.extract.fuzzy import fuzzy_item, tolerance
from etl.extract.table3 import match_row
from etl.outcomes import OutcomeGroup, OutcomeItem, outcome_groups

GROUPS = [g for g in outcome_groups() if g.items]
ITEMS = [(g, i) for g in GROUPS for i in g.items if tolerance(i.key)]


def _edit(label: str, kind: str, at: int) -> str:
    at %= len(label) - 1
    if kind == "drop":
        return label[:at] + label[at + 1 :]
    if kind == "double":
        return label[: at + 1] + label[at] + label[at + 1 :]
    return label[:at] + label[at + 1] + label[at] + label[at + 2 :]


@given(st.sampled_from(ITEMS), st.sampled_from(["drop", "double", "swap"]), st.integers(0, 100))
def test_one_character_dropped_doubled_or_swapped_matches_its_row(
    pair: tuple[OutcomeGroup, OutcomeItem], kind: str, at: int
) -> None:
    group, item = pair
    printed = _edit(item.key, kind, at)
    if printed == item.key:
        return
    found = fuzzy_item(printed, item.position, group.items, 1)
    assert found is not None and found.item == item
    row = match_row([group.label_zh, f"{item.position}.{printed}"], group.name)
    assert row.code == item.code and row.fuzzy is not None


@given(st.sampled_from(ITEMS), st.sampled_from(["drop", "double", "swap"]), st.integers(0, 100))
def test_wrong_position_never_matches(pair: tuple[OutcomeGroup, OutcomeItem], kind: str, at: int) -> None:
    group, item = pair
    printed = _edit(item.key, kind, at)
    assert fuzzy_item(printed, item.position + 1, group.items, 1) is None


@given(st.sampled_from(GROUPS), st.sampled_from(ITEMS))
def test_labels_of_other_groups_never_match(
    group: OutcomeGroup, pair: tuple[OutcomeGroup, OutcomeItem]
) -> None:
    other_group, item = pair
    if other_group == group:
        return
    for position in range(1, len(group.items) + 1):
        assert fuzzy_item(item.key, position, group.items, position) is None


@given(st.sampled_from(GROUPS), st.data())
def test_two_rows_equally_close_never_match(group: OutcomeGroup, data: st.DataObject) -> None:
    first, second = data.draw(st.permutations(list(group.items)))[:2]
    # A label halfway between two rows: the first row's start and the second row's end.
    printed = first.key[: len(first.key) // 2] + second.key[len(second.key) // 2 :]
    found = fuzzy_item(printed, None, (first, second), first.position)
    close = [i for i in (first, second) if tolerance(i.key) and _distance(printed, i.key) <= tolerance(i.key)]
    if len(close) == 2:
        assert found is None
    twin = OutcomeItem(first.code + ".twin", first.position, first.printed, first.key, first.templates)
    assert fuzzy_item(_edit(first.key, "drop", 1), first.position, (first, twin), 1) is None


def _distance(a: str, b: str) -> int:
    from rapidfuzz.distance import OSA

    return int(OSA.distance(a, b))


def test_short_labels_are_never_matched_loosely() -> None:
    other = next(g for g in GROUPS if g.name == "other")
    assert tolerance("其他") == 0
    assert fuzzy_item("其", 3, other.items, 3) is None


def test_misprint_from_a_real_pdf() -> None:
    row = match_row(["（三）不予公开", "2.其他法律行政止公开"], None, {"denied": 1})
    assert (row.code, row.fuzzy is not None) == ("req.denied.law_forbidden", True)
    unnumbered = match_row(["其他法律行政止公开"], "denied", {"denied": 1})
    assert unnumbered.code == "req.denied.law_forbidden"
    out_of_order = match_row(["其他法律行政止公开"], "denied", {"denied": 4})
    assert out_of_order.code is None
