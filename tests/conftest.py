from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pytest
from hypothesis import settings

if TYPE_CHECKING:
    from xxgk.ingest import IngestSummary
    from xxgk.samples import SampleDoc

ROOT = Path(__file__).resolve().parent.parent
# The shared corpus sits beside the checkout; XXGK_REAL_CORPUS points elsewhere (e.g. from a git worktree).
REAL_CORPUS = Path(os.environ.get("XXGK_REAL_CORPUS") or ROOT.parent / "shared" / "corpus" / "real")
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLDEN = Path(__file__).resolve().parent / "golden"

# Hypothesis's 200 ms deadline per example is a timing assertion: a shared or parallel run (two pytest
# workers on two cores) misses it on a first call. Speed is measured in benchmarks/, not asserted here.
settings.register_profile("xxgk", deadline=None)
settings.load_profile("xxgk")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite tests/golden/*.json from the parser"
    )


def pytest_report_header() -> str:
    return f"duckdb {duckdb.__version__}; shared corpus: {'present' if REAL_CORPUS.exists() else 'absent'}"


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def real_report(name: str) -> Path:
    path = REAL_CORPUS / name
    if not path.exists():
        pytest.skip(f"shared corpus not available ({path}); the generated samples cover the same ground")
    return path


@dataclass(frozen=True)
class DefaultCorpus:
    """The generator's default corpus (seed 42, 36 agencies, 2014–2025) with its bad inputs."""

    folder: Path
    docs: list[SampleDoc]


@dataclass(frozen=True)
class IngestedCorpus:
    corpus: DefaultCorpus
    warehouse: Path
    summary: IngestSummary


@pytest.fixture(scope="session")
def default_corpus(tmp_path_factory: pytest.TempPathFactory) -> DefaultCorpus:
    """Generated once per session (it prints PDFs with LibreOffice); tests only read it."""
    from xxgk.samples import generate_corpus

    folder = tmp_path_factory.mktemp("default_corpus")
    return DefaultCorpus(folder, generate_corpus(folder, include_bad=True))


@pytest.fixture(scope="session")
def ingested_default_corpus(
    default_corpus: DefaultCorpus, tmp_path_factory: pytest.TempPathFactory
) -> IngestedCorpus:
    """The default corpus ingested once into a warehouse; tests only read it."""
    from xxgk.ingest import ingest

    directory = tmp_path_factory.mktemp("default_corpus_warehouse")
    summary = ingest([default_corpus.folder], directory, jobs=2)
    return IngestedCorpus(default_corpus, directory, summary)


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real warehouse built by ingesting a generated corpus: 12 agencies, 2016–2024, with bad inputs."""
    from xxgk.ingest import ingest
    from xxgk.samples import generate_corpus

    base = tmp_path_factory.mktemp("sample_warehouse")
    generate_corpus(base / "samples", n_agencies=12, years=range(2016, 2025), include_bad=True)
    ingest([base / "samples"], base / "data", jobs=2)
    return base / "data"


@pytest.fixture(scope="module")
def con(sample_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the sample warehouse's current version (a test module may define its own)."""
    from warehouse.db import connect
    from warehouse.publish import current_version

    version = current_version(sample_warehouse)
    assert version is not None
    connection = connect(version, read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def hostile_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real warehouse whose titles, agency names and file names are full of markup."""
    from tests.hostile_warehouse import build

    return build(tmp_path_factory.mktemp("hostile_warehouse"))
