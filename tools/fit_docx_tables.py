"""Fit the tables of a DOCX into its page's text width, as a Word report printed by an agency does.

    python tools/fit_docx_tables.py REPORT.docx [--pdf]

LibreOffice, saving a published web page as DOCX, keeps the page's table widths in fixed-layout
tables; a table wider than the text width then prints off the right edge of the paper (平潭 2019:
11,339 twips of table on 10,205 of text width, so its total column was not on the printed page). Each
table wider than the text width of the section it is in has its column, cell and table widths scaled
down by the same factor (its text wraps more, nothing else changes). With --pdf the fitted document is
printed to PDF next to it by LibreOffice (`soffice --headless --convert-to pdf`).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path

import docx
from docx.oxml.ns import qn

WIDTHS = ("w:gridCol", "w:tblW", "w:tcW")


def text_width(document: docx.document.Document) -> int:
    """Twips between the margins of the document's last section (its tables' section here)."""
    section = document.sections[-1]
    if section.page_width is None or section.left_margin is None or section.right_margin is None:
        raise ValueError("the last section gives no page width or margins")
    return int(section.page_width.twips - section.left_margin.twips - section.right_margin.twips)


def fit_tables(path: Path) -> list[tuple[int, int]]:
    """Scales every table wider than the text width into it; (old, new) width of each one changed."""
    document = docx.Document(str(path))
    room = text_width(document)
    changed = []
    for table in document.tables:
        width = sum(int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.iter(qn("w:gridCol")))
        if width <= room:
            continue
        for tag in WIDTHS:
            for element in table._tbl.iter(qn(tag)):
                if element.get(qn("w:type"), "dxa") == "dxa" and element.get(qn("w:w")):
                    element.set(qn("w:w"), str(int(element.get(qn("w:w"))) * room // width))
        changed.append((width, room))
    document.save(str(path))
    return changed


def print_pdf(path: Path) -> Path:
    soffice = shutil.which("soffice") or "soffice"
    command = [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(path.parent), str(path)]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    return path.with_suffix(".pdf")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("docx", type=Path)
    parser.add_argument("--pdf", action="store_true", help="print the fitted document to PDF next to it")
    args = parser.parse_args()
    for old, new in fit_tables(args.docx):
        print(f"{args.docx.name}: a table {old} twips wide fitted into {new}")
    if args.pdf:
        print(print_pdf(args.docx))


if __name__ == "__main__":
    main()
