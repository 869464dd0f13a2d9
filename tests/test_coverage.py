"""The generated multi-year corpus through the warehouse: places against the truth, coverage against the
planted gaps and versions (manifest.json), planted faults flagged, harmonised series; the real report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner

from tests.conftest import IngestedCorpus, real_report
from warehouse.db import connect
from warehouse.publish import require_current
from xxgk.cli import cli
from xxgk.ingest import ingest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus(ingested_default_corpus: IngestedCorpus) -> Path:
    return ingested_default_corpus.corpus.folder


@pytest.fixture(scope="module")
def warehouse(ingested_default_corpus: IngestedCorpus) -> Path:
    return ingested_default_corpus.warehouse


@pytest.fixture(scope="module")
def manifest(corpus: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    return data


def query(directory: Path, sql: str) -> list[tuple[Any, ...]]:
    con = connect(require_current(directory), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_every_generated_report_lands_in_its_true_place(corpus: Path, warehouse: Path) -> None:
    found = query(
        warehouse, "SELECT file_name, province, city, county, is_vertical, place_status FROM reports"
    )
    assert len(found) > 400
    wrong = []
    for name, province, city, county, vertical, status in found:
        truth = json.loads((corpus / f"{name}.truth.json").read_text(encoding="utf-8"))
        if (truth["province"], truth["city"], truth["county"], truth["vertical"], "resolved") != (
            province,
            city,
            county,
            vertical,
            status,
        ):
            wrong.append(name)
    assert wrong == []


def test_coverage_shows_the_planted_gaps_and_versions(warehouse: Path, manifest: dict[str, Any]) -> None:
    missing = query(
        warehouse, "SELECT agency_id, year FROM coverage WHERE status = 'missing' AND within_span"
    )
    assert sorted(missing) == sorted((g["agency"], g["year"]) for g in manifest["gaps"])
    several = query(
        warehouse,
        "SELECT c.agency_id, c.year, c.n_versions, r.file_name FROM coverage AS c "
        "JOIN reports AS r ON r.report_id = c.current_report_id WHERE c.status = 'several_versions'",
    )
    versions = {v["file"] for v in manifest["versions"]}
    assert len(several) == len(versions)
    assert all(n == 2 for _, _, n, _ in several)
    assert {name for _, _, _, name in several} == versions  # the corrected version is current


def test_cross_checks_flag_gaps_and_versions(warehouse: Path, manifest: dict[str, Any]) -> None:
    x3 = query(
        warehouse,
        "SELECT r.agency_id, c.breakdown FROM checks AS c JOIN reports AS r USING (report_id) "
        "WHERE c.check_id = 'X3' AND c.status = 'fail'",
    )
    assert sorted(x3) == sorted((g["agency"], str(g["year"])) for g in manifest["gaps"])
    x5 = query(warehouse, "SELECT count(*) FROM checks WHERE check_id = 'X5' AND status = 'fail'")
    assert x5 == [(2 * len(manifest["versions"]),)]


def test_planted_faults_are_flagged(corpus: Path, warehouse: Path) -> None:
    failed = query(
        warehouse,
        "SELECT r.file_name, list(DISTINCT c.check_id) FROM checks AS c JOIN reports AS r USING (report_id) "
        "WHERE c.status = 'fail' GROUP BY r.file_name",
    )
    flagged = {name: set(ids) for name, ids in failed}
    planted = 0
    for truth_path in corpus.glob("*.truth.json"):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        for fault in truth["planted_faults"]:
            planted += 1
            assert fault in flagged.get(truth["file"], set()), (truth["file"], fault)
    assert planted >= 11


def test_generated_reports_pass_the_format_checks_unless_a_fault_is_planted(
    corpus: Path, warehouse: Path
) -> None:
    """F1–F6 fail exactly where the generator planted them: the sections, the 统计期限 sentence, the
    signature and the publication date of every other report are as the format asks."""
    results = query(
        warehouse,
        "SELECT r.file_name, c.check_id, c.status FROM checks AS c JOIN reports AS r USING (report_id) "
        "WHERE c.check_id LIKE 'F%'",
    )
    failed: dict[str, set[str]] = {}
    for name, check_id, status in results:
        if status == "fail":
            failed.setdefault(name, set()).add(check_id)
    assert {check for _, check, status in results if status == "pass"} == {"F1", "F2", "F3", "F4", "F5", "F6"}
    for truth_path in corpus.glob("*.truth.json"):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        if truth["expect"] != "loaded":
            continue
        planted = {f for f in truth["planted_faults"] if f.startswith("F")}
        assert failed.get(truth["file"], set()) == planted, truth["file"]


def test_series_are_harmonised_and_current_only(warehouse: Path) -> None:
    groups = dict(
        query(
            warehouse,
            "SELECT comparable_group, count(*) FROM series WHERE series_code = 'requests.received' GROUP BY ALL",
        )
    )
    assert groups.keys() == {"old", "new"}
    mismatched = query(
        warehouse,
        "SELECT count(*) FROM series AS s JOIN facts AS f ON f.report_id = s.report_id "
        "AND f.metric_code = 'req.received' AND f.breakdown = 'total' "
        "WHERE s.series_code = 'requests.received' AND s.value IS DISTINCT FROM f.value",
    )
    assert mismatched == [(0,)]
    stale = query(
        warehouse,
        "SELECT count(*) FROM series WHERE report_id IN (SELECT report_id FROM reports WHERE NOT is_current)",
    )
    assert stale == [(0,)]
    split = query(
        warehouse,
        "SELECT DISTINCT comparable_group FROM series WHERE series_code LIKE 'docs.normative.%' ORDER BY 1",
    )
    assert split == [("old",), ("v2019_table2",), ("v2021_table2",)]


def test_checks_command_and_coverage_export(warehouse: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["checks", "--warehouse", str(warehouse)])
    assert result.exit_code == 0, result.output
    assert "X3" in result.output and "X5" in result.output
    out = tmp_path / "coverage.csv"
    result = runner.invoke(cli, ["export", "coverage", "--warehouse", str(warehouse), "--out", str(out)])
    assert result.exit_code == 0, result.output
    header = out.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    for column in (
        "agency_id",
        "agency_name",
        "place_code",
        "year",
        "status",
        "n_versions",
        "current_report_id",
    ):
        assert column in header
    checks = tmp_path / "checks.csv"
    runner.invoke(cli, ["export", "checks", "--warehouse", str(warehouse), "--out", str(checks)])
    header = checks.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    for column in (
        "source_file",
        "agency",
        "year",
        "check_id",
        "severity",
        "status",
        "expected",
        "actual",
        "message",
    ):
        assert column in header


def test_real_report_places_and_t2(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copy(real_report("龙游县招商投资促进中心_2021.txt"), inbox)
    ingest([inbox], tmp_path / "wh")
    row = query(
        tmp_path / "wh",
        "SELECT r.province, r.city, r.county, r.place_code, r.agency_kind, r.agency_level, r.scope, "
        "c.status, c.expected, c.actual FROM reports AS r JOIN checks AS c USING (report_id) "
        "WHERE c.check_id = 'T2'",
    )
    assert row == [("浙江省", "衢州市", "龙游县", "330825", "department", "county", "own", "fail", 122, 132)]


def test_overrides_file_applies_to_loaded_reports(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "r.txt").write_bytes(real_report("龙游县招商投资促进中心_2021.txt").read_bytes())
    wh = tmp_path / "wh"
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", str(inbox), "--warehouse", str(wh)]).exit_code == 0
    overrides = tmp_path / "o.csv"
    overrides.write_text("agency,code\n龙游县招商投资促进中心,330800\n", encoding="utf-8")
    result = runner.invoke(
        cli, ["ingest", str(inbox), "--warehouse", str(wh), "--places-overrides", str(overrides)]
    )
    assert result.exit_code == 0, result.output
    assert query(wh, "SELECT place_code, place_status, county FROM reports") == [("330800", "override", None)]
    assert (wh / "places_overrides.csv").exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("agency,code\nX,12\n", encoding="utf-8")
    assert (
        runner.invoke(
            cli, ["ingest", str(inbox), "--warehouse", str(wh), "--places-overrides", str(bad)]
        ).exit_code
        == 2
    )


def test_aliases_file_renames_the_agency_id(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copy(real_report("龙游县招商投资促进中心_2021.txt"), inbox)
    aliases = tmp_path / "a.csv"
    aliases.write_text("alias,canonical\n龙游县招商投资促进中心,龙游县投资促进中心\n", encoding="utf-8")
    wh = tmp_path / "wh"
    result = CliRunner().invoke(
        cli, ["ingest", str(inbox), "--warehouse", str(wh), "--aliases", str(aliases)]
    )
    assert result.exit_code == 0, result.output
    assert query(wh, "SELECT agency_id, aliases FROM agencies") == [
        ("龙游县投资促进中心", "龙游县招商投资促进中心")
    ]


def test_duckdb_reads_views_read_only(warehouse: Path) -> None:
    con = duckdb.connect(str(require_current(warehouse)), read_only=True)
    try:
        for view in ("agencies", "coverage", "series"):
            assert con.execute(f"SELECT count(*) FROM {view}").fetchone() != (0,)
    finally:
        con.close()
