"""A bulk run's last segment kept small (warehouse/store/parts.py `LAST_REPORTS`): it is written after the
last file, with the parse workers idle, so the segment before it is flushed early; what is stored is the
same."""

from __future__ import annotations

from pathlib import Path

import pyarrow  # noqa: F401  (loaded, as in a bulk run: the rows are held as Arrow)
import pytest

from tests.test_full_build import _stored
from tests.test_held_rows import AT, renamed_rows
from warehouse.packed import pack_rows
from warehouse.rows import ReportRows
from warehouse.store import parts
from xxgk import ingest as ingest_module
from xxgk.ingest import ingest
from xxgk.parsing import Job, parse_one
from xxgk.samples.corpus import generate_corpus

FIXTURE = Path(__file__).parent / "fixtures" / "reports" / "江山市交通运输局_2021.txt"


def _segments(tmp_path: Path, reports: int, expected: int | None) -> list[int]:
    """The reports of each segment a writer writes for `reports` reports added one at a time; a run told
    to expect more than a segment writes every segment's parts with the same Parquet schemas."""
    rows = parse_one(Job(str(FIXTURE), rows=True)).result
    assert isinstance(rows, ReportRows)
    writer = parts.PartWriter(tmp_path, "run")
    try:
        if expected is not None:
            writer.expect(expected)
        for n in range(reports):
            writer.add([pack_rows(renamed_rows(rows, n))], AT)
        writer.flush(last=True)
        if expected is not None and expected > parts.FLUSH_REPORTS:
            for relation in ("reports_parsed", "facts", "checks"):
                assert (
                    len({_schema(writer, tmp_path / p.file) for p in writer.parts if p.relation == relation})
                    == 1
                )
        return [p.rows for p in writer.parts if p.relation == "reports_parsed"]
    finally:
        writer.close()


def _schema(writer: parts.PartWriter, file: Path) -> tuple[object, ...]:
    """A Parquet file's columns with their types and repetition (REQUIRED or OPTIONAL)."""
    return tuple(
        writer.con.execute(f"SELECT name, type, repetition_type FROM parquet_schema('{file}')").fetchall()
    )


def test_a_writer_told_what_to_expect_flushes_early_for_a_small_last_segment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parts, "FLUSH_REPORTS", 4)
    monkeypatch.setattr(parts, "LAST_REPORTS", 2)
    assert _segments(tmp_path / "told", 9, 9) == [4, 3, 2]
    assert _segments(tmp_path / "untold", 9, None) == [4, 4, 1]
    assert _segments(tmp_path / "fewer", 8, 9) == [4, 3, 1]  # a file that failed: the last is smaller still
    assert _segments(tmp_path / "one segment", 4, 4) == [4]  # a run of one segment is not split


def test_an_ingest_keeps_its_last_segment_small_and_stores_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    generate_corpus(corpus, n_agencies=3, years=range(2019, 2023))
    monkeypatch.setattr(ingest_module, "CHUNK", 1)  # a bulk run, its reports added one at a time
    monkeypatch.setattr(parts, "FLUSH_REPORTS", 4)
    flushed: list[int] = []
    real = parts.PartWriter.flush

    def flush(self: parts.PartWriter, *, last: bool = False) -> None:
        if self.pending:
            flushed.append(self.pending)
        real(self, last=last)

    monkeypatch.setattr(parts.PartWriter, "flush", flush)
    monkeypatch.setattr(parts, "LAST_REPORTS", 0)  # as before: the last segment is what is left
    ingest([corpus], tmp_path / "before", jobs=2)
    before, flushed_before = _stored(tmp_path / "before"), list(flushed)
    flushed.clear()
    monkeypatch.setattr(parts, "LAST_REPORTS", 2)
    ingest([corpus], tmp_path / "after", jobs=2)
    assert sum(flushed) == sum(flushed_before) > 8
    assert flushed_before[-1] > 2, flushed_before  # the corpus leaves more than LAST_REPORTS at the end
    assert flushed[-1] <= 2 and len(flushed) == len(flushed_before) + 1, (flushed_before, flushed)
    assert _stored(tmp_path / "after") == before
