"""The full build's driver (docs/scale.md §5, the full build, driver and tail): a first build hashes no
file before its workers parse, and the part writer stages documents without a key; both store what
was stored before."""

from __future__ import annotations

from pathlib import Path

import pytest

from warehouse.db import connect
from warehouse.load import empty_state
from warehouse.publish import current_version
from warehouse.store import parts as parts_module
from xxgk import ingest as ingest_module
from xxgk.ingest import ingest
from xxgk.parsing import file_hash
from xxgk.samples.corpus import generate_corpus

QUERIES = {
    "reports": "SELECT * EXCLUDE (ingested_at) FROM reports",
    "facts": "SELECT * FROM facts",
    "checks": "SELECT * FROM checks",
    "report_series": "SELECT * FROM report_series",
    "coverage": "SELECT * FROM coverage",
    "agencies": "SELECT * FROM agencies",
    "documents": "SELECT * FROM documents",
    "sources": "SELECT path, report_id FROM sources",
    "errors": "SELECT source_file, content_hash, kind, reason FROM ingest_errors",
}


def _stored(directory: Path) -> dict[str, list[tuple[object, ...]]]:
    version = current_version(directory)
    assert version is not None
    con = connect(version, read_only=True)
    try:
        return {name: sorted(con.execute(sql).fetchall(), key=repr) for name, sql in QUERIES.items()}
    finally:
        con.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("full_build_corpus")
    generate_corpus(base, n_agencies=3, years=range(2019, 2023), include_bad=True)
    big = base / "too_big.html"  # over MAX_FILE_BYTES: refused when opened, never read (sparse)
    with big.open("wb") as handle:
        handle.truncate(201 << 20)
    return base


def test_a_first_build_hashes_no_file_before_parsing(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """…and stores the same reports, sources and errors (their content hashes included) as a build whose
    files were hashed first; a file that cannot be read gets the same outcome."""
    monkeypatch.setattr(ingest_module, "CHUNK", 2)  # a bulk run: more files than a chunk
    hashed: list[int] = []
    real = ingest_module._hashes

    def hashes(files: list[Path]) -> object:
        hashed.append(len(files))
        return real(files)

    monkeypatch.setattr(ingest_module, "_hashes", hashes)
    first = ingest([corpus], tmp_path / "first", jobs=2)
    assert hashed == []

    def planned(files: list[Path]) -> ingest_module._Plan:  # as before: every file hashed, then planned
        return ingest_module._plan(real(files), empty_state())

    monkeypatch.setattr(ingest_module, "_first_plan", planned)
    before = ingest([corpus], tmp_path / "hashed", jobs=2)
    outcomes = [sorted((o.path, o.status, o.reason) for o in s.outcomes) for s in (first, before)]
    assert outcomes[0] == outcomes[1]
    assert any(status == "error" and "MAX_FILE_BYTES" in reason for _, status, reason in outcomes[0])
    assert _stored(tmp_path / "first") == _stored(tmp_path / "hashed")

    ingest([corpus], tmp_path / "first")  # a second run hashes, and finds every file unchanged
    assert hashed == [len(ingest_module.discover([corpus]).files)]


def test_a_file_that_kills_its_worker_keeps_its_hash_in_a_first_build(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure the worker could not tell a hash for (it died) is recorded with the file's hash, as when
    the driver hashed every file first."""
    from xxgk.parsing import Failure, Parsed

    monkeypatch.setattr(ingest_module, "CHUNK", 1)  # a bulk run: more files than a chunk
    good = sorted(p for p in corpus.rglob("*.html") if "bad" not in p.parts and p.stat().st_size < 1 << 20)
    victim, other = good[:2]
    real = ingest_module.parse_isolated

    def parse(jobs: object, **kwargs: object) -> object:
        for parsed in real(jobs, **kwargs):  # type: ignore[arg-type]
            if parsed.path == str(victim):
                yield Parsed(parsed.path, "", 0, Failure("error", "worker died (simulated)"))
            else:
                yield parsed

    monkeypatch.setattr(ingest_module, "parse_isolated", parse)
    ingest([victim, other], tmp_path / "wh")
    errors = _stored(tmp_path / "wh")["errors"]
    assert errors == [(str(victim), file_hash(victim), "error", "worker died (simulated)")]


def test_the_part_writer_stages_documents_without_a_key(tmp_path: Path) -> None:
    writer = parts_module.PartWriter(tmp_path, "run")
    try:
        con = writer.con
        found = con.execute(
            "SELECT constraint_type FROM duckdb_constraints() WHERE schema_name = ? AND table_name = ?",
            [parts_module.STAGING, "documents"],
        ).fetchall()
        assert sorted(t for (t,) in found) == ["NOT NULL", "NOT NULL"]
        keyed = con.execute(
            "SELECT count(*) FROM duckdb_constraints() WHERE schema_name = ? AND table_name = 'reports' "
            "AND constraint_type = 'PRIMARY KEY'",
            [parts_module.STAGING],
        ).fetchall()
        assert keyed == [(1,)]
    finally:
        writer.close()
