"""Reader benchmark: time to read one 6-page PDF report and one DOCX report, on one core.

    python benchmarks/read_bench.py [--repeat 10] [--pdf FILE] [--docx FILE]

Without --pdf, a 6-page PDF is assembled from the committed PDF fixtures (a 4-page v2021 report and the
first two pages of a v2019 report, so it holds five statistics tables). Prints the median and best of
`read` (file -> Document) and `parse` (file -> facts, checks, metadata).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pypdfium2

from etl.pipeline import parse_file
from etl.readers import read_document

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "reports"
PDF_MAIN = FIXTURES / "常山县水利局_2024.pdf"
PDF_EXTRA = FIXTURES / "柯城区教育局_2020.pdf"
DOCX = FIXTURES / "开化县华埠镇人民政府_2023.docx"


def six_page_pdf(out: Path) -> Path:
    merged = pypdfium2.PdfDocument.new()
    merged.import_pages(pypdfium2.PdfDocument(PDF_MAIN))
    merged.import_pages(pypdfium2.PdfDocument(PDF_EXTRA), pages=[0, 1])
    merged.save(out)
    return out


def timed(function: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def report(name: str, path: Path, repeat: int) -> None:
    data = path.read_bytes()
    pages = read_document(path, data).meta
    read = timed(lambda: read_document(path, data), repeat)
    parse = timed(lambda: parse_file(path), repeat)
    extra = f", {dict(pages).get('pages')} pages" if dict(pages).get("pages") else ""
    print(f"{name} ({path.name}, {len(data) // 1024} KB{extra})")
    print(f"  read : median {read[0] * 1000:7.1f} ms   best {read[1] * 1000:7.1f} ms")
    print(f"  parse: median {parse[0] * 1000:7.1f} ms   best {parse[1] * 1000:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--pdf", type=Path)
    parser.add_argument("--docx", type=Path, default=DOCX)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        pdf = args.pdf or six_page_pdf(Path(work) / "six_pages.pdf")
        report("PDF", pdf, args.repeat)
        report("DOCX", args.docx, args.repeat)


if __name__ == "__main__":
    main()
