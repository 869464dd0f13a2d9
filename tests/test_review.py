"""Review statuses and corrections (warehouse/review): an overlay applied in every view and export,
kept apart from the versioned warehouse so that edits and ingests never wait for each other."""

from __future__ import annotations

import csv
import io
import multiprocessing
import sqlite3
import sys
import threading
import time
import types
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.review_helpers import NAMES, build, query, report_of
from warehouse import dashboard_queries as dq
from warehouse.db import connect
from warehouse.export import export_table
from warehouse.filters import ReportFilter
from warehouse.load import Batch
from warehouse.publish import publish, require_current
from warehouse.review import overlay, store
from warehouse.review.findings import review_notes
from warehouse.review.ledger import (
    ConcurrentChange,
    FactKey,
    ReviewError,
    add_correction,
    carry_over,
    dismiss,
    history,
    load_snapshot,
    set_status,
    withdraw,
)
from warehouse.review.model import value_text
from warehouse.store.writer import StoreRun
from xxgk.ingest import ingest

V2021, V2019, OLD = NAMES
pytestmark = pytest.mark.slow  # each test builds a warehouse


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    yield build(tmp_path)


def reader(directory: Path) -> duckdb.DuckDBPyConnection:
    con = connect(require_current(directory), read_only=True)
    overlay.register(con, load_snapshot(directory))
    return con


def fact(directory: Path, report_id: str, code: str, breakdown: str) -> tuple[Decimal | None, str]:
    rows = query(
        directory,
        "SELECT value, semantic FROM facts WHERE report_id = ? AND metric_code = ? AND breakdown = ?",
        [report_id, code, breakdown],
    )
    return rows[0][0], rows[0][1]


def correct(directory: Path, report_id: str, code: str, breakdown: str, value: str, **kw: object) -> int:
    options: dict[str, object] = {"kind": "extraction", "reason": "来函确认", "user": "审核员甲"} | kw
    _, made = add_correction(directory, FactKey(report_id, code, breakdown), Decimal(value), **options)  # type: ignore[arg-type]
    return made.id


def test_a_correction_is_an_overlay_in_the_report_values(warehouse: tuple[Path, Path]) -> None:
    _, directory = warehouse
    report = report_of(directory, V2021)
    before, _ = fact(directory, report, "req.received", "total")
    made = correct(directory, report, "req.received", "total", "15")
    con = reader(directory)
    values = dq.report_facts(con, report).set_index(["metric_code", "breakdown"])
    row = values.loc[("req.received", "total")]
    assert (row["value"], bool(row["corrected"]), row["original_value"], row["correction_id"]) == (
        15.0, True, float(before or 0), made
    )  # fmt: skip
    assert int(values["corrected"].sum()) == 1
    assert fact(directory, report, "req.received", "total")[0] == before  # the warehouse value is untouched


def test_aggregates_add_the_corrections_as_a_delta(warehouse: tuple[Path, Path]) -> None:
    """The delta over the base aggregate equals summing the corrected facts themselves, also when a blank
    becomes a number and when several corrections fall in one group."""
    _, directory = warehouse
    v2019 = report_of(directory, V2019)
    v2021 = report_of(directory, V2021)
    blanks = query(
        directory,
        "SELECT metric_code, breakdown FROM facts WHERE report_id = ? AND semantic = 'blank' ORDER BY 1, 2 LIMIT 2",
        [v2019],
    )
    assert blanks, "the v2019 fixture has blank cells"
    for code, breakdown in blanks:
        correct(directory, v2019, code, breakdown, "7")
    correct(directory, v2021, "req.received", "total", "15")
    correct(directory, v2021, "req.received", "natural_person", "0")
    con = reader(directory)
    codes = tuple(sorted({"req.received", *(c for c, _ in blanks)}))
    breakdowns = tuple(sorted({"total", "natural_person", *(b for _, b in blanks)}))
    got = dq.metric_by_year(con, ReportFilter(), codes, breakdowns)
    naive = con.execute(
        overlay.corrected(
            """
            SELECT r.year, r.template, f.metric_code, f.breakdown, sum(f.value) AS value,
                   count(f.value) AS reports_with_value, count(*) FILTER (WHERE f.semantic = 'blank') AS blanks
            FROM facts AS f JOIN reports AS r USING (report_id)
            WHERE r.is_current AND list_contains($codes, f.metric_code) AND list_contains($bds, f.breakdown)
            GROUP BY ALL""",
            "facts",
        ),
        {"codes": list(codes), "bds": list(breakdowns)},
    ).fetchall()
    expected = {(y, t, c, b): (v, n, k) for y, t, c, b, v, n, k in naive}
    found = {
        (r.year, r.template, r.metric_code, r.breakdown): (r.value, r.reports_with_value, r.reports_blank)
        for r in got.itertuples()
    }
    assert set(found) == set(expected)
    for key, (value, with_value, blank) in expected.items():
        assert found[key][1:] == (with_value, blank), key
        assert (found[key][0] != found[key][0] and value is None) or found[key][0] == pytest.approx(
            float(value)
        ), key
    assert int(got["corrected_values"].sum()) == len(blanks) + 2


def test_hiding_unconfirmed_ocr_values_keeps_the_corrections(warehouse: tuple[Path, Path]) -> None:
    _, directory = warehouse
    report = report_of(directory, V2021)
    correct(directory, report, "req.received", "total", "15")
    con = reader(directory)
    for flt in (ReportFilter(), ReportFilter(hide_unconfirmed_ocr=True)):
        by_year = dq.metric_by_year(con, flt, ("req.received",), ("total",))
        assert int(by_year["corrected_values"].sum()) == 1
        series = dq.series_by_report(con, flt, ("requests.received",))
        assert bool(series[series.report_id == report]["corrected"].any())


def test_series_follow_the_corrections(warehouse: tuple[Path, Path]) -> None:
    _, directory = warehouse
    report = report_of(directory, V2021)
    con = reader(directory)
    before = dq.series_by_report(con, ReportFilter(), ("requests.received",))
    old = float(before[(before.report_id == report) & (before.breakdown == "")]["value"].iloc[0])
    correct(directory, report, "req.received", "total", str(int(old) + 40))
    con = reader(directory)
    after = dq.series_by_report(con, ReportFilter(), ("requests.received",))
    row = after[(after.report_id == report) & (after.breakdown == "")].iloc[0]
    assert (row["value"], bool(row["corrected"]), row["original_value"]) == (old + 40, True, old)
    yearly = dq.series_by_year(con, ReportFilter(), ("requests.received",))
    year = yearly[(yearly.year == 2021) & (yearly.breakdown == "")].iloc[0]
    assert (year["value"] - year["original_value"], year["corrected_values"]) == (40, 1)
    # The ranking adds the corrections as a delta only when a series is corrected (otherwise it skips the
    # delta's read): here it shows the corrected value, and nothing but it changed.
    ranked = dq.ranking(con, ReportFilter(), "requests.received", 2021, limit=1000)
    assert float(ranked[ranked.report_id == report]["value"].iloc[0]) == old + 40
    uncorrected = connect(require_current(directory), read_only=True)  # no review relations: none applies
    plain = dq.ranking(uncorrected, ReportFilter(), "requests.received", 2021, 1000)
    others = ranked[ranked.report_id != report].reset_index(drop=True)
    pd.testing.assert_frame_equal(others, plain[plain.report_id != report].reset_index(drop=True))


def test_the_corrected_series_cte_is_the_series_view_when_nothing_is_corrected(
    warehouse: tuple[Path, Path],
) -> None:
    _, directory = warehouse
    con = reader(directory)
    columns = "report_id, agency_id, agency_name, year, template, series_code, breakdown, value, comparable_group, scope, place_code, is_vertical"
    view = con.execute(f"SELECT {columns} FROM series ORDER BY ALL").fetchall()
    cte = con.execute(overlay.corrected(f"SELECT {columns} FROM series ORDER BY ALL", "series")).fetchall()
    assert view and cte == view


def test_exports_gain_corrected_and_original_value(warehouse: tuple[Path, Path], tmp_path: Path) -> None:
    _, directory = warehouse
    report = report_of(directory, V2021)
    before, _ = fact(directory, report, "req.received", "total")
    correct(directory, report, "req.received", "total", "15.5")
    _, rows, data = export_table(directory, "facts", "csv", None)
    assert data is not None
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert len(table) == rows
    corrected = [r for r in table if r["corrected"] == "True"]
    assert len(corrected) == 1
    assert (corrected[0]["value"], corrected[0]["original_value"]) == ("15.5", value_text(before))
    assert {r["corrected"] for r in table} == {"True", "False"}
    target, _, _ = export_table(directory, "series", "xlsx", tmp_path / "series.xlsx")
    assert target is not None and target.stat().st_size > 0
    _, _, series = export_table(directory, "series", "csv", None)
    assert series is not None and b"corrected,original_value" in series.splitlines()[0]


def test_withdrawing_restores_the_value_as_read_and_keeps_the_history(warehouse: tuple[Path, Path]) -> None:
    _, directory = warehouse
    report = report_of(directory, V2021)
    made = correct(directory, report, "req.received", "total", "15")
    withdrawn = withdraw(directory, made, user="审核员乙", reason="单位撤回")
    assert (withdrawn.withdrawn_by, withdrawn.withdraw_reason) == ("审核员乙", "单位撤回")
    values = dq.report_facts(reader(directory), report)
    assert not values["corrected"].any()
    with pytest.raises(ReviewError, match="already withdrawn"):
        withdraw(directory, made, user="审核员乙", reason="again")
    assert [c.id for c in load_snapshot(directory).corrections] == [made]


def test_a_second_correction_replaces_the_first_and_a_stale_form_is_refused(
    warehouse: tuple[Path, Path],
) -> None:
    _, directory = warehouse
    report = report_of(directory, V2021)
    key = FactKey(report, "req.received", "total")
    first = correct(directory, report, "req.received", "total", "15")
    outcome, same = add_correction(directory, key, Decimal("15"), kind="extraction", reason="again", user="x")
    assert (outcome, same.id) == ("unchanged", first)
    outcome, second = add_correction(
        directory, key, Decimal("16"), kind="extraction", reason="更正", user="乙", expected_active=first
    )
    assert outcome == "replaced" and second.replaces == first
    with pytest.raises(ConcurrentChange, match="乙 corrected this value meanwhile"):
        add_correction(
            directory, key, Decimal("17"), kind="extraction", reason="stale", user="甲", expected_active=first
        )
    snapshot = load_snapshot(directory)
    assert [(c.id, c.active) for c in snapshot.corrections] == [(first, False), (second.id, True)]


def test_bad_corrections_are_refused_with_a_reason(warehouse: tuple[Path, Path]) -> None:
    _, directory = warehouse
    report = report_of(directory, V2021)
    with pytest.raises(ReviewError, match=r"has no value req\.received\[nobody\]"):
        correct(directory, report, "req.received", "nobody", "1")
    with pytest.raises(ReviewError, match="is not in the warehouse"):
        correct(directory, "0" * 64, "req.received", "total", "1")
    with pytest.raises(ReviewError, match="needs a reason"):
        correct(directory, report, "req.received", "total", "1", reason="  ")
    with pytest.raises(ReviewError, match="who made it"):
        correct(directory, report, "req.received", "total", "1", user=" ")


def test_a_correction_survives_reingesting_the_same_file(warehouse: tuple[Path, Path]) -> None:
    reports, directory = warehouse
    report = report_of(directory, V2021)
    correct(directory, report, "req.received", "total", "15")
    summary = ingest([reports], directory)
    assert summary.count("unchanged") == len(NAMES)
    (reports / "copy.htm").write_bytes((reports / V2021).read_bytes())
    ingest([reports], directory)  # the same bytes under another name: still the same report
    values = dq.report_facts(reader(directory), report).set_index(["metric_code", "breakdown"])
    assert values.loc[("req.received", "total"), "value"] == 15
    states = dq.correction_states(reader(directory))
    assert list(states["state"]) == ["applied"]


def test_a_replaced_file_turns_its_correction_into_needs_review(warehouse: tuple[Path, Path]) -> None:
    reports, directory = warehouse
    old = report_of(directory, V2021)
    made = correct(directory, old, "req.received", "total", "15")
    path = reports / V2021
    path.write_bytes(path.read_bytes().replace(b"</body>", "<p>（修订版）</p></body>".encode()))
    summary = ingest([reports], directory)
    assert summary.count("replaced") == 1
    new = report_of(directory, V2021)
    assert new != old
    values = dq.report_facts(reader(directory), new)
    assert not values["corrected"].any()  # not applied blindly to the new version
    state = dq.correction_states(reader(directory)).iloc[0]
    assert (state["state"], state["why"], state["current_report_id"]) == ("needs_review", "replaced", new)
    carried = carry_over(directory, made, new, user="审核员甲")
    assert carried.carried_from == made and carried.report_id == new
    states = dq.correction_states(reader(directory)).set_index("id")
    assert states.loc[made, "state"] == "carried" and states.loc[carried.id, "state"] == "applied"
    values = dq.report_facts(reader(directory), new).set_index(["metric_code", "breakdown"])
    assert values.loc[("req.received", "total"), "value"] == 15


def test_a_correction_of_a_superseded_version_can_be_dismissed(warehouse: tuple[Path, Path]) -> None:
    reports, directory = warehouse
    old = report_of(directory, V2021)
    made = correct(directory, old, "req.received", "total", "15")
    text = (reports / V2021).read_bytes().replace(b"</body>", "<p>（修订版）</p></body>".encode())
    (reports / "天马街道_2021_修订.htm").write_bytes(text)  # a new file beside the old one
    ingest([reports], directory)
    new = report_of(directory, "天马街道_2021_修订.htm")
    assert query(directory, "SELECT is_current FROM reports WHERE report_id = ?", [old]) == [(False,)]
    state = dq.correction_states(reader(directory)).iloc[0]
    assert (state["state"], state["current_report_id"]) == ("needs_review", new)
    old_values = dq.report_facts(reader(directory), old).set_index(["metric_code", "breakdown"])
    assert old_values.loc[("req.received", "total"), "value"] == 15  # the old version keeps its correction
    dismiss(directory, made, new, user="审核员甲", note="新版本已改正")
    assert dq.correction_states(reader(directory)).iloc[0]["state"] == "dismissed"


def test_a_file_that_now_reads_differently_needs_review(warehouse: tuple[Path, Path]) -> None:
    _, directory = warehouse
    report = report_of(directory, V2021)
    made = correct(directory, report, "req.received", "total", "15")
    with sqlite3.connect(store.database(directory)) as db:  # as if a newer parser read the cell otherwise
        db.execute("UPDATE corrections SET original_value = '999' WHERE id = ?", [made])
    state = dq.correction_states(reader(directory)).iloc[0]
    assert (state["state"], state["why"]) == ("needs_review", "value_changed")
    assert not dq.report_facts(reader(directory), report)["corrected"].any()


def test_review_status_with_history_and_filter(warehouse: tuple[Path, Path]) -> None:
    _, directory = warehouse
    report = report_of(directory, V2021)
    with pytest.raises(ReviewError, match="needs a comment"):
        set_status(directory, report, "returned", " ", "审核员甲")
    set_status(directory, report, "returned", "表三第一项加第二项之和不等于第三项加第四项之和", "审核员甲")
    set_status(directory, report, "approved", "", "审核员乙")
    assert [e.status for e in history(directory, report)] == ["returned", "approved"]
    con = reader(directory)
    approved = dq.reports(con, ReportFilter(review=("approved",)))
    assert list(approved["report_id"]) == [report]
    assert approved.iloc[0]["reviewed_by"] == "审核员乙"
    pending = dq.reports(con, ReportFilter(review=("pending",)))
    assert report not in set(pending["report_id"]) and len(pending) == len(NAMES) - 1
    assert dq.failed_checks(con, ReportFilter(review=("returned",))).empty


def test_review_notes_hold_the_status_every_comment_and_the_corrections(
    warehouse: tuple[Path, Path],
) -> None:
    _, directory = warehouse
    report = report_of(directory, V2021)
    set_status(directory, report, "returned", "缺少第六部分", "审核员甲")
    set_status(directory, report, "approved", "", "审核员乙")
    found = review_notes(directory, [report, "0" * 64])
    assert list(found) == [report]
    notes = found[report]
    assert notes.status == "approved" and notes.status_name == "已审核"
    assert [(c.who, c.status, c.text) for c in notes.comments] == [("审核员甲", "returned", "缺少第六部分")]
    assert notes.corrections == ()


def test_edits_while_an_ingest_publishes_are_neither_lost_nor_blocked(warehouse: tuple[Path, Path]) -> None:
    """An ingest holds the writer lock for seconds; a reviewer's changes take a moment meanwhile and are
    all there (and applied) on the version it publishes."""
    _, directory = warehouse
    report = report_of(directory, V2021)
    publishing = threading.Event()

    before = require_current(directory)

    def slow(run: StoreRun) -> None:
        publishing.set()
        time.sleep(3)
        run.finish(Batch(at=datetime.now(UTC)), None)  # an ingest that changed no file, published

    writer = threading.Thread(target=lambda: publish(directory, slow))
    writer.start()
    assert publishing.wait(30)
    timings = []
    for value in ("11", "12", "13"):
        started = time.perf_counter()
        correct(directory, report, "req.received", "total", value)
        set_status(directory, report, "approved", "", "审核员甲")
        timings.append(time.perf_counter() - started)
    assert writer.is_alive(), "the ingest should still be publishing"
    writer.join()
    assert require_current(directory) != before, "the ingest published a new version"
    assert max(timings) < 1.0, timings
    values = dq.report_facts(reader(directory), report).set_index(["metric_code", "breakdown"])
    assert values.loc[("req.received", "total"), "value"] == 13
    assert len(history(directory, report)) == 3


def _reviewer(directory: str, report: str, code: str, breakdowns: list[str], who: str) -> None:
    for i, breakdown in enumerate(breakdowns):
        add_correction(
            Path(directory), FactKey(report, code, breakdown), Decimal(i + 1), kind="extraction",
            reason=f"{who} {i}", user=who,
        )  # fmt: skip


def test_two_reviewers_editing_different_reports_both_keep_their_changes(
    warehouse: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, directory = warehouse
    # An AppTest earlier in the session leaves the dashboard script as __main__, which a spawned process
    # would run again on start: give the workers a bare one.
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    first, second = report_of(directory, V2021), report_of(directory, V2019)
    breakdowns = [
        "natural_person",
        "commercial",
        "research",
        "social_org",
        "legal_service",
        "other_org",
        "total",
    ]
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_reviewer, args=(str(directory), report, code, breakdowns, who))
        for report, code, who in ((first, "req.received", "甲"), (second, "req.received", "乙"))
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    active = load_snapshot(directory).active()
    assert sorted((c.created_by, c.report_id) for c in active) == sorted(
        [("甲", first)] * len(breakdowns) + [("乙", second)] * len(breakdowns)
    )
    assert store.revision(directory) == 2 * len(breakdowns)


def test_no_review_database_means_no_overlay(tmp_path: Path, warehouse: tuple[Path, Path]) -> None:
    _, directory = warehouse
    assert not store.database(directory).exists()
    assert store.revision(directory) == 0
    con = connect(require_current(directory), read_only=True)  # nobody registered the relations
    assert not dq.report_facts(con, report_of(directory, V2021))["corrected"].any()
    filtered = replace(ReportFilter(), review=("pending",))
    assert len(dq.reports(reader(directory), filtered)) == len(NAMES)


def test_the_summary_and_the_comparison_use_the_corrected_values(warehouse: tuple[Path, Path]) -> None:
    from warehouse.documents.make import make_summary
    from warehouse.documents.summary import SummaryRequest

    _, directory = warehouse
    report = report_of(directory, V2021)
    county = query(directory, "SELECT county_code FROM reports WHERE report_id = ?", [report])[0][0]
    request = SummaryRequest(county, 2021)

    def received() -> Decimal | None:
        summary = make_summary(require_current(directory), request)
        return next(c.value for c in summary.cells if (c.code, c.breakdown) == ("req.received", "total"))

    before = received()
    correct(directory, report, "req.received", "total", "40")
    assert received() == Decimal(40) != before
