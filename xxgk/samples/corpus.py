"""Writing the sample corpus: documents, their truth files and a manifest."""

from __future__ import annotations

import json
import os
import random
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

from xxgk.samples.bad import BadInput, Page, bad_inputs
from xxgk.samples.document import build_document
from xxgk.samples.faults import failures, plant
from xxgk.samples.figures import Chain, new_figures, old_figures
from xxgk.samples.model import Agency, Document, Fact, Figures, Plan
from xxgk.samples.office import can_print_pdf, print_pdfs
from xxgk.samples.plan import Corpus, corpus_plans
from xxgk.samples.quirks import content_quirks
from xxgk.samples.render_docx import render_docx
from xxgk.samples.render_html import render_html
from xxgk.samples.render_text import render_text
from xxgk.samples.tables import build_tables

PARALLEL_FROM = 2000
CORRECTED = {
    "old": "old.complaints",
    "v2019": "v2019.licensing.decisions",
    "v2021": "v2021.licensing.decisions",
}


@dataclass(frozen=True)
class SampleDoc:
    path: Path
    truth_path: Path
    expect: str


def yearly_figures(plans: list[Plan], agency: Agency) -> dict[int, Figures]:
    chain = Chain()
    found: dict[int, Figures] = {}
    for plan in sorted((p for p in plans if p.version_of is None), key=lambda p: p.year):
        rng = random.Random(f"{plan.rng_key}|figures")
        found[plan.year] = (
            old_figures(rng, agency)
            if plan.template == "old"
            else new_figures(rng, plan.template, agency, chain)
        )
    return found


def figures_for(plan: Plan, base: Figures) -> Figures:
    figures = base
    for fault in plan.faults:
        figures = plant(figures, fault)
    if plan.version_of:
        key = (CORRECTED[plan.template], "")
        figures = {**figures, key: figures[key] + 1 + plan.year % 7}
    return figures


def build(plan: Plan, figures: Figures) -> tuple[Document, str, set[str]]:
    rng = random.Random(f"{plan.rng_key}|doc")
    doc = build_document(plan, figures, build_tables(plan, figures, rng), rng)
    text, quirks = render_html(doc, rng) if plan.fmt == "html" else render_text(doc, rng)
    return doc, text, quirks | content_quirks(doc)


def build_office(plan: Plan, figures: Figures) -> tuple[Document, bytes, set[str]]:
    """A report as DOCX bytes (also for reports published as PDF, which are printed from them)."""
    rng = random.Random(f"{plan.rng_key}|doc")
    doc = build_document(plan, figures, build_tables(plan, figures, rng), rng)
    data, quirks = render_docx(doc, rng)
    return doc, data, quirks | content_quirks(doc)


Pending = tuple[str, bytes, dict[str, Any]]
"""A report planned as PDF: its file name, the DOCX bytes to print and its truth."""


def write_pdfs(out_dir: Path, pending: list[Pending]) -> list[SampleDoc]:
    """Print the pending DOCX files to PDF in one LibreOffice run; without LibreOffice keep them DOCX."""
    printed = print_pdfs([data for _, data, _ in pending])
    docs = []
    for index, (name, data, truth) in enumerate(pending):
        if printed is not None:
            docs.append(write(out_dir, name, printed[index], truth))
            continue
        docx_name = f"{name.removesuffix('.pdf')}.docx"
        version_of = truth["version_of"] and f"{truth['version_of'].removesuffix('.pdf')}.docx"
        fallback = {**truth, "file": docx_name, "format": "docx", "version_of": version_of}
        docs.append(write(out_dir, docx_name, data, fallback))
    return docs


def encode(text: str, plan: Plan) -> bytes:
    if plan.encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    return text.encode(plan.encoding)


def planted(doc: Document) -> list[str]:
    plan = doc.plan
    if not plan.faults:
        return []
    stated = [fault for fault in plan.faults if fault.startswith(("T", "F"))]
    return sorted({*failures(doc.facts(), plan.template), *stated})


def truth_of(doc: Document, quirks: set[str]) -> dict[str, Any]:
    plan, agency = doc.plan, doc.plan.agency
    return {
        "file": plan.file_name,
        "sample": True,
        "expect": "loaded",
        "agency": agency.name,
        "year": plan.year,
        "template": plan.template,
        "format": plan.fmt,
        "encoding": plan.encoding,
        "province": agency.province,
        "city": agency.city,
        "county": agency.county,
        "vertical": agency.vertical,
        "title": doc.title,
        "published": doc.published,
        "version_of": plan.version_of,
        "planted_faults": planted(doc),
        "quirks": sorted(quirks),
        "facts": doc.facts(),
    }


def bad_truth(bad: BadInput) -> dict[str, Any]:
    return {
        "file": bad.name,
        "sample": True,
        "expect": bad.expect,
        "agency": bad.agency,
        "year": bad.year,
        "template": bad.template,
        "format": bad.fmt,
        "encoding": bad.encoding,
        "province": None,
        "city": None,
        "county": None,
        "vertical": False,
        "title": None,
        "published": None,
        "version_of": None,
        "planted_faults": [],
        "quirks": [bad.kind],
        "facts": [],
    }


def dumps(truth: dict[str, Any]) -> str:
    """Same text as json.dumps(truth, ensure_ascii=False, indent=1, sort_keys=True), but faster."""
    facts: list[Fact] = truth["facts"]
    text = json.dumps({**truth, "facts": []}, ensure_ascii=False, indent=1, sort_keys=True)
    if not facts:
        return text
    items = ",\n".join(_fact_json(fact) for fact in facts)
    return text.replace('\n "facts": [],\n', f'\n "facts": [\n{items}\n ],\n', 1)


_FACT_JSON = (
    '  {\n   "breakdown": %s,\n   "metric_code": %s,\n   "semantic": %s,\n'
    '   "value": %s,\n   "value_raw": %s\n  }'
)


def _fact_json(fact: Fact) -> str:
    value = "null" if fact.value is None else encode_basestring(fact.value)
    return _FACT_JSON % (
        encode_basestring(fact.breakdown),
        encode_basestring(fact.metric_code),
        encode_basestring(fact.semantic),
        value,
        encode_basestring(fact.value_raw),
    )


def write(out_dir: Path, name: str, data: bytes, truth: dict[str, Any]) -> SampleDoc:
    path = out_dir / name
    truth_path = path.with_name(f"{path.name}.truth.json")
    path.write_bytes(data)
    truth_path.write_text(dumps(truth) + "\n", encoding="utf-8")
    return SampleDoc(path, truth_path, truth["expect"])


def write_agencies(
    out_dir: Path, groups: list[tuple[Agency, list[Plan]]]
) -> tuple[list[SampleDoc], Page | None, list[Pending]]:
    docs: list[SampleDoc] = []
    pending: list[Pending] = []
    first_v2021: Page | None = None
    for agency, plans in groups:
        base = yearly_figures(plans, agency)
        for plan in plans:
            if plan.fmt in ("docx", "pdf"):
                office, data, found = build_office(plan, figures_for(plan, base[plan.year]))
                if plan.fmt == "pdf":
                    pending.append((plan.file_name, data, truth_of(office, found)))
                else:
                    docs.append(write(out_dir, plan.file_name, data, truth_of(office, found)))
                continue
            doc, text, quirks = build(plan, figures_for(plan, base[plan.year]))
            docs.append(write(out_dir, plan.file_name, encode(text, plan), truth_of(doc, quirks)))
            if (
                first_v2021 is None
                and plan.fmt == "html"
                and plan.template == "v2021"
                and plan.ext == ".html"
            ):
                first_v2021 = Page(plan.file_name, text, agency.name, plan.year)
    return docs, first_v2021, pending


def write_reports(out_dir: Path, corpus: Corpus) -> tuple[list[SampleDoc], Page | None]:
    """Write every report, in worker processes when the corpus is large; the bytes never depend on it."""
    by_agency: dict[str, list[Plan]] = {}
    for plan in corpus.plans:
        by_agency.setdefault(plan.agency.name, []).append(plan)
    groups = [(agency, by_agency.get(agency.name, [])) for agency in corpus.agencies]
    workers = min(os.cpu_count() or 1, 8)
    if workers == 1 or len(corpus.plans) < PARALLEL_FROM:
        docs, first, pending = write_agencies(out_dir, groups)
        return docs + write_pdfs(out_dir, pending), first
    size = -(-len(groups) // (workers * 4))
    chunks = [groups[i : i + size] for i in range(0, len(groups), size)]
    with ProcessPoolExecutor(workers) as pool:
        results = list(pool.map(write_agencies, [out_dir] * len(chunks), chunks))
    docs = [doc for found, _, _ in results for doc in found]
    docs += write_pdfs(out_dir, [item for _, _, pending in results for item in pending])
    return docs, next((first for _, first, _ in results if first), None)


def write_bad(out_dir: Path, seed: int, corpus: Corpus, source: Page | None) -> list[SampleDoc]:
    bad_dir = out_dir / "bad"
    bad_dir.mkdir(exist_ok=True)
    county = corpus.agencies[0].county or corpus.agencies[0].city
    names = [a.name for a in corpus.agencies]
    return [
        write(bad_dir, bad.name, bad.data, bad_truth(bad)) for bad in bad_inputs(seed, county, names, source)
    ]


def manifest(out_dir: Path, docs: list[SampleDoc], corpus: Corpus, seed: int, years: range) -> dict[str, Any]:
    files = [
        {
            "file": doc.path.relative_to(out_dir).as_posix(),
            "truth": doc.truth_path.relative_to(out_dir).as_posix(),
            "expect": doc.expect,
        }
        for doc in docs
    ]
    versions = [{"file": p.file_name, "version_of": p.version_of} for p in corpus.plans if p.version_of]
    return {
        "generator": "xxgk.samples",
        "sample": True,
        "seed": seed,
        "n_agencies": len(corpus.agencies),
        "years": [years[0], years[-1]] if years else [],
        "files": files,
        "gaps": [{"agency": name, "year": year} for name, year in corpus.gaps],
        "versions": versions,
    }


def generate_corpus(
    out_dir: Path,
    *,
    seed: int = 42,
    n_agencies: int = 36,
    years: range = range(2014, 2026),
    include_bad: bool = False,
) -> list[SampleDoc]:
    """Write sample reports with their truth into `out_dir`; the same seed gives the same bytes."""
    if n_agencies < 1:
        raise ValueError(f"n_agencies must be at least 1, not {n_agencies}")
    out_dir.mkdir(parents=True, exist_ok=True)
    corpus = corpus_plans(seed, n_agencies, years)
    if any(p.fmt == "docx" for p in corpus.plans) and not can_print_pdf():
        print("LibreOffice not found: reports planned as PDF are written as DOCX", file=sys.stderr)
    docs, source = write_reports(out_dir, corpus)
    if include_bad:
        docs.extend(write_bad(out_dir, seed, corpus, source))
    listing = manifest(out_dir, docs, corpus, seed, years)
    (out_dir / "manifest.json").write_text(
        json.dumps(listing, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    return docs
