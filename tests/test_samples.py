"""The sample corpus generator: determinism, truth files, identities, quirks, encodings, bad inputs."""

from __future__ import annotations

import html
import io
import json
import re
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import lxml.html
import pdfplumber
import pytest

from etl.catalogue import APPLICANT_BREAKDOWNS, metrics
from tests.conftest import DefaultCorpus
from xxgk.samples import SampleDoc, generate_corpus
from xxgk.samples import corpus as corpus_module
from xxgk.samples.narrative import MARKER
from xxgk.samples.quirks import ALL_QUIRKS, BAD_QUIRKS

pytestmark = pytest.mark.slow

WAN_PRINTED = {"old.fees", "old.org.budget", "v2021.admin_fees.amount"}
NA_MARKS = {"-", "/", "—", "无", "不适用"}
DECIMAL = re.compile(r"^-?(0|[1-9]\d*)(\.\d*[1-9])?$")
TRUTH_KEYS = {
    "file", "sample", "expect", "agency", "year", "template", "format", "encoding", "province", "city", "county",
    "vertical", "title", "published", "version_of", "planted_faults", "quirks", "facts",
}  # fmt: skip


@dataclass(frozen=True)
class Sample:
    doc: SampleDoc
    truth: dict[str, Any]
    data: bytes

    @property
    def text(self) -> str:
        """The printed text: decoded bytes, the text runs of a DOCX, or a PDF's text without whitespace."""
        if self.truth["format"] == "docx":
            with zipfile.ZipFile(io.BytesIO(self.data)) as archive:
                xml = archive.read("word/document.xml").decode("utf-8")
            return "\n".join(html.unescape(t) for t in re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))
        if self.truth["format"] == "pdf":
            with pdfplumber.open(io.BytesIO(self.data)) as pdf:
                return "".join("".join(page.extract_text().split()) for page in pdf.pages)
        return self.data.decode(self.truth["encoding"])


@pytest.fixture(scope="module")
def out_dir(default_corpus: DefaultCorpus) -> Path:
    return default_corpus.folder


@pytest.fixture(scope="module")
def docs(default_corpus: DefaultCorpus) -> list[SampleDoc]:
    return default_corpus.docs


@pytest.fixture(scope="module")
def samples(docs: list[SampleDoc]) -> list[Sample]:
    return [
        Sample(d, json.loads(d.truth_path.read_text(encoding="utf-8")), d.path.read_bytes()) for d in docs
    ]


@pytest.fixture(scope="module")
def reports(samples: list[Sample]) -> list[Sample]:
    return [s for s in samples if s.truth["expect"] == "loaded"]


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def counted(facts: list[dict[str, Any]]) -> dict[tuple[str, str], Decimal]:
    return {(f["metric_code"], f["breakdown"]): Decimal(f["value"] or 0) for f in facts}


# --- API, determinism, manifest --------------------------------------------------------------------


def test_api_returns_documents_with_truth_beside_them(docs: list[SampleDoc]) -> None:
    assert len(docs) > 400
    for doc in docs:
        assert doc.path.is_file()
        assert doc.truth_path == doc.path.with_name(doc.path.name + ".truth.json")
        assert doc.expect in ("loaded", "rejected", "error")


def test_same_seed_gives_identical_bytes(out_dir: Path, docs: list[SampleDoc], tmp_path: Path) -> None:
    again = generate_corpus(tmp_path / "again", include_bad=True)
    assert [d.path.name for d in again] == [d.path.name for d in docs]
    assert tree_bytes(tmp_path / "again") == tree_bytes(out_dir)


def test_other_seed_gives_other_numbers(tmp_path: Path) -> None:
    first = generate_corpus(tmp_path / "a", n_agencies=3, years=range(2020, 2023))
    second = generate_corpus(tmp_path / "b", seed=7, n_agencies=3, years=range(2020, 2023))
    assert tree_bytes(tmp_path / "a") != tree_bytes(tmp_path / "b")
    assert {d.path.name.split("_")[0] for d in first} == {d.path.name.split("_")[0] for d in second}


def test_worker_processes_write_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    generate_corpus(tmp_path / "serial", n_agencies=8, years=range(2018, 2023))
    monkeypatch.setattr(corpus_module, "PARALLEL_FROM", 0)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    generate_corpus(tmp_path / "parallel", n_agencies=8, years=range(2018, 2023))
    assert tree_bytes(tmp_path / "serial") == tree_bytes(tmp_path / "parallel")


def test_manifest_lists_every_file(out_dir: Path, samples: list[Sample]) -> None:
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    listed = {entry["file"]: entry["expect"] for entry in manifest["files"]}
    assert listed == {s.doc.path.relative_to(out_dir).as_posix(): s.truth["expect"] for s in samples}
    assert manifest["seed"] == 42 and manifest["n_agencies"] == 36 and manifest["years"] == [2014, 2025]
    assert all((out_dir / entry["truth"]).is_file() for entry in manifest["files"])


def test_truth_json_is_sorted_and_indented(samples: list[Sample]) -> None:
    for sample in samples:
        text = sample.doc.truth_path.read_text(encoding="utf-8")
        assert text == json.dumps(sample.truth, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


# --- truth content -----------------------------------------------------------------------------------


def test_truth_has_the_documented_fields(reports: list[Sample]) -> None:
    for sample in reports:
        truth = sample.truth
        assert set(truth) == TRUTH_KEYS
        assert truth["sample"] is True and truth["file"] == sample.doc.path.name
        assert truth["template"] in ("old", "v2019", "v2021") and truth["format"] in (
            "html",
            "txt",
            "docx",
            "pdf",
        )
        assert truth["province"] == "浙江省" and truth["agency"] in sample.doc.path.name
        assert truth["title"] is None or (
            str(truth["year"]) in truth["title"] and "示例" not in truth["title"]
        )


def test_every_metric_code_is_in_the_catalogue(reports: list[Sample]) -> None:
    catalogue = metrics()
    for sample in reports:
        for fact in sample.truth["facts"]:
            metric = catalogue[fact["metric_code"]]
            if metric.breakdown == "applicant":
                assert fact["breakdown"] in APPLICANT_BREAKDOWNS
            else:
                assert fact["breakdown"] == ""
            assert sample.truth["template"] in metric.templates or metric.templates == ("text",)


def test_one_fact_per_cell(reports: list[Sample]) -> None:
    for sample in reports:
        keys = [(f["metric_code"], f["breakdown"]) for f in sample.truth["facts"]]
        assert len(keys) == len(set(keys)), sample.doc.path.name


def test_full_tables_have_the_template_cell_counts(reports: list[Sample]) -> None:
    expected = {"v2019": 23, "v2021": 25}
    for sample in reports:
        template = sample.truth["template"]
        t3 = [f for f in sample.truth["facts"] if f["metric_code"].startswith("req.")]
        t4 = [f for f in sample.truth["facts"] if f["metric_code"].startswith(("review.", "suit_"))]
        if template == "old":
            assert not t3 and not t4
            continue
        columns = 8 if "legal_subtotal_column" in sample.truth["quirks"] else 7
        assert len(t3) == expected[template] * columns and len(t4) == 15


def test_values_are_plain_decimals_consistent_with_semantics(reports: list[Sample]) -> None:
    for sample in reports:
        for fact in sample.truth["facts"]:
            value, raw, semantic = fact["value"], fact["value_raw"], fact["semantic"]
            if semantic == "blank":
                assert value is None and raw == ""
            elif semantic == "na":
                assert value is None and raw in NA_MARKS
            else:
                assert DECIMAL.match(value), fact
                assert (Decimal(value) == 0) == (semantic == "zero"), fact
            assert raw == raw.strip(" \u3000\u00a0")


def printed_number(raw: str) -> tuple[Decimal, str]:
    text = unicodedata.normalize("NFKC", raw).replace(",", "")
    unit = "万元" if text.endswith("万元") else "元" if text.endswith("元") else ""
    return Decimal(text.removesuffix(unit)), unit


def test_value_is_the_printed_number_in_the_catalogue_unit(reports: list[Sample]) -> None:
    for sample in reports:
        for fact in sample.truth["facts"]:
            if fact["value"] is None or not re.search(r"\d", fact["value_raw"]):
                assert fact["value"] is None or fact["metric_code"].startswith("text."), fact
                continue
            number, unit = printed_number(fact["value_raw"])
            code = fact["metric_code"]
            in_wan = (
                code in WAN_PRINTED or unit == "万元" or (code == "v2019.procurement.amount" and not unit)
            )
            assert Decimal(fact["value"]) == number * (10000 if in_wan else 1), (sample.doc.path.name, fact)


def test_printed_values_appear_in_the_document(reports: list[Sample]) -> None:
    for sample in reports:
        text = sample.text
        if sample.truth["format"] == "html":
            text = html.unescape(re.sub(r"<[^>]*>", "\n", re.sub(r"</span><span[^>]*>", "", text)))
        for fact in sample.truth["facts"]:
            printed = (
                "".join(fact["value_raw"].split()) if sample.truth["format"] == "pdf" else fact["value_raw"]
            )
            assert printed in text, (sample.doc.path.name, fact)


# --- identities and planted faults ---------------------------------------------------------------------


def new_failures(v: dict[tuple[str, str], Decimal]) -> set[str]:
    failed = set()
    columns = {bd for code, bd in v if code == "req.received"}
    rows = {code for code, _ in v if code.startswith("req.")}
    outcomes = [r for r in rows if r.startswith(("req.granted", "req.partial", "req.denied.", "req.unable.",
                                                 "req.not_processed.", "req.other"))]  # fmt: skip
    legal = ("commercial", "research", "social_org", "legal_service", "other_org")
    for c in columns:
        if v["req.received", c] + v["req.carried_in", c] != v["req.total", c] + v["req.carried_out", c]:
            failed.add("N1")
        if v["req.total", c] != sum(v[r, c] for r in outcomes):
            failed.add("N2")
    for r in rows:
        if v[r, "total"] != v[r, "natural_person"] + sum(v[r, c] for c in legal):
            failed.add("N3")
        if "legal_subtotal" in columns and v[r, "legal_subtotal"] != sum(v[r, c] for c in legal):
            failed.add("N3")
    for group in ("review", "suit_direct", "suit_after_review"):
        parts = ("upheld", "corrected", "other", "pending")
        if v[f"{group}.total", ""] != sum(v[f"{group}.{p}", ""] for p in parts):
            failed.add("N4")
    return failed


OLD_IDENTITIES = {
    "O1": ("old.requests.received", ("in_person", "fax", "online", "letter")),
    "O2": ("old.requests.closed", ("on_time", "extended")),
    "O6": ("old.reconsideration.total", ("upheld", "corrected", "other")),
    "O7": ("old.litigation.total", ("upheld", "corrected", "other")),
    "O8": ("old.staff.total", ("full_time", "part_time")),
}


def old_failures(v: dict[tuple[str, str], Decimal]) -> set[str]:
    failed = set()
    for check, (total, parts) in OLD_IDENTITIES.items():
        prefix = total.removesuffix(".total")
        if v[total, ""] != sum(v[f"{prefix}.{p}", ""] for p in parts):
            failed.add(check)
    return failed


def identity_failures(sample: Sample) -> set[str]:
    values = counted([f for f in sample.truth["facts"] if not f["metric_code"].startswith("text.")])
    return old_failures(values) if sample.truth["template"] == "old" else new_failures(values)


def test_identities_hold_in_reports_without_planted_faults(reports: list[Sample]) -> None:
    clean = [s for s in reports if not s.truth["planted_faults"]]
    assert len(clean) > 350
    for sample in clean:
        assert identity_failures(sample) == set(), sample.doc.path.name


def test_planted_faults_are_recorded_and_real(reports: list[Sample]) -> None:
    planted = Counter(f for s in reports for f in s.truth["planted_faults"])
    assert set(planted) >= {"N1", "N2", "N3", "N4", "O1", "O2", "O6", "O7", "O8", "T1", "T2"}
    assert set(planted) >= {"F1", "F2", "F4", "F5", "F6"}
    assert sum(1 for s in reports if s.truth["planted_faults"]) < len(reports) / 10
    for sample in reports:
        arithmetic = {f for f in sample.truth["planted_faults"] if f.startswith(("N", "O"))}
        assert identity_failures(sample) == arithmetic, sample.doc.path.name


def narrative_vs_table(sample: Sample) -> dict[str, bool]:
    v = counted(sample.truth["facts"])
    old = sample.truth["template"] == "old"
    table_requests = v.get(("old.requests.received", "") if old else ("req.received", "total"))
    found = {}
    if ("text.requests.received", "") in v:
        found["T1"] = v["text.requests.received", ""] != table_requests
    if old and ("text.proactive.total", "") in v:
        found["T2"] = v["text.proactive.total", ""] != v["old.proactive.total", ""]
    return found


def test_narrative_agrees_with_the_table_unless_a_fault_is_planted(reports: list[Sample]) -> None:
    stated = 0
    for sample in reports:
        for check, differs in narrative_vs_table(sample).items():
            stated += 1
            assert differs == (check in sample.truth["planted_faults"]), (sample.doc.path.name, check)
    assert stated > 300


# --- corpus shape ----------------------------------------------------------------------------------------


def test_templates_follow_the_years_with_a_few_laggards(reports: list[Sample]) -> None:
    for sample in reports:
        year, template = sample.truth["year"], sample.truth["template"]
        expected = "old" if year <= 2018 else "v2019" if year <= 2020 else "v2021"
        assert (template != expected) == ("laggard_template" in sample.truth["quirks"])
        assert year <= 2018 or template != "old" or year <= 2021
    laggards = Counter(
        (s.truth["year"], s.truth["template"]) for s in reports if "laggard_template" in s.truth["quirks"]
    )
    assert any(t == "old" and y >= 2019 for y, t in laggards) and laggards[(2021, "v2019")] >= 2


def test_corpus_covers_formats_templates_encodings_and_agency_kinds(reports: list[Sample]) -> None:
    suffixes = Counter(s.doc.path.suffix for s in reports)
    assert {".html", ".htm", ".shtml", ".txt"} <= set(suffixes)
    assert {s.truth["encoding"] for s in reports} == {"utf-8", "utf-8-sig", "gb18030"}
    agencies = {s.truth["agency"] for s in reports}
    assert len(agencies) == 36
    assert any("镇人民政府" in a for a in agencies) and any(a.startswith("国家税务总局") for a in agencies)
    assert any(s.truth["county"] is None for s in reports)
    assert any(s.truth["vertical"] for s in reports)


def test_gaps_and_corrected_versions(out_dir: Path, reports: list[Sample]) -> None:
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    present = {(s.truth["agency"], s.truth["year"]) for s in reports}
    assert manifest["gaps"] and all((g["agency"], g["year"]) not in present for g in manifest["gaps"])
    by_file = {s.truth["file"]: s for s in reports}
    versions = [s for s in reports if s.truth["version_of"]]
    assert len(versions) >= 3
    for corrected in versions:
        original = by_file[corrected.truth["version_of"]]
        assert (original.truth["agency"], original.truth["year"]) == (
            corrected.truth["agency"],
            corrected.truth["year"],
        )
        assert corrected.truth["title"] is None or corrected.truth["title"].endswith("（更正版）")
        before, after = counted(original.truth["facts"]), counted(corrected.truth["facts"])
        assert before.keys() == after.keys()
        assert sum(before[k] != after[k] for k in before) == 1


# --- quirks, encodings, markers -----------------------------------------------------------------------------


def test_every_quirk_occurs_several_times(reports: list[Sample]) -> None:
    seen = Counter(q for s in reports for q in s.truth["quirks"])
    assert set(seen) <= set(ALL_QUIRKS)
    rare = {q: seen[q] for q in ALL_QUIRKS if seen[q] < 3}
    assert not rare


def declared_charset(text: str) -> str | None:
    match = re.search(r'charset="?([\w-]+)', text[:600])
    return match.group(1).lower() if match else None


def test_declared_encodings_are_the_bytes_encodings(reports: list[Sample]) -> None:
    for sample in reports:
        if sample.truth["format"] in ("docx", "pdf"):
            continue
        encoding, data = sample.truth["encoding"], sample.data
        text = data.decode(encoding)
        assert data.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
        if encoding == "gb18030":
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")
        if sample.truth["format"] == "html":
            expected = {"utf-8": {"utf-8"}, "utf-8-sig": {"utf-8"}, "gb18030": {"gb2312", "gbk"}}[encoding]
            assert declared_charset(text) in expected
        assert ("\r\n" in text) == ("crlf" in sample.truth["quirks"])


def test_every_report_is_marked_as_sample_data(reports: list[Sample]) -> None:
    for sample in reports:
        text = sample.text
        marker = "".join(MARKER.split()) if sample.truth["format"] == "pdf" else MARKER
        assert marker in (html.unescape(text) if sample.truth["format"] == "html" else text)
        if sample.truth["format"] == "html":
            assert '<meta name="xxgk-sample" content="示例数据">' in text
            assert "示例" not in re.search(r"<title>(.*)</title>", text).group(1)  # type: ignore[union-attr]


def test_year_evidence_is_printed(reports: list[Sample]) -> None:
    for sample in reports:
        year = sample.truth["year"]
        evidence = (
            f"{sample.truth['agency']}{year}年",
            f"统计期限自{year}年1月1日",
            f"本单位{year}年政府信息公开",
        )
        assert any(e in sample.text for e in evidence), sample.doc.path.name


# --- layouts --------------------------------------------------------------------------------------------------


def grid(table: Any) -> list[list[str]]:
    rows: list[list[str]] = []
    pending: dict[tuple[int, int], str] = {}
    for r, tr in enumerate(table.iter("tr")):
        row: list[str] = []
        cells = iter(tr.iter("td"))
        while True:
            while (r, len(row)) in pending:
                row.append(pending.pop((r, len(row))))
            cell = next(cells, None)
            if cell is None:
                break
            text = " ".join("".join(cell.itertext()).replace("\xa0", " ").split())
            for dr in range(int(cell.get("rowspan", 1))):
                for dc in range(int(cell.get("colspan", 1))):
                    if dr:
                        pending[(r + dr, len(row) + dc)] = text
            row.extend([text] * int(cell.get("colspan", 1)))
        rows.append(row)
    return rows


def test_html_table_three_expands_to_an_aligned_grid(reports: list[Sample]) -> None:
    checked = Counter[str]()
    for sample in reports:
        quirks = sample.truth["quirks"]
        if sample.truth["format"] != "html" or sample.truth["template"] == "old":
            continue
        page = lxml.html.fromstring(sample.text)
        table = next(t for t in page.iter("table") if "申请人情况" in str(t.xpath("string(.)")))
        rows = grid(table)
        width = 11 if {"misaligned_header", "legal_subtotal_column"} & set(quirks) else 10
        assert {len(row) for row in rows} == {width}, sample.doc.path.name
        total = next(
            f["value_raw"]
            for f in sample.truth["facts"]
            if (f["metric_code"], f["breakdown"]) == ("req.total", "total")
        )
        assert next(row for row in rows if row[2].endswith("总计"))[-1] == total
        assert rows[3][0] == rows[3][2] and rows[5][0] == "三、本年度办理结果"
        checked.update(
            q for q in ("misaligned_header", "legal_subtotal_column", "result_group_split") if q in quirks
        )
    assert min(checked.values()) >= 3


def test_text_shapes(reports: list[Sample]) -> None:
    for sample in reports:
        quirks, text = sample.truth["quirks"], sample.text.replace("\r\n", "\n")
        if "text_shape_a" in quirks:
            assert "\n\t统计" in text or "\n\t第二十条" in text
        if {"text_shape_b", "text_shape_c"} & set(quirks) and sample.truth["template"] != "old":
            t4 = [
                f["value_raw"]
                for f in sample.truth["facts"]
                if f["metric_code"].startswith(("review.", "suit_"))
            ]
            separator = "\t" if "text_shape_b" in quirks else r" {2,}"
            lines = (
                [cell.strip(" \u3000\u00a0") for cell in re.split(separator, line)]
                for line in text.splitlines()
            )
            assert t4 in lines, sample.doc.path.name


# --- bad inputs -------------------------------------------------------------------------------------------------


def test_bad_inputs_only_when_asked(tmp_path: Path) -> None:
    docs = generate_corpus(tmp_path, n_agencies=2, years=range(2021, 2023))
    assert all(d.expect == "loaded" for d in docs) and not (tmp_path / "bad").exists()


def test_bad_inputs(samples: list[Sample]) -> None:
    bad = {s.doc.path.name: s for s in samples if s.truth["expect"] != "loaded"}
    assert all(s.doc.path.parent.name == "bad" and not s.truth["facts"] for s in bad.values())
    kinds = {s.truth["quirks"][0]: s for s in bad.values()}
    assert set(kinds) == set(BAD_QUIRKS)
    assert kinds["bad_empty"].data == b""
    assert b"\x00" in kinds["bad_binary"].data and kinds["bad_binary"].doc.path.suffix == ".html"
    for encoding in ("utf-8", "gb18030"):
        with pytest.raises(UnicodeDecodeError):
            kinds["bad_undecodable"].data.decode(encoding)
    assert kinds["bad_unsupported_extension"].doc.path.suffix == ".rtf"
    assert (
        "三、收到和处理" in kinds["bad_truncated"].data.decode()
        and b"</html>" not in kinds["bad_truncated"].data
    )
    assert {s.truth["expect"] for s in bad.values() if s.truth["quirks"] == ["bad_not_a_report"]} == {
        "rejected"
    }
    assert "关于2014年政府信息公开工作要点落实情况的函.html" in bad
    assert {s.truth["expect"] for s in bad.values() if "not_a_report" not in s.truth["quirks"][0]} == {
        "error"
    }


def test_national_roster_streams_deterministically(tmp_path: Path) -> None:
    from xxgk.samples.national import counties, national_plans, write_national

    assert len(counties()) > 2800
    first = [(a.name, [p.year for p in plans]) for a, plans in national_plans(7, range(2014, 2026), 500)]
    again = [(a.name, [p.year for p in plans]) for a, plans in national_plans(7, range(2014, 2026), 500)]
    assert first == again and sum(len(y) for _, y in first) == 500
    assert len({name for name, _ in first}) == len(first)
    serial = write_national(tmp_path / "a", seed=7, limit=30, workers=1)
    parallel = write_national(tmp_path / "b", seed=7, limit=30, workers=2)
    assert serial == parallel == 30
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert files_a == files_b
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files_a)
