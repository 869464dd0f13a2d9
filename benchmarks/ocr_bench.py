"""OCR accuracy and speed on scanned copies of the sample reports (and of the real reports printed to PDF).

    python benchmarks/ocr_bench.py [--agencies 36] [--styles all|scan200,phone,...] [--limit N] [--out DIR]
    python benchmarks/ocr_bench.py --scans DIR      # score scans made before (each with its .truth.json)
    XXGK_REAL_CORPUS=../shared/corpus/real python benchmarks/ocr_bench.py --real [--styles ...]
    XXGK_OCR_ENGINE=tesseract python benchmarks/ocr_bench.py --scans DIR   # the other engine

Without --scans it writes the sample corpus (`xxgk samples`, LibreOffice printing the Word samples to
PDF), makes a scanned copy of every PDF in each style of xxgk/samples/scans.py, reads each copy through
the whole pipeline (etl.pipeline.parse_bytes: OCR, extraction, checks, trust) on one thread, and compares
every cell with the truth. Prints per file and in total:
  cells right / cells in the truth (a blank cell must be read blank),
  wrong and unflagged: a value read wrong that neither sits in a failing identity nor carries a doubt
    (an OCR doubt, or the invalid_value warning of a cell read as no number at all),
  cells left out (not read; the report's missing_cells warning names them),
  agency / year / template right, and CPU seconds per page (this process and its children, one thread).

--real scans the real reports whose hand-checked truth is in benchmarks/truth/ (平潭 2016, 2019, 2021:
each value checked against the table of the published page), printed two ways, both without ruling
lines: the Word copy printed by LibreOffice (tests/fixtures/converted/; its tables fitted to the page by
tools/fit_docx_tables.py) and the web page printed by Chromium with the table borders taken out (needs
XXGK_REAL_CORPUS and /usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

from etl.errors import XxgkError
from etl.pipeline import parse_bytes
from xxgk.samples.scans import STYLES, write_scan

logging.getLogger("pdfminer").setLevel(logging.ERROR)


@dataclass
class Score:
    cells: int = 0
    right: int = 0
    wrong_flagged: int = 0
    wrong_unflagged: int = 0
    left_out: int = 0
    meta_right: int = 0
    files: int = 0
    failed: int = 0
    pages: int = 0
    seconds: float = 0.0
    unflagged: list[str] = field(default_factory=list)


def _cpu() -> float:
    """CPU seconds of this process and of the programs it ran (tesseract runs as one)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


MAX_NOTES = 12
"""Cells left out or flagged that are named under a file's line."""


def pages_of(pdf: Path) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf.read_bytes())
    try:
        return len(document)
    finally:
        document.close()


def score_file(path: Path, total: Score) -> str:
    truth: dict[str, Any] = json.loads(Path(f"{path}.truth.json").read_text(encoding="utf-8"))
    pages = pages_of(path) if path.suffix == ".pdf" else 1
    started = _cpu()
    try:
        report = parse_bytes(str(path), path.read_bytes())
    except XxgkError as exc:
        total.files += 1
        total.failed += 1
        total.cells += len(truth["facts"])
        total.left_out += len(truth["facts"])
        return f"{path.name}: FAILED {exc.reason}"
    seconds = _cpu() - started
    facts = {(f.metric_code, f.breakdown): f for f in report.facts}
    doubts = {(e.metric_code, e.breakdown): e.doubt for e in report.ocr}
    wrong: list[str] = []
    notes: list[str] = []
    counts = {"right": 0, "flagged": 0, "unflagged": 0, "left_out": 0}
    for want in truth["facts"]:
        key = (want["metric_code"], want["breakdown"])
        got = facts.get(key)
        value = None if want["value"] is None else Decimal(want["value"])
        if got is None:
            counts["left_out"] += 1
            notes.append(f"left out {key}")
        elif got.value == value and got.semantic == want["semantic"]:
            counts["right"] += 1
        elif doubts.get(key) or got.semantic == "invalid":
            counts["flagged"] += 1
            notes.append(f"flagged {key}: truth {want['value_raw']!r}, read {got.value_raw!r}")
        else:
            counts["unflagged"] += 1
            wrong.append(f"{key}: truth {want['value_raw']!r}, read {got.value_raw!r}")
    meta_ok = (report.meta.agency, report.meta.year, report.template) == (
        truth["agency"],
        truth["year"],
        truth["template"],
    )
    total.files += 1
    total.cells += len(truth["facts"])
    total.right += counts["right"]
    total.wrong_flagged += counts["flagged"]
    total.wrong_unflagged += counts["unflagged"]
    total.left_out += counts["left_out"]
    total.meta_right += meta_ok
    total.pages += pages
    total.seconds += seconds
    total.unflagged += [f"{path.name} {w}" for w in wrong]
    return (
        f"{path.name}: {counts['right']}/{len(truth['facts'])} right, wrong flagged {counts['flagged']}, "
        f"wrong unflagged {counts['unflagged']}, left out {counts['left_out']}, "
        f"meta {'ok' if meta_ok else 'WRONG'}, "
        f"{seconds / pages:.2f} s/page"
    ) + "".join(f"\n    {note}" for note in notes[:MAX_NOTES])


def make_scans(out: Path, agencies: int, styles: list[str], limit: int | None) -> list[Path]:
    from xxgk.samples import generate_corpus

    samples = out / "samples"
    generate_corpus(samples, n_agencies=agencies)
    originals = sorted(p for p in samples.rglob("*.pdf") if Path(f"{p}.truth.json").exists())
    real = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "scans" / "originals"
    originals += sorted(p for p in real.glob("*.pdf") if Path(f"{p}.truth.json").exists())
    if limit:
        originals = originals[:limit]
    chosen = [s for s in STYLES if "all" in styles or s.name in styles]
    scans = out / "scans"
    scans.mkdir(parents=True, exist_ok=True)
    return [write_scan(original, scans, style) for original in originals for style in chosen]


ROOT = Path(__file__).resolve().parent.parent
TRUTHS = ROOT / "benchmarks" / "truth"
REAL_STYLES = "scan200,fax200,phone"
NO_BORDERS = "<style>table,tr,td,th{border:none !important} td,th{padding:2px 6px}</style>"


def chromium_print(page: Path, target: Path) -> bool:
    """The web page printed to PDF by headless Chromium with its tables' borders taken out."""
    browser = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(browser).exists():
        return False
    source = page.read_text(encoding="utf-8")
    styled = target.with_suffix(".html")
    styled.write_text(source.replace("</head>", NO_BORDERS + "</head>", 1), encoding="utf-8")
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer"]
    subprocess.run(
        [*command, f"--print-to-pdf={target}", styled.as_uri()], capture_output=True, timeout=120, check=False
    )
    return target.exists()


def make_real_scans(out: Path, styles: list[str]) -> list[Path]:
    corpus = Path(os.environ.get("XXGK_REAL_CORPUS", ROOT.parent / "shared" / "corpus" / "real"))
    prints = out / "prints"
    prints.mkdir(parents=True, exist_ok=True)
    originals = []
    for truth in sorted(TRUTHS.glob("*.truth.json")):
        stem = truth.name.removesuffix(".truth.json")
        printed = []
        word_copy = ROOT / "tests" / "fixtures" / "converted" / f"{stem}.pdf"
        if word_copy.exists():
            printed.append(Path(shutil.copyfile(word_copy, prints / f"{stem}_libreoffice.pdf")))
        page = corpus / f"{stem}.html"
        if page.exists() and chromium_print(page, prints / f"{stem}_chromium.pdf"):
            printed.append(prints / f"{stem}_chromium.pdf")
        for original in printed:
            shutil.copyfile(truth, f"{original}.truth.json")
        originals += printed
    chosen = [s for s in STYLES if "all" in styles or s.name in styles]
    scans = out / "scans"
    scans.mkdir(parents=True, exist_ok=True)
    return [write_scan(original, scans, style) for original in originals for style in chosen]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scans", type=Path, help="score the scans in this folder instead of making new ones"
    )
    parser.add_argument("--real", action="store_true", help="the real reports of benchmarks/truth/")
    parser.add_argument("--agencies", type=int, default=36)
    parser.add_argument("--styles", help=f"default: all (--real: {REAL_STYLES})")
    parser.add_argument("--limit", type=int, help="at most this many original PDFs")
    parser.add_argument("--out", type=Path, help="keep the corpus and the scans here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.scans:
            files = sorted(p for p in args.scans.iterdir() if p.suffix in (".pdf", ".png", ".jpg", ".tif"))
            files = [p for p in files if Path(f"{p}.truth.json").exists()]
        elif args.real:
            files = make_real_scans(args.out or Path(tmp), (args.styles or REAL_STYLES).split(","))
        else:
            styles = (args.styles or "all").split(",")
            files = make_scans(args.out or Path(tmp), args.agencies, styles, args.limit)
        total = Score()
        for path in files:
            print(score_file(path, total), flush=True)
    share = total.right / total.cells if total.cells else 0.0
    print()
    print(f"files {total.files} ({total.failed} failed), pages {total.pages}")
    print(f"cells right {total.right}/{total.cells} = {share:.4%}")
    print(
        f"wrong and flagged {total.wrong_flagged}; wrong and unflagged {total.wrong_unflagged}; "
        f"left out {total.left_out}"
    )
    print(f"agency/year/template right {total.meta_right}/{total.files}")
    print(f"CPU seconds per page {total.seconds / max(1, total.pages):.2f} (one thread)")
    for line in total.unflagged[:40]:
        print("  unflagged:", line)


if __name__ == "__main__":
    main()
