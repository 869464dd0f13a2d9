"""`xxgk collect` against a local replica of the site families and their hazards (xxgk/replica).

The replica runs are in the slow lane (about 90 s together); `tests/test_collect_units.py` covers the pure parts."""

from __future__ import annotations

import csv
import itertools
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from etl.collect import CollectSettings, CollectSummary, collect
from etl.collect.frontier import STATE_DIR
from xxgk.cli import cli
from xxgk.replica import NOT_REPORT, Replica
from xxgk.samples.office import can_print_pdf

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
SETTINGS = CollectSettings(delay=0.02, jitter=0.1, timeout=1.0, backoff=0.1, retries=2)
FINAL = ("saved", "duplicate", "not_a_report", "robots_disallowed")


@pytest.fixture(scope="session")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from xxgk.samples import generate_corpus

    directory = tmp_path_factory.mktemp("replica_samples")
    generate_corpus(directory, n_agencies=8)
    return directory


@pytest.fixture
def replica(samples: Path) -> Iterator[Replica]:
    with Replica.start(samples) as running:
        yield running


def manifest(out: Path) -> list[dict[str, str]]:
    with (out / "manifest.csv").open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def saved_ids(replica: Replica, rows: list[dict[str, str]]) -> Counter[str]:
    return Counter(replica.served(row["url"]) for row in rows if row["status"] == "saved")


def downloads(replica: Replica) -> Counter[tuple[str, str, str]]:
    """Complete 200 answers with a body, per site, method + path and form."""
    return Counter(
        (hit.site, f"{hit.method} {hit.path}", repr(sorted(hit.form.items())))
        for hit in replica.log.hits
        if hit.status == 200 and hit.body_bytes and not hit.killed
    )


@pytest.fixture(scope="module")
def first_run(
    samples: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Replica, Path, CollectSummary]]:
    """One collection shared by the tests that only read what it did."""
    with Replica.start(samples) as running:
        out = tmp_path_factory.mktemp("first_run") / "collected"
        yield running, out, collect(running.seeds(), out, SETTINGS)


@pytest.fixture
def own_run(replica: Replica, tmp_path: Path) -> tuple[Replica, Path, CollectSummary]:
    out = tmp_path / "collected"
    return replica, out, collect(replica.seeds(), out, SETTINGS)


@pytest.mark.slow
def test_every_report_saved_once_and_nothing_else_kept(
    first_run: tuple[Replica, Path, CollectSummary],
) -> None:
    replica, out, summary = first_run
    rows = manifest(out)
    found = saved_ids(replica, rows)
    assert set(found) == replica.expect.expected, (
        replica.expect.expected - set(found),
        set(found) - replica.expect.expected,
    )
    assert all(count == 1 for count in found.values()), [k for k, v in found.items() if v > 1]
    assert NOT_REPORT not in found and "" not in found
    assert not set(found) & replica.expect.unreachable
    kept = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and STATE_DIR not in p.parts}
    assert kept == {row["path"] for row in rows if row["status"] == "saved"} | {"manifest.csv"}
    assert len(summary.saved) == len(replica.expect.expected)
    for row in rows:
        if row["status"] == "not_a_report":
            assert replica.served(row["url"]) == NOT_REPORT, row
    assert summary.exit_code == 1  # the challenge pages and broken links are blocked / failed


@pytest.mark.slow
def test_politeness(first_run: tuple[Replica, Path, CollectSummary]) -> None:
    replica, _, _ = first_run
    hits = replica.log.hits
    for site, prefix in replica.expect.disallowed:
        assert not [h.path for h in hits if h.site == site and h.path.startswith(prefix)], prefix
    assert max(replica.log.max_in_flight.values()) == 1
    assert all("xxgk/" in h.headers.get("user-agent", "") for h in hits)
    by_site: dict[str, list[float]] = {}
    for hit in sorted(hits, key=lambda h: h.started):
        by_site.setdefault(hit.site, []).append(hit.started)
    for site, starts in by_site.items():
        gaps = [b - a for a, b in itertools.pairwise(starts)]
        assert min(gaps, default=1.0) >= SETTINGS.delay * (1 - SETTINGS.jitter) * 0.9, site
    # robots.txt is read before anything else on each host
    for site in by_site:
        first = min((h for h in hits if h.site == site), key=lambda h: h.started)
        assert first.path == "/robots.txt", site


@pytest.mark.slow
def test_the_retry_after_wait_is_honoured(first_run: tuple[Replica, Path, CollectSummary]) -> None:
    replica, _, _ = first_run
    _, path, _ = replica.expect.hazards["retry_after"]
    hits = sorted((h for h in replica.log.hits if h.path == path), key=lambda h: h.started)
    assert [h.status for h in hits] == [429, 200]
    assert hits[1].started - hits[0].ended >= 1.0
    _, slow_path, _ = replica.expect.hazards["slow"]
    slow = sorted((h for h in replica.log.hits if h.path == slow_path), key=lambda h: h.started)
    assert (
        len(slow) == 2 and slow[1].started >= slow[0].ended
    )  # the server finished before it was asked again
    later = [h for h in replica.log.hits if h.site == "trs" and h.started > slow[0].started]
    assert min(h.started for h in later) - slow[0].started >= 2 * SETTINGS.timeout * 0.95


@pytest.mark.slow
def test_every_hazard_is_recorded(first_run: tuple[Replica, Path, CollectSummary]) -> None:
    replica, out, _ = first_run
    rows = manifest(out)
    by_path = {replica.locate(row["url"]): row for row in rows}
    requested = {(h.site, h.path) for h in replica.log.hits}
    for name, (site, path, status) in replica.expect.hazards.items():
        if status == "never":
            assert (site, path) not in requested, name
        elif name == "duplicate_page":  # which copy is met first depends on the paging order
            report = replica.served(replica.url(site, path))
            statuses = sorted(row["status"] for row in rows if replica.served(row["url"]) == report)
            assert statuses == ["duplicate", "saved"], statuses
        elif status == "listed":
            assert any(h.status == 302 for h in replica.log.hits if h.path == path), name
        else:
            assert by_path[(site, path)]["status"] == status, (name, by_path[(site, path)])
    problems = [row for row in rows if row["status"] in ("blocked", "failed", "robots_disallowed")]
    assert problems and all(row["reason"] for row in problems)
    reasons = " ".join(row["reason"] for row in problems)
    for phrase in (
        "$_ts",
        "X-Via-JSL",
        "Just a moment",
        "HTTP 404",
        "soft 404",
        "HTML page instead",
        "robots.txt",
        "refused",
    ):
        assert phrase in reasons, phrase


@pytest.mark.slow
def test_readable_names_and_evidence(first_run: tuple[Replica, Path, CollectSummary]) -> None:
    replica, out, _ = first_run
    rows = [row for row in manifest(out) if row["status"] == "saved"]
    for row in rows:
        assert row["sha256"] and row["published"] and row["title"], row
        name = Path(row["path"]).name
        assert "政府信息公开" in name and not name.startswith(("P0", "W0")), name
    gbk = replica.url(*replica.expect.hazards["gbk_filename"][:2])
    named = next(row for row in rows if row["url"] == gbk)  # its only name: GBK bytes in Content-Disposition
    assert Path(named["path"]).stem == named["title"]
    printed = "pdf" if can_print_pdf() else "docx"  # without LibreOffice the PDFs are written as DOCX
    assert {row["content_type"] for row in rows} >= {"html", printed}


@pytest.mark.slow
def test_a_second_run_asks_only_for_what_may_be_new(own_run: tuple[Replica, Path, CollectSummary]) -> None:
    replica, out, _ = own_run
    before = manifest(out)
    settled = {replica.locate(row["url"]) for row in before if row["status"] in FINAL}
    count = len(replica.log.hits)
    second = collect(replica.seeds(), out, SETTINGS)
    later = replica.log.hits[count:]
    assert not [h.path for h in later if (h.site, h.path) in settled and h.path != "/robots.txt"]
    assert second.total("reports") == 0 and second.not_modified >= 5
    assert not [
        h
        for h in later
        if h.status == 200
        and "/robots.txt" not in h.path
        and (h.site, h.path) not in _retried(replica, before)
    ]
    assert manifest(out) == before or {r["url"] for r in manifest(out)} == {r["url"] for r in before}


def _retried(replica: Replica, rows: list[dict[str, str]]) -> set[tuple[str, str]]:
    return {replica.locate(row["url"]) for row in rows if row["status"] in ("failed", "blocked")}


@pytest.mark.slow
def test_kill_9_and_restart_downloads_nothing_twice(replica: Replica, tmp_path: Path) -> None:
    seeds = replica.write_seeds(tmp_path / "seeds.csv")
    out = tmp_path / "collected"
    code = (
        "import sys; from pathlib import Path; from etl.collect import collect, read_seeds, CollectSettings;"
        "collect(read_seeds(Path(sys.argv[1])), Path(sys.argv[2]),"
        " CollectSettings(delay=0.02, jitter=0.1, timeout=1.0, backoff=0.1, retries=2))"
    )
    command = [sys.executable, "-c", code, str(seeds), str(out)]
    process = subprocess.Popen(command)
    arrived = {"n": 0}

    def kill(site: str, path: str) -> bool:
        arrived["n"] += 1
        if arrived["n"] == 45:
            os.kill(process.pid, signal.SIGKILL)
            return True
        return False

    replica.log.kill = kill
    assert process.wait(timeout=120) == -signal.SIGKILL
    replica.log.kill = None
    assert subprocess.run(command, timeout=180).returncode == 0
    repeated = [key for key, n in downloads(replica).items() if n > 1]
    assert not repeated
    found = saved_ids(replica, manifest(out))
    assert set(found) == replica.expect.expected and all(n == 1 for n in found.values())


@pytest.mark.slow
def test_collect_command_into_a_warehouse(
    replica: Replica, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds = replica.write_seeds(tmp_path / "seeds.csv")
    out, warehouse = tmp_path / "collected", tmp_path / "data"
    args = [
        "collect",
        "--from",
        str(seeds),
        "--out",
        str(out),
        "--warehouse",
        str(warehouse),
        "--delay",
        "0.02",
        "--timeout",
        "1",
        "--retries",
        "1",
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output  # blocked and failed items
    assert "blocked" in result.output and "manifest" in result.output
    from warehouse.db import connect
    from warehouse.publish import require_current

    con = connect(require_current(warehouse), read_only=True)
    try:
        loaded = con.execute("SELECT source_file, source_url, published FROM reports").fetchall()
    finally:
        con.close()
    saved = {row["path"]: row for row in manifest(out) if row["status"] == "saved"}
    by_path = {
        Path(source).relative_to(out.resolve()).as_posix(): (url, published)
        for source, url, published in loaded
    }
    assert set(by_path) == set(saved)
    for path, (url, published) in by_path.items():
        assert url == saved[path]["url"]
        assert published and published[:10] == saved[path]["published"][:10]
    # the dashboard's report page links the original
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("XXGK_WAREHOUSE", str(warehouse))
    source, url, _ = next(row for row in loaded if row[1])
    con = connect(require_current(warehouse), read_only=True)
    try:
        ((report_id,),) = con.execute(
            "SELECT report_id FROM reports WHERE source_file = ?", [source]
        ).fetchall()
    finally:
        con.close()
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["report"] = report_id
    at.switch_page("views/report.py")
    at.run()
    assert not at.exception
    assert any(f"]({url})" in element.value and "原文链接" in element.value for element in at.markdown)


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["collect", "--out", str(tmp_path)]).exit_code == 2
    assert runner.invoke(cli, ["collect", "ftp://x.gov.cn/", "--out", str(tmp_path)]).exit_code == 2
    bad = tmp_path / "seeds.csv"
    bad.write_text("url,agency,place_code\nhttp://a.gov.cn/,甲,12\n", encoding="utf-8")
    result = runner.invoke(cli, ["collect", "--from", str(bad), "--out", str(tmp_path)])
    assert result.exit_code == 2 and "place_code" in result.output


@pytest.mark.slow
def test_article_and_file_seeds_stay_saved_on_a_later_run(replica: Replica, tmp_path: Path) -> None:
    from etl.collect import Seed

    article = next(
        path
        for (site, path), rid in replica.expect.served.items()
        if site == "generic" and rid != NOT_REPORT and path.endswith(".html") and "secret" not in path
    )
    document = next(
        path
        for (site, path), rid in replica.expect.served.items()
        if site == "generic" and path.endswith((".pdf", ".docx"))
    )
    seeds = [Seed(replica.url("generic", article), "甲县"), Seed(replica.url("generic", document), "甲县")]
    out = tmp_path / "collected"
    first = collect(seeds, out, SETTINGS)
    count = len(replica.log.hits)
    second = collect(seeds, out, SETTINGS)
    assert first.total("reports") == 2 and second.total("reports") == 2 and second.total("duplicates") == 0
    later = [h for h in replica.log.hits[count:] if h.path != "/robots.txt"]
    assert [h.status for h in later] == [304, 304]
    assert sorted(row["status"] for row in manifest(out)) == ["saved", "saved"]
