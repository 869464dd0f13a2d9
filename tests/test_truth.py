"""Every cell of generated reports against the truth the generator wrote beside them, from the parser
and end to end through the warehouse export."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, DefaultCorpus, IngestedCorpus
from tests.truth import compare_with_truth, documents
from warehouse.export import export_table

TRUTH_FIXTURES = sorted(p for p in (FIXTURES / "reports").iterdir() if Path(f"{p}.truth.json").exists())


@pytest.fixture(scope="module")
def corpus(default_corpus: DefaultCorpus) -> Path:
    return default_corpus.folder


@pytest.mark.parametrize("document", TRUTH_FIXTURES, ids=lambda p: p.name)
def test_committed_samples_match_their_truth(document: Path) -> None:
    assert compare_with_truth(document).problems == []


@pytest.mark.slow
def test_whole_generated_corpus_matches_its_truth(corpus: Path) -> None:
    wrong = {c.path.name: c.problems[:3] for c in map(compare_with_truth, documents(corpus)) if not c.ok}
    assert wrong == {}


@pytest.mark.slow
def test_warehouse_export_holds_exactly_the_true_values(
    ingested_default_corpus: IngestedCorpus, tmp_path: Path
) -> None:
    corpus, warehouse = ingested_default_corpus.corpus.folder, ingested_default_corpus.warehouse
    summary = ingested_default_corpus.summary
    truths = [json.loads(p.read_text(encoding="utf-8")) for p in corpus.rglob("*.truth.json")]
    expected_failures = {t["file"] for t in truths if t["expect"] != "loaded"}
    assert {Path(o.path).name for o in summary.failed} == expected_failures
    out, _, _ = export_table(warehouse, "facts", "csv", tmp_path / "facts.csv")
    assert out is not None
    exported: dict[tuple[str, str, str], tuple[str, str]] = {}
    with out.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            exported[(Path(row["source_file"]).name, row["metric_code"], row["breakdown"])] = (
                row["value"],
                row["semantic"],
            )
    wanted = {
        (truth["file"], f["metric_code"], f["breakdown"]): (f["value"], f["semantic"])
        for truth in truths
        if truth["expect"] == "loaded"
        for f in truth["facts"]
    }
    assert len(exported) == len(wanted)
    for key, (value, semantic) in wanted.items():
        got_value, got_semantic = exported[key]
        assert got_semantic == semantic, key
        assert (Decimal(got_value) if got_value else None) == (
            Decimal(value) if value is not None else None
        ), key
