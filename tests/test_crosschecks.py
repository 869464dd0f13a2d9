"""Cross-report checks X1–X5 on a small warehouse built in code: each with a passing and a failing case,
recomputed when a report is added."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import duckdb
import pytest

from warehouse.db import apply_schema, connect
from warehouse.load import Batch, apply_batch

AT = datetime(2026, 1, 1)
TABLE = {f"v2021.licensing.decisions|{i}": i for i in range(1, 8)}


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(None)
    apply_schema(connection)
    yield connection
    connection.close()


def add(
    con: duckdb.DuckDBPyConnection,
    name: str,
    agency: str,
    year: int,
    facts: dict[str, float | None],
    template: str = "v2021",
    published: str | None = None,
) -> None:
    """A report row and its facts; keys are 'metric|breakdown' (breakdown '' when absent)."""
    con.execute(
        "INSERT INTO reports (report_id, source_file, file_name, format, template, agency, year, published, "
        "is_current, ingested_at) VALUES (?, ?, ?, 'html', ?, ?, ?, ?, true, ?)",
        [name, f"/in/{name}.html", f"{name}.html", template, agency, year, published, AT],
    )
    for key, value in facts.items():
        code, _, breakdown = key.partition("|")
        con.execute(
            "INSERT INTO facts (report_id, metric_code, breakdown, value, value_raw, semantic, confidence) "
            "VALUES (?, ?, ?, ?, ?, ?, 'exact')",
            [
                name,
                code,
                breakdown,
                value,
                "" if value is None else str(value),
                "blank" if value is None else "number",
            ],
        )
    con.execute("INSERT INTO sources VALUES (?, ?, ?)", [f"/in/{name}.html", name, AT])


def refresh(con: duckdb.DuckDBPyConnection) -> None:
    apply_batch(con, Batch(at=AT))


def rows(con: duckdb.DuckDBPyConnection, check_id: str) -> list[tuple[str, str, str]]:
    return con.execute(
        "SELECT report_id, status, breakdown FROM checks WHERE check_id = ? ORDER BY report_id, breakdown",
        [check_id],
    ).fetchall()


def test_x1_carry_over_between_years(con: duckdb.DuckDBPyConnection) -> None:
    add(con, "a2020", "龙游县教育局", 2020, {"req.carried_out|total": 3})
    add(con, "a2021", "龙游县教育局", 2021, {"req.carried_in|total": 3})
    add(con, "b2020", "龙游县财政局", 2020, {"req.carried_out|total": 2})
    add(con, "b2021", "龙游县财政局", 2021, {"req.carried_in|total": 0})
    refresh(con)
    assert rows(con, "X1") == [("a2021", "pass", "total"), ("b2021", "fail", "total")]
    message = con.execute(
        "SELECT message, message_zh, cells FROM checks WHERE check_id = 'X1' AND status = 'fail'"
    ).fetchone()
    assert message == (
        "2021 carried in 0; 2020 carried over 2",
        "2021年“上年结转”为0，2020年“结转下年度继续办理”为2",
        "req.carried_in|total",
    )


def test_x2_documents_in_force(con: duckdb.DuckDBPyConnection) -> None:
    def docs(in_force: int, issued: int, repealed: int) -> dict[str, float | None]:
        return {
            "v2021.normative_docs.in_force": in_force,
            "v2021.normative_docs.issued": issued,
            "v2021.normative_docs.repealed": repealed,
        }

    add(con, "a2021", "龙游县教育局", 2021, docs(10, 0, 0))
    add(con, "a2022", "龙游县教育局", 2022, docs(12, 3, 1))
    add(con, "a2023", "龙游县教育局", 2023, docs(20, 1, 0))
    refresh(con)
    found = {(r, s) for r, s, b in rows(con, "X2") if b == "normative_docs"}
    assert found == {("a2022", "pass"), ("a2023", "fail")}
    assert {s for _, s, b in rows(con, "X2") if b == "regulations"} == {"not_assessable"}


def test_x3_missing_year_found_and_settled_by_a_new_report(con: duckdb.DuckDBPyConnection) -> None:
    add(con, "a2019", "龙游县教育局", 2019, {})
    add(con, "a2021", "龙游县教育局", 2021, {})
    add(con, "b2019", "龙游县财政局", 2019, {})
    add(con, "b2020", "龙游县财政局", 2020, {})
    refresh(con)
    assert rows(con, "X3") == [("a2021", "fail", "2020"), ("b2020", "pass", "")]
    add(con, "a2020", "龙游县教育局", 2020, {})
    refresh(con)
    assert ("a2021", "pass", "") in rows(con, "X3")
    assert not [r for r in rows(con, "X3") if r[1] == "fail"]


def test_x4_identical_tables_of_two_agencies(con: duckdb.DuckDBPyConnection) -> None:
    add(con, "a", "龙游县教育局", 2021, TABLE)
    add(con, "b", "龙游县财政局", 2021, TABLE)
    add(con, "c", "龙游县民政局", 2021, {**TABLE, "v2021.licensing.decisions|1": 99})
    add(con, "d", "龙游县水利局", 2021, {"v2021.licensing.decisions|1": 0})
    refresh(con)
    assert rows(con, "X4") == [
        ("a", "fail", ""),
        ("b", "fail", ""),
        ("c", "pass", ""),
        ("d", "not_assessable", ""),
    ]
    message = con.execute(
        "SELECT message_zh FROM checks WHERE check_id = 'X4' AND report_id = 'a'"
    ).fetchone()
    assert message is not None and "龙游县财政局完全相同" in message[0]


def test_x5_versions_of_one_report(con: duckdb.DuckDBPyConnection) -> None:
    add(con, "a1", "龙游县教育局", 2021, {}, published="2022-01-20")
    add(con, "a2", "龙游县教育局", 2021, {}, published="2022-02-01")
    add(con, "b", "龙游县财政局", 2021, {})
    refresh(con)
    assert rows(con, "X5") == [
        ("a1", "fail", "superseded"),
        ("a2", "fail", "current"),
        ("b", "pass", "current"),
    ]
    current = con.execute(
        "SELECT report_id FROM reports WHERE is_current AND agency_id = '龙游县教育局'"
    ).fetchall()
    assert current == [("a2",)]


def test_name_variants_are_one_agency_across_years(con: duckdb.DuckDBPyConnection) -> None:
    add(con, "a2019", "龙游县政府办", 2019, {})
    add(con, "a2020", "龙游县人民政府办公室", 2020, {})
    refresh(con)
    assert rows(con, "X3") == [("a2020", "pass", "")]
    agency = con.execute("SELECT agency_id, aliases, n_reports, agency_kind FROM agencies").fetchall()
    assert agency == [("龙游县人民政府办公室", "龙游县人民政府办公室;龙游县政府办", 2, "government_office")]


def test_checks_failed_counts_cross_checks(con: duckdb.DuckDBPyConnection) -> None:
    add(con, "a2019", "龙游县教育局", 2019, {})
    add(con, "a2021", "龙游县教育局", 2021, {})
    refresh(con)
    assert con.execute("SELECT checks_failed FROM reports WHERE report_id = 'a2021'").fetchall() == [(1,)]


def test_current_version_is_the_later_published_then_the_more_complete(
    con: duckdb.DuckDBPyConnection,
) -> None:
    add(con, "text", "平潭综合实验区", 2021, {}, published="2022-02-08 16:34")
    add(con, "html", "平潭综合实验区", 2021, {}, published="2022-02-08")
    con.execute("UPDATE reports SET found_cells = CASE report_id WHEN 'html' THEN 200 ELSE 197 END")
    add(con, "fix", "龙游县教育局", 2021, {}, published="2022-03-01")
    add(con, "first", "龙游县教育局", 2021, {}, published="2022-01-20")
    refresh(con)
    current = con.execute("SELECT report_id FROM reports WHERE is_current ORDER BY 1").fetchall()
    assert current == [("fix",), ("html",)]
