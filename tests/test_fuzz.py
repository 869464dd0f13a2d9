"""Fuzzing within a budget of about half a minute: generated tables of every shape (hypothesis) and mutants of
sample files of every reader (parsed in workers within limits). Each input ends as a report or an
`XxgkError` with a one-line reason: never a traceback, a hang or a blown memory limit.
tools/fuzz.py runs the same mutants by the thousand."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.errors import XxgkError
from etl.pipeline import parse_bytes
from tests.conftest import FIXTURES
from xxgk.parsing import Failure, Job, parse_isolated
from xxgk.samples.fuzz import BYTE_MUTATIONS, FORMATS, mutants, seeds_from
from xxgk.samples.hostile import W_NS
from xxgk.workers import Limits

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LABELS = (
    "三、本年度办理结果",
    "（一）予以公开",
    "本年新收政府信息公开申请数量",
    "商业企业",
    "行政复议",
    "合计",
    "",
)
CELL = st.one_of(
    st.sampled_from(LABELS),
    st.integers(-(10**30), 10**30).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=8).map(str),
    st.text(max_size=12),
)
SPAN = st.one_of(st.integers(1, 4), st.integers(0, 10**12), st.sampled_from(["", "-1", "²", "1e9", "9" * 50]))
TITLE = "某某局2021年政府信息公开工作年度报告"


def _outcome(name: str, data: bytes) -> None:
    try:
        parse_bytes(name, data)
    except XxgkError as exc:
        assert exc.reason and "\n" not in exc.reason


@SETTINGS
@given(st.lists(st.lists(st.tuples(CELL, SPAN, SPAN), min_size=1, max_size=8), min_size=1, max_size=14))
def test_html_tables_of_any_shape(rows: list[list[tuple[str, object, object]]]) -> None:
    body = "".join(
        "<tr>" + "".join(f'<td rowspan="{r}" colspan="{c}">{text}</td>' for text, r, c in row) + "</tr>"
        for row in rows
    )
    page = f"<html><head><title>{TITLE}</title></head><body><div id='zoom'><table>{body}</table></div></body></html>"
    _outcome("x.html", page.encode())


@SETTINGS
@given(
    st.lists(st.lists(CELL, min_size=1, max_size=9), min_size=1, max_size=30),
    st.sampled_from(["\t", "  ", " "]),
)
def test_text_tables_of_any_shape(rows: list[list[str]], separator: str) -> None:
    text = TITLE + "\n" + "\n".join(separator.join(row) for row in rows)
    _outcome("x.txt", text.encode())


@SETTINGS
@given(
    st.lists(
        st.lists(st.tuples(CELL, SPAN, st.sampled_from(["", "restart", "continue"])), min_size=1, max_size=6),
        min_size=1,
        max_size=12,
    ),
    SPAN,
)
def test_word_tables_of_any_shape(rows: list[list[tuple[str, object, str]]], before: object) -> None:
    def cell(text: str, span: object, merge: str) -> str:
        merged = "" if not merge else f'<w:vMerge w:val="{merge}"/>' if merge == "restart" else "<w:vMerge/>"
        return f'<w:tc><w:tcPr><w:gridSpan w:val="{span}"/>{merged}</w:tcPr><w:p><w:r><w:t>{_xml(text)}</w:t></w:r></w:p></w:tc>'

    table = "".join(
        f'<w:tr><w:trPr><w:gridBefore w:val="{before}"/></w:trPr>{"".join(cell(*c) for c in row)}</w:tr>'
        for row in rows
    )
    xml = f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>{TITLE}</w:t></w:r></w:p><w:tbl>{table}</w:tbl></w:body></w:document>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("word/document.xml", xml)
    _outcome("x.docx", out.getvalue())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.integers(1, 40), st.integers(1, 12), CELL), min_size=1, max_size=40),
    st.lists(
        st.tuples(st.integers(1, 40), st.integers(1, 12), st.integers(0, 5), st.integers(0, 5)), max_size=6
    ),
)
def test_sheets_of_any_shape(
    cells: list[tuple[int, int, str]], merges: list[tuple[int, int, int, int]]
) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = TITLE
    for row, column, text in cells:
        sheet.cell(row=row + 1, column=column, value=_printable(text))
    for row, column, down, across in merges:
        sheet.merge_cells(start_row=row, start_column=column, end_row=row + down, end_column=column + across)
    out = io.BytesIO()
    book.save(out)
    _outcome("x.xlsx", out.getvalue())


def _xml(text: str) -> str:
    return "".join(ch for ch in text if ch.isprintable()).replace("&", "&amp;").replace("<", "&lt;")


def _printable(text: str) -> str:
    return "".join(ch for ch in text if ch.isprintable())


PER_FORMAT = {".html": 20, ".txt": 20, ".docx": 20, ".xlsx": 20, ".pdf": 11}
"""The fewest mutants of each format whose mutations include every kind (BYTE_MUTATIONS and a token), as
asserted below; `tools/fuzz.py --per-format 5000` runs thousands (README, Fuzzing)."""
KINDS = {*BYTE_MUTATIONS, "token"}


@pytest.mark.slow
def test_mutants_of_every_reader_end_as_reports_or_one_line_errors(tmp_path: Path) -> None:
    files = sorted(p for folder in ("reports", "converted") for p in (FIXTURES / folder).iterdir())
    seeds = seeds_from([p for p in files if not p.name.endswith(".json")])
    jobs = []
    for fmt in FORMATS:
        chosen = [s for s in seeds if s.suffix == fmt][:3]
        assert chosen, f"no sample {fmt} file to mutate"
        applied: set[str] = set()
        for mutant in mutants(chosen, PER_FORMAT[fmt], seed=FORMATS.index(fmt)):
            path = tmp_path / mutant.name
            path.write_bytes(mutant.data)
            jobs.append(Job(str(path)))
            applied |= set(mutant.how.rsplit(":", 1)[-1].split("+"))
        assert applied >= KINDS, f"{fmt}: no {sorted(KINDS - applied)} mutant"
    outcomes = list(parse_isolated(jobs, workers=2, limits=Limits()))
    assert len(outcomes) == sum(PER_FORMAT.values())
    failures = [p.result for p in outcomes if isinstance(p.result, Failure)]
    bad = [
        f.reason
        for f in failures
        if f.detail or f.reason.startswith(("internal", "timed out", "over the memory", "the parser"))
    ]
    assert bad == []
    assert all("\n" not in f.reason for f in failures)
    assert len(failures) < len(outcomes)  # the mutants are not all refused at the door


@pytest.mark.parametrize("fmt", FORMATS)
def test_there_is_a_sample_of_every_format_to_mutate(fmt: str) -> None:
    files = sorted(p for folder in ("reports", "converted") for p in (FIXTURES / folder).iterdir())
    assert any(s.suffix == fmt for s in seeds_from([p for p in files if p.suffix.lower() in (".html", fmt)]))
