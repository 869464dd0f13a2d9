"""The browser import's use case (xxgk/workbench.py) without a browser: uploads and 年报 URLs end as
results per file, through the same ingest as the command line."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from etl.collect import CollectSettings
from tests.review_helpers import FIXTURES, query
from xxgk.replica import Replica
from xxgk.workbench import ImportJob, ImportRequest, parse_urls, run_import

SETTINGS = CollectSettings(delay=0.02, jitter=0.1, timeout=1.0, backoff=0.1, retries=1)


def test_urls_one_per_line() -> None:
    good, problems = parse_urls("http://a.gov.cn/col/1.html\n\n# note\nftp://x\nhttp://a.gov.cn/col/1.html\n")
    assert good == ["http://a.gov.cn/col/1.html"]
    assert problems == ["'ftp://x' is not an http(s) URL"]


@pytest.mark.slow
def test_an_import_says_what_became_of_each_file(tmp_path: Path) -> None:
    directory = tmp_path / "data"
    name = "江山市交通运输局_2021.txt"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as handle:
        handle.writestr("县/衢州市财政局_2019.shtml", (FIXTURES / "衢州市财政局_2019.shtml").read_bytes())
        handle.writestr("县/不是年报.txt", "关于做好2023年度政府信息公开工作年度报告编制工作的通知".encode())
    uploads = ((name, (FIXTURES / name).read_bytes()), ("县.zip", buffer.getvalue()), ("x.exe", b"MZ"))
    job = ImportJob(user="甲")
    run_import(job, directory, ImportRequest(uploads=uploads))
    view = job.view()
    assert view.phase == "done", view.message
    found = {r.shown: (r.status, r.agency, r.year) for r in view.results}
    assert found[name] == ("loaded", "江山市交通运输局", 2021)
    assert found["县.zip ▸ 县/衢州市财政局_2019.shtml"] == ("loaded", "衢州市财政局", 2019)
    assert found["县.zip ▸ 县/不是年报.txt"][0] in ("rejected", "error")
    assert found["x.exe"] == ("refused", None, None)
    ids = {r.report_id for r in view.results if r.status == "loaded"}
    assert ids == {row[0] for row in query(directory, "SELECT report_id FROM reports")}
    again = ImportJob(user="乙")
    run_import(again, directory, ImportRequest(uploads=uploads[:1]))
    assert [(r.status, r.report_id in ids) for r in again.view().results] == [("unchanged", True)]


@pytest.fixture
def replica(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replica]:
    from xxgk.samples import generate_corpus

    samples = tmp_path_factory.mktemp("replica_samples")
    generate_corpus(samples, n_agencies=8)
    with Replica.start(samples) as running:
        yield running


@pytest.mark.slow
def test_column_urls_are_collected_and_ingested(replica: Replica, tmp_path: Path) -> None:
    directory = tmp_path / "data"
    seeds = [s.url for s in replica.seeds()]
    job = ImportJob(user="甲")
    run_import(job, directory, ImportRequest(urls=tuple(seeds), collect_settings=SETTINGS))
    view = job.view()
    assert view.phase == "done", view.message
    loaded = [r for r in view.results if r.status == "loaded"]
    assert loaded and all(r.report_id and r.agency for r in loaded)
    assert (directory / "uploads" / "collected" / "manifest.csv").is_file()
    problems = [r for r in view.results if r.status == "error" and r.shown.startswith("http")]
    assert any("failed" in r.reason for r in problems)  # the replica's dead host, with its reason
    urls = {row[0] for row in query(directory, "SELECT source_url FROM reports WHERE source_url IS NOT NULL")}
    assert urls, "the collector's manifest gives each report its URL"
