"""A bulk run's last segment written by two cursors (warehouse/store/parts.py `PartWriter.expect`,
`HeldRows.mirror`): it is written after the last file, with the parse workers' cores free; its parts are
the ones one cursor writes, row for row, and what the run stores is the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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

NAMES = ["江山市交通运输局_2021.txt", "开化县华埠镇人民政府_2023.docx", "柯城区财政局_2017.html"]
FIXTURES = Path(__file__).parent / "fixtures" / "reports"


def _written(tmp_path: Path, reports: int, expected: int | None) -> tuple[list[dict[str, Any]], int]:
    """Each segment's parts (Parquet schema and rows in the file's order) for `reports` reports added two at
    a time, and how many segments were written by two cursors."""
    found = [parse_one(Job(str(FIXTURES / name), rows=True)).result for name in NAMES]
    assert all(isinstance(rows, ReportRows) for rows in found)
    copies = [pack_rows(renamed_rows(found[n % len(found)], n)) for n in range(reports)]  # type: ignore[arg-type]
    writer = parts.PartWriter(tmp_path, "run")
    try:
        if expected is not None:
            writer.expect(expected)
        for start in range(0, reports, 2):
            writer.add(copies[start : start + 2], AT)
        writer.flush(last=True)
        con = writer.con
        segments: dict[str, dict[str, Any]] = {}
        for part in writer.parts:
            file = tmp_path / part.file
            segments.setdefault(part.segment.rsplit("/", 1)[-1], {})[part.relation] = (
                con.execute(f"SELECT name, type, repetition_type FROM parquet_schema('{file}')").fetchall(),
                con.execute(f"SELECT * FROM read_parquet('{file}')").fetchall(),
            )
        return [segments[name] for name in sorted(segments)], SHARED[0]
    finally:
        writer.close()


SHARED = [0]


@pytest.fixture(autouse=True)
def counted(monkeypatch: pytest.MonkeyPatch) -> None:
    """`parts.shared` counted (a segment written by two cursors)."""
    SHARED[0] = 0
    real = parts.shared

    def shared(*args: Any, **kwargs: Any) -> Any:
        SHARED[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(parts, "shared", shared)


def test_the_last_segment_of_a_run_told_what_to_expect_is_written_by_two_cursors_as_one_writes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parts, "FLUSH_REPORTS", 4)
    monkeypatch.setattr(parts, "BESIDE_REPORTS", 0)  # every segment held: written from the held rows' views
    told, told_shared = _written(tmp_path / "told", 8, 8)
    SHARED[0] = 0
    untold, untold_shared = _written(tmp_path / "untold", 8, None)
    assert (told_shared, untold_shared) == (1, 0)  # the last of two segments; none when not told
    assert len(told) == 2 and told == untold
    assert set(told[1]) == set(parts.PART_RELATIONS) - {"ocr_cells"}
    SHARED[0] = 0
    # files that failed: the segment is written by `finish`'s flush (DuckDB at its own threads), as before
    fewer, fewer_shared = _written(tmp_path / "fewer", 6, 8)
    assert fewer_shared == 0 and len(fewer) == 2 and fewer == _written(tmp_path / "fewer untold", 6, None)[0]


def test_an_ingest_writes_its_last_segment_by_two_cursors_and_stores_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    generate_corpus(corpus, n_agencies=3, years=range(2019, 2023))
    monkeypatch.setattr(ingest_module, "CHUNK", 1)  # a bulk run, its reports added one at a time
    monkeypatch.setattr(parts, "FLUSH_REPORTS", 4)
    monkeypatch.setattr(parts, "BESIDE_REPORTS", 0)
    ingest([corpus], tmp_path / "told", jobs=2)
    assert SHARED[0] == 1
    told = _stored(tmp_path / "told")
    SHARED[0] = 0
    monkeypatch.setattr(parts.PartWriter, "expect", lambda self, reports: None)
    ingest([corpus], tmp_path / "untold", jobs=2)
    assert SHARED[0] == 0
    assert _stored(tmp_path / "untold") == told
