"""The structural pass on extraction and checks (docs/scale.md §2, "Extraction and checks, structural")
gives what the plain forms give: rows routed once, each label, row match and printed value read once,
the checks' identities in one pass, the memoised sections, titles and long-text folds. Each fast form is
compared with the plain one it replaces (copied here where the plain one is gone)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl import checks, compliance, metadata, normalise, outcomes, scope
from etl.catalogue import metric, metrics
from etl.extract import cell_info, extract_new, table2, table3, table4, table_rows
from etl.extract.layout import FoldedText, document_rows, label_printed, new_wanted_codes, table2_codes
from etl.extract.rows import FactCollector, is_numeric, is_valueish, key
from etl.extract.table3 import GROUPS, Table3Reader, match_row, settle_group_rows
from etl.normalise import fold, one_line
from etl.readers import read_document
from etl.records import CellRef, Document, Fact, RowView, Table, TableCell
from etl.templates import detect_template
from etl.values import parse_value, to_metric_unit
from tests.conftest import FIXTURES

# --- the plain forms, as they were before this pass (main a573aa6) ------------------------------------


def _old_t3_accepts(reader: Table3Reader, view: RowView) -> bool:
    if table3.is_header_row(view):
        return True
    labels, _ = reader._split(view)
    found = match_row([c.text for c in labels], reader.group, reader.read)
    return found.code is not None or any(key(c.text) in GROUPS for c in labels)


def _old_extract_new(template: str, views: Sequence[RowView], collector: FactCollector) -> None:
    """`extract_new` before: each row offered to the readers of tables 二, 四 and 三 in turn."""
    t2 = table2.Table2Reader(template, collector)
    t4 = table4.Table4Reader(collector)
    t3 = Table3Reader(collector)
    for view in views:
        if table2.row_name(view) is not None or table2.is_header_row(view):
            t2.feed(view)
        elif table4.is_header_row(view) or (not t4.done and table4.is_data_row(view)):
            t4.feed(view)
        elif _old_t3_accepts(t3, view):
            t3.feed(view)
        elif any(is_numeric(c) for c in view.cells):
            labels = [one_line(c.text) for c in view.cells if not is_valueish(c)]
            printed = [one_line(c.text) for c in view.cells if is_valueish(c)]
            collector.warn(
                "unknown_row",
                f"row not in the template: {' / '.join(labels)!r} with values "
                f"{printed}; kept out of the facts",
                f"table {view.table + 1}, row {view.row + 1}",
            )
    settle_group_rows(collector)


def _old_add(
    collector: FactCollector, code: str, breakdown: str, raw: str, source: CellRef, printed_unit: str | None
) -> None:
    """`FactCollector.add` before (no reading given)."""
    target = metric(code)
    parsed = parse_value(raw)
    value = to_metric_unit(parsed, target.unit, printed_unit)
    if parsed.semantic == "invalid":
        collector.warn(
            "invalid_value",
            f"{code}[{breakdown or '-'}]: {one_line(raw)!r} is not a number"
            + (f" ({parsed.problem})" if parsed.problem else ""),
            source.locator,
        )
    if (code, breakdown) in collector.facts:
        kept = collector.facts[(code, breakdown)]
        collector.warn(
            "duplicate_cell",
            f"{code}[{breakdown or '-'}] printed twice; kept {kept.value_raw!r} ({kept.source.locator}), "
            f"ignored {one_line(raw)!r}",
            source.locator,
        )
        return
    collector.facts[(code, breakdown)] = Fact(
        metric_code=code,
        breakdown=breakdown,
        value=value,
        value_raw=one_line(raw),
        semantic=parsed.semantic,
        source=source,
        confidence="exact",
    )


def _old_identity(
    check_id: str, severity: str, facts: checks.FactMap, total: checks.Term, parts: Sequence[checks.Term]
) -> checks.CheckResult:
    whole = checks.read(facts, *total)
    readings = [checks.read(facts, *p) for p in parts]
    cells = (total, *parts)
    missing = [p for p, r in zip(parts, readings, strict=True) if r is None]
    if whole is None or missing:
        return checks._not_assessable(
            check_id,
            severity,
            "",
            ([total] if whole is None else []) + missing,
            cells,  # type: ignore[arg-type]
        )
    expected = sum((r.value for r in readings if r is not None), Decimal(0))
    blanks = sum(1 for r in readings if r is not None and r.blank) + whole.blank
    status = "pass" if expected == whole.value else "fail"
    en = f"{checks._name(total, 'en')} = {whole.value}, sum of its parts = {expected}{checks._blank_note(blanks, 'en')}"
    zh = f"{checks._name(total)}为{whole.value}，各分项之和为{expected}{checks._blank_note(blanks, 'zh')}"
    return checks.CheckResult(check_id, severity, status, "", expected, whole.value, en, zh, cells)  # type: ignore[arg-type]


def _old_n5_bad(facts: checks.FactMap) -> list[Fact]:
    bad = []
    for (code, _), fact in facts.items():
        if fact.value is None or code.startswith(("text.", "old.", "fj.")):
            continue
        may_be_negative = code.startswith("v2019.") and code.endswith(".change")
        money = metric(code).is_money
        if (fact.value < 0 and not may_be_negative) or (
            not money and fact.value != fact.value.to_integral_value()
        ):
            bad.append(fact)
    return bad


def _old_row_views(table: Table) -> list[RowView]:
    grid = table.grid()
    views = []
    for r, line in enumerate(grid):
        seen = list({id(cell): cell for cell in line if cell is not None}.values())
        pages = [c.page for c in seen if c.row == r and c.page is not None]
        page = min(pages) if pages else table.page
        views.append(RowView(table=table.index, row=r, cells=tuple(seen), aligned=table.aligned, page=page))
    return views


def _old_detect_scope(paragraphs: Sequence[str]) -> tuple[str, str]:
    for paragraph in paragraphs:
        for sentence in scope._SENTENCE.findall(fold(paragraph)):
            if len(sentence) > scope.MAX_SENTENCE or ("年度报告" not in sentence and "报告" not in sentence):
                continue
            if (
                scope._COMPILED_FROM.search(sentence)
                and scope._SUB_UNITS.search(sentence)
                and scope._COMPILED.search(sentence)
            ):
                return "aggregate", sentence
    return "own", ""


def _old_tail_lines(document: Document) -> list[str]:
    lines = [line for p in document.paragraphs for line in (fold(x) for x in p.text.split("\n")) if line]
    tail = lines[-compliance.SIGNATURE_LINES :]
    if tail and len(tail[-1]) > compliance.SHORT_HEADING:
        last = tail[-1]
        ends = [m.end() for m in compliance.SENTENCE_END.finditer(last[:-1])]
        tail[-1] = last[ends[-1] :] if ends else last[-compliance.SHORT_HEADING :]
    return tail


# --- documents ---------------------------------------------------------------------------------------


def _documents() -> list[Path]:
    skip = {".pdf", ".json", ".png", ".jpg", ".csv", ".md", ".py", ".gz"}
    return sorted(p for p in FIXTURES.rglob("*") if p.is_file() and p.suffix.lower() not in skip)


def _read(path: Path) -> Document | None:
    try:
        return read_document(str(path), path.read_bytes())
    except Exception:  # unreadable fixtures are other tests' business
        return None


def _state(collector: FactCollector) -> tuple[object, ...]:
    return tuple(collector.facts.items()), tuple(collector.issues)


def test_rows_are_routed_as_every_reader_asked_them_in_turn() -> None:
    """Every table row of every fixture document, routed once, gives the facts and warnings that offering
    it to the readers of tables 二, 四 and 三 in turn gave, under both new templates."""
    compared = 0
    for path in _documents():
        document = _read(path)
        if document is None or not document.tables:
            continue
        views = table_rows(document)
        for template in ("v2019", "v2021"):
            new, old = FactCollector(), FactCollector()
            extract_new(template, views, new)  # type: ignore[arg-type]
            _old_extract_new(template, views, old)
            assert _state(new) == _state(old), path.name
        compared += 1
    assert compared >= 20


def _cells(rows: list[list[str]], spans: dict[tuple[int, int], tuple[int, int]] | None = None) -> Table:
    spans = spans or {}
    cells = [
        TableCell(text, r, c, *spans.get((r, c), (1, 1)))
        for r, row in enumerate(rows)
        for c, text in enumerate(row)
        if text is not None
    ]
    return Table(0, tuple(cells), len(rows), max(len(r) for r in rows))


TABLE3_HEADER = [
    ["申请人情况", "", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
]


def _table3(labels: list[str], values: str = "1") -> list[list[str]]:
    return [[label, "", *([values] * 7)] for label in labels]


@pytest.mark.parametrize(
    "rows",
    [
        # a misprinted label in a second table (the rows read so far are forgotten there)
        TABLE3_HEADER
        + _table3(
            [
                "一、本年新收政府信息公开申请数量",
                "（三）不予公开",
                "1.属于国家秘密",
                "2.其他法律行政法规禁止公开",
            ]
        ),
        TABLE3_HEADER + _table3(["（三）不予公开", "2.其他法律行政止公开", "3.危及“三安全一稳定”", "总计"]),
        # group rows with values of their own, unknown rows with values, table 四's header words
        TABLE3_HEADER + _table3(["（六）其他处理", "不明的行", "行政复议", "结果维持"], "0"),
        [
            ["行政复议", "", "", "", "", "行政诉讼"],
            ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"],
            [str(i % 3) for i in range(15)],
        ],
        [
            ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
            ["规章", "1", "2", "3"],
            ["规范性文件", "-", "", "x"],
        ],
        [["规章", "1", "2"], ["行政许可", "5"], ["本年收费金额（万元）", "1.5"]],
    ],
)
def test_crafted_rows_are_routed_as_before(rows: list[list[str]]) -> None:
    first = _cells(rows)
    second = Table(1, tuple(TableCell(c.text, c.row, c.col) for c in first.cells), first.n_rows, first.n_cols)
    unaligned = Table(2, first.cells, first.n_rows, first.n_cols, aligned=False)
    views = [*first.row_views(), *second.row_views(), *unaligned.row_views()]
    for template in ("v2019", "v2021"):
        new, old = FactCollector(), FactCollector()
        extract_new(template, views, new)  # type: ignore[arg-type]
        _old_extract_new(template, views, old)
        assert _state(new) == _state(old)


LABEL_WORDS = [
    "",
    " ",
    "0",
    "12",
    "1,234",
    "-",
    "无",
    "1.5万元",
    "x",
    "规章",
    "行政规范性文件",
    "信息内容",
    "本年制发件数",
    "本年新制作数量（单位：万元）",
    "自然人",
    "法人或其他组织",
    "其他",
    "总计",
    "行政复议",
    "结果维持",
    "未经复议直接起诉",
    "（三）不予公开",
    "1.属于国家秘密",
    "其中：",
    "　",
    "\n",
]


@given(st.lists(st.sampled_from(LABEL_WORDS), min_size=1, max_size=3).map("".join))
@settings(max_examples=300, deadline=None)
def test_cell_info_is_what_each_reader_asks(text: str) -> None:
    info = cell_info(text)
    cell = TableCell(text, 0, 0)
    assert info.key == key(text)
    assert info.valueish == is_valueish(cell)
    assert info.numeric == is_numeric(cell)
    assert info.row2 == table2.ROWS.get(key(text))
    assert info.header2 == (key(text) == "信息内容" or table2.column_key(text) is not None)
    assert info.header4 == fold(text).startswith(table4.HEADER_WORDS)
    assert info.header3 == bool(table3.applicant(text) or fold(text) == table3.LEGAL_GROUP)


ROW_LABELS = [
    "三、本年度办理结果",
    "（一）予以公开",
    "（三）不予公开",
    "1.属于国家秘密",
    "2.其他法律行政止公开",
    "3.危及“三安全一稳定”",
    "（六）其他处理",
    "3.其他",
    "其他",
    "四、结转下年度继续办理",
    "总计",
    "申请人情况",
    "1.属于国家秘密 2.其他法律行政法规禁止公开",
    "",
]


@given(
    st.lists(st.sampled_from(ROW_LABELS), max_size=3),
    st.sampled_from([None, *GROUPS.values()]),
    st.dictionaries(st.sampled_from(list(GROUPS.values())), st.integers(0, 9), max_size=2),
)
@settings(max_examples=300, deadline=None)
def test_row_matches_kept_are_what_matching_afresh_gives(
    labels: list[str], group: str | None, read: dict[str, int]
) -> None:
    first = match_row(labels, group, read)
    table3._MATCHES.clear()
    fresh = match_row(labels, group, read)
    assert first == fresh
    assert match_row(labels, group, read) == fresh  # from the memo now


RAWS = [
    "0",
    "12",
    "1,234",
    "1.50",
    "-",
    "",
    "无",
    "1.5万元",
    "3亿元",
    "x",
    "1" * 20,
    "0.0000001",
    "１２",
    "-3",
]
CODES = ["v2021.admin_fees.amount", "req.received", "v2019.licensing.change", "review.total"]


@given(
    st.lists(
        st.tuples(st.sampled_from(CODES), st.sampled_from(["", "total"]), st.sampled_from(RAWS)),
        max_size=12,
    ),
    st.sampled_from([None, "万元", "元"]),
)
@settings(max_examples=200, deadline=None)
def test_facts_read_once_per_text_are_the_facts_added_one_by_one(
    cells: list[tuple[str, str, str]], unit: str | None
) -> None:
    new, old = FactCollector(), FactCollector()
    for n, (code, breakdown, raw) in enumerate(cells):
        ref = CellRef(0, "l", "c", None, f"cell {n}")
        new.add(code, breakdown, raw, ref, printed_unit=unit)
        _old_add(old, code, breakdown, raw, ref, unit)
    assert _state(new) == _state(old)
    batch = FactCollector()
    for code in CODES:
        batch.add_cells(
            code,
            [
                (b, raw, CellRef(0, "l", "c", None, f"cell {n}"))
                for n, (c, b, raw) in enumerate(cells)
                if c == code
            ],
            unit,
        )
    one_by_one = FactCollector()
    for code in CODES:
        for n, (c, b, raw) in enumerate(cells):
            if c == code:
                _old_add(one_by_one, code, b, raw, CellRef(0, "l", "c", None, f"cell {n}"), unit)
    assert _state(batch) == _state(one_by_one)


VALUES = [
    None,
    "blank",
    Decimal(0),
    Decimal(3),
    Decimal("2.5"),
    Decimal(-1),
    Decimal("1E+2"),
    Decimal("0.10"),
]


def _facts(values: dict[tuple[str, str], object]) -> dict[tuple[str, str], Fact]:
    ref = CellRef(0, "", "", None, "x")
    return {
        cell: Fact(
            cell[0], cell[1], None if v == "blank" else v, "v", "blank" if v == "blank" else "number", ref
        )  # type: ignore[arg-type]
        for cell, v in values.items()
        if v is not None
    }


TERMS = [("req.total", "total"), *(("req.granted", c) for c in checks.ROW_COLUMNS)]


@given(st.lists(st.sampled_from(VALUES), min_size=len(TERMS), max_size=len(TERMS)))
@settings(max_examples=300, deadline=None)
def test_identities_in_one_pass_are_the_identities_read_cell_by_cell(values: list[object]) -> None:
    facts = _facts(dict(zip(TERMS, values, strict=True)))
    total, parts = TERMS[0], TERMS[1:]
    assert checks.identity("N3", "error", facts, total, parts) == _old_identity(
        "N3", "error", facts, total, parts
    )


@given(
    st.decimals(allow_nan=True, allow_infinity=True)
    | st.sampled_from([Decimal("-0"), Decimal("1E+7"), Decimal("0E-3")])
)
def test_a_decimal_formatted_is_its_str(value: Decimal) -> None:
    assert f"{value}" == str(value)


@given(
    st.lists(st.tuples(st.sampled_from(sorted(metrics())[:400]), st.sampled_from(VALUES[1:])), max_size=30)
)
@settings(max_examples=200, deadline=None)
def test_n5_rules_kept_per_code_are_the_rules_asked_per_fact(cells: list[tuple[str, object]]) -> None:
    facts = _facts({(code, ""): v for code, v in cells})
    result = next(iter(checks._n5(facts)))
    bad = _old_n5_bad(facts)
    assert result.cells == tuple((f.metric_code, f.breakdown) for f in bad)


def test_wanted_codes_from_the_catalogue_once_are_the_codes_asked_of_every_metric() -> None:
    for path in _documents()[:40]:
        document = _read(path)
        if document is None or detect_template(document) not in ("v2019", "v2021"):
            continue
        template = detect_template(document)
        collector = FactCollector()
        extract_new(template, table_rows(document), collector)  # type: ignore[arg-type]
        text = fold(document.plain_text())
        rows = set(document_rows(template, collector, text))  # type: ignore[arg-type]
        plain = tuple(
            code
            for code, m in metrics().items()
            if code in rows or (template in m.templates and not code.startswith(("req.", "text.")))
        )
        assert new_wanted_codes(template, collector, FoldedText(document.plain_text())) == plain  # type: ignore[arg-type]
        assert table2_codes(template) == tuple(c for c in metrics() if c.startswith(f"{template}."))  # type: ignore[arg-type]


@given(
    st.text(alphabet="其他法律行政法规禁止公开属于国家秘密 　（）()“”\n1.", max_size=60),
    st.sampled_from(ROW_LABELS),
)
@settings(max_examples=200, deadline=None)
def test_folded_text_looked_into_is_the_text_folded(text: str, label: str) -> None:
    label_key = key(label)
    assert label_printed(label_key, FoldedText(text)) == label_printed(label_key, fold(text))


@given(st.text(alphabet="ａ１，。 　\u3000\u00a0e\u0301“”〇x", min_size=0, max_size=900))
@settings(max_examples=200, deadline=None)
def test_long_texts_kept_by_the_memo_are_what_the_function_gives(text: str) -> None:
    long = text * (1 + normalise.CACHE_LIMIT // max(1, len(text)))
    plain = normalise.fold.__wrapped__  # type: ignore[attr-defined]
    for _ in range(2):  # computed, then kept
        assert normalise.fold(long) == plain(long)
        assert normalise.one_line(long) == normalise.one_line.__wrapped__(long)  # type: ignore[attr-defined]


def test_long_text_memo_keeps_the_last_few() -> None:
    calls: list[str] = []

    @normalise.cache_short
    def upper(text: str) -> str:
        calls.append(text)
        return text.upper()

    texts = [f"{n}" + "a" * (normalise.CACHE_LIMIT + n) for n in range(normalise.LONG_ENTRIES + 2)]
    for text in texts:
        assert upper(text) == text.upper()
    assert upper(texts[-1]) == texts[-1].upper()
    assert len(calls) == len(texts)  # the last one was kept
    huge = "b" * (normalise.LONG_LIMIT + 1)
    upper(huge)
    upper(huge)
    assert calls[-2:] == [huge, huge]  # never kept


AGENCY_PARTS = [
    "某某县",
    "局",
    "编制",
    "了",
    "完成",
    "本报告",
    "本年度报告由",
    "，",
    "。",
    "|",
    "根据",
    "x" * 39,
    "a",
]


@given(st.lists(st.sampled_from(AGENCY_PARTS), max_size=14).map("".join))
@settings(max_examples=400, deadline=None)
def test_compiled_by_searched_from_its_ends_is_the_search_of_the_body(body: str) -> None:
    new, old = metadata._compiled_by(body), metadata._COMPILED_BY.search(body)
    assert (new and (new.span(), new.groupdict())) == (old and (old.span(), old.groupdict()))


SCOPE_PARTS = ["本报告", "年度报告", "综合", "各部门", "编制而成", "。", "\n", "汇总", "下属", "报", "告"]


@given(st.lists(st.lists(st.sampled_from(SCOPE_PARTS), max_size=8).map("".join), max_size=4))
@settings(max_examples=300, deadline=None)
def test_scope_skipping_paragraphs_without_a_report_is_the_scope(paragraphs: list[str]) -> None:
    assert scope.detect_scope(paragraphs) == _old_detect_scope(paragraphs)


def test_sections_tail_and_headings_are_what_they_were() -> None:
    for path in _documents():
        document = _read(path)
        if document is None:
            continue
        assert compliance._tail_lines(document) == _old_tail_lines(document), path.name
        for layout in (compliance.NEW_LAYOUT, compliance.OLD_LAYOUT):
            for paragraph in document.paragraphs[:60]:
                text = fold(paragraph.text)
                hits = [
                    (m.start(), i)
                    for i, s in enumerate(layout.sections)
                    if (m := s.words.search(text[: compliance.SHORT_HEADING]))
                ]
                assert compliance._named(text, layout.sections) == (min(hits)[1] if hits else None)


def test_row_views_without_spans_or_pages_are_the_grid_deduplicated() -> None:
    tables = [
        _cells([["a", "b", "c"], ["d", None, "f"]]),
        _cells([["a", "b", "c"], ["d", "e", "f"]], {(0, 0): (2, 1)}),
        _cells([["a", "b", "c"], ["d", "e", "f"]], {(0, 0): (1, 3), (1, 1): (1, 0)}),
        _cells([["a", "b", "c"], ["d", "e", "f"]], {(0, 1): (1, -1), (0, 0): (3, 2)}),
        Table(
            0,
            (TableCell("a", 0, 0, page=2), TableCell("b", 0, 1, page=1), TableCell("c", 1, 0, 2, 1)),
            3,
            2,
            page=5,
        ),
        Table(0, (TableCell("a", 0, 0), TableCell("a", 0, 0), TableCell("z", 5, 5)), 1, 1, aligned=False),
        Table(0, (), 0, 0),
    ]
    for path in _documents():
        document = _read(path)
        if document is not None:
            tables += document.tables
    for table in tables:
        assert list(table.row_views()) == _old_row_views(table)


def test_outcome_groups_read_once_are_the_groups() -> None:
    for group in outcomes.outcome_groups():
        assert outcomes.outcome_group(group.name) is group
        for template in ("v2019", "v2021", "old"):
            assert group.items_in(template) == tuple(i for i in group.items if template in i.templates)
    with pytest.raises(KeyError):
        outcomes.outcome_group("nothing")


def test_names_kept_are_the_names() -> None:
    for term in [
        ("req.total", "total"),
        ("req.received", ""),
        ("review.total", ""),
        ("req.granted", "commercial"),
    ]:
        for lang in ("zh", "en"):
            assert checks._name(term, lang) == checks._make_name(term, lang)
    assert re.fullmatch(r".+（.+）", checks._name(("req.total", "total")))


@given(st.lists(st.sampled_from(["", "0", "12", "—", "无", "规章", "1.5万", "合计"]), max_size=8))
def test_values_start_is_where_the_trailing_values_begin(texts: list[str]) -> None:
    from etl.extract.rows import trailing_values, values_start

    cells = tuple(TableCell(text, 0, col) for col, text in enumerate(texts))
    view = Table(index=0, cells=cells, n_rows=1, n_cols=max(len(texts), 1), aligned=False).row_views()
    for row in view:
        labels, values = trailing_values(row)
        assert values_start([is_valueish(c) for c in row.cells]) == len(labels)
        assert [c.text for c in values] == [c.text for c in row.cells[len(labels) :]]


def test_a_remembered_value_is_returned_and_a_full_memo_emptied_first() -> None:
    memo: dict[str, int] = {"a": 1, "b": 2}
    assert normalise.remember(memo, "c", 3, entries=3) == 3
    assert memo == {"a": 1, "b": 2, "c": 3}
    assert normalise.remember(memo, "d", 4, entries=3) == 4
    assert memo == {"d": 4}
