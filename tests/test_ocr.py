"""Scanned and image-only reports read by OCR (etl/ocr, etl/readers/ocr.py), checked cell by cell.

The scanned copies are made here from the committed sample PDFs (xxgk/samples/scans.py): rendered at
150–300 dpi, rotated, on grey paper, with noise, JPEG artefacts, a red seal over the table, and one
photographed at a slant under uneven light. `benchmarks/ocr_bench.py` runs the same on every sample.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from etl.errors import NeedsOcr, NotAReport
from etl.ocr.detect import garbage_text_layer
from etl.ocr.grid import find_grids, without_text
from etl.ocr.image import binarise, prepare
from etl.ocr.page import is_slash
from etl.pipeline import parse_file
from etl.readers import read_document
from etl.readers.images import page_images
from etl.readers.ocr import SCALE, cell_text, line_text
from etl.records import ParsedReport
from tests.conftest import FIXTURES
from tests.ocr_scans import compare, truth_of
from xxgk.samples.scans import STYLES, Spoil, as_image, as_pdf, scanned_pages, write_scan

V2021 = FIXTURES / "reports" / "常山县水利局_2024.pdf"
OLD = FIXTURES / "reports" / "衢江区自然资源和规划局_2014.pdf"
STYLE = {s.name: s for s in STYLES}


def _copy(original: Path, folder: Path, name: str) -> Path:
    target = write_scan(original, folder, STYLE[name])
    assert json.loads(Path(f"{target}.truth.json").read_text(encoding="utf-8"))["scan"] == name
    return target


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("scans")


@pytest.fixture(scope="module")
def sealed_v2021(scans: Path) -> tuple[Path, ParsedReport]:
    path = _copy(V2021, scans, "scan200")
    return path, parse_file(path)


@pytest.fixture(scope="module")
def phone_old(scans: Path) -> tuple[Path, ParsedReport]:
    path = _copy(OLD, scans, "phone")
    return path, parse_file(path)


# --- whole reports ---------------------------------------------------------------------------------


@pytest.mark.slow  # OCR of whole generated scans
def test_sealed_scan_reads_every_cell(sealed_v2021: tuple[Path, ParsedReport]) -> None:
    path, report = sealed_v2021
    outcome = compare(report, truth_of(path))
    assert outcome.meta_right
    assert (outcome.right, outcome.wrong_unflagged, outcome.left_out) == (outcome.cells, [], [])
    assert {f.confidence for f in report.facts} == {"ocr"}
    failed = [c.check_id for c in report.checks if c.status == "fail"]
    assert report.format == "pdf" and failed == ["F4"]  # as the PDF itself reads: it prints no 统计期限


@pytest.mark.slow  # OCR of whole generated scans
def test_ocr_values_carry_score_crop_and_confirmation(sealed_v2021: tuple[Path, ParsedReport]) -> None:
    _, report = sealed_v2021
    evidence = {(e.metric_code, e.breakdown): e for e in report.ocr}
    total = evidence[("req.total", "total")]
    assert total.confirmed and not total.doubt and 0.5 < total.score <= 1.0
    assert total.crop_png.startswith(b"\x89PNG")
    image = Image.open(io.BytesIO(total.crop_png))
    assert 10 <= image.height <= 48
    # table 二 takes part in no identity: read twice, never confirmed
    assert not evidence[("v2021.licensing.decisions", "")].confirmed
    assert sum(e.confirmed for e in report.ocr) > 150


@pytest.mark.slow  # OCR of whole generated scans
def test_photographed_old_table(phone_old: tuple[Path, ParsedReport]) -> None:
    path, report = phone_old
    outcome = compare(report, truth_of(path))
    assert outcome.meta_right and outcome.wrong_unflagged == [] and outcome.left_out == []
    assert outcome.right >= outcome.cells - len(outcome.wrong_flagged)


@pytest.mark.slow
def test_multipage_tiff_and_image_web_page(tmp_path: Path) -> None:
    pages = scanned_pages(V2021.read_bytes(), STYLE["fax200"], seed=3)
    frames = [Image.fromarray(p) for p in pages]
    tiff = tmp_path / "常山县水利局_2024.tif"
    frames[0].save(tiff, "TIFF", save_all=True, append_images=frames[1:], compression="tiff_deflate")
    truth = truth_of(V2021)
    report = parse_file(tiff)
    assert compare(report, truth).wrong_unflagged == []
    assert compare(report, truth).right == len(truth["facts"])

    web = tmp_path / "web"
    web.mkdir()
    names = []
    for number, page in enumerate(pages, start=1):
        name = f"page{number}.jpg"
        (web / name).write_bytes(as_image(page, ".jpg"))
        names.append(name)
    images = "".join(f'<p><img src="{n}" width="800"></p>' for n in names)
    html = (
        "<html><head><title>常山县水利局2024年政府信息公开工作年度报告（图片版）</title></head>"
        f"<body><h1>常山县水利局2024年政府信息公开工作年度报告</h1>{images}</body></html>"
    )
    page_file = web / "report.html"
    page_file.write_text(html, encoding="utf-8")
    assert page_images(str(page_file), html.encode()) == [web / n for n in names]
    report = parse_file(page_file)
    assert report.format == "html"
    assert compare(report, truth).right == len(truth["facts"])
    with pytest.raises(NotAReport, match="read with that page"):
        read_document(web / "page1.jpg", (web / "page1.jpg").read_bytes())


@pytest.mark.slow
def test_failing_identity_is_flagged_with_its_cells(tmp_path: Path) -> None:
    """A scan whose printed table breaks an identity: the cells are named, nothing is silently changed."""
    import pdfplumber

    with pdfplumber.open(V2021) as pdf:  # where (七)总计's first value (natural persons: 3) is printed
        number, word = next(
            (n, values[0])
            for n, page in enumerate(pdf.pages)
            for label in page.extract_words()
            if label["text"] == "（七）总计"
            for values in [[w for w in page.extract_words() if abs(w["top"] - label["top"]) < 4][1:]]
        )
    assert word["text"] == "3"
    spoil = Spoil("plain", 200, 0.0, 255, 0.0, 0, seal=False)
    pages = scanned_pages(V2021.read_bytes(), spoil)
    page = pages[number]
    x0, top, x1, bottom = (int(word[k] * 200 / 72) for k in ("x0", "top", "x1", "bottom"))
    page[top - 2 : bottom + 2, x0 - 2 : x1 + 2] = 255
    cv2.putText(page, "7", (x0 - 2, bottom), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (0, 0, 0), 2)
    path = tmp_path / "altered.pdf"
    path.write_bytes(as_pdf(pages, 200))
    report = parse_file(path)
    total = next(f for f in report.facts if (f.metric_code, f.breakdown) == ("req.total", "natural_person"))
    assert total.value_raw == "7"
    flags = [w for w in report.warnings if w.code == "ocr_identity_failed"]
    assert any("（七）总计[natural_person] (page 4, row" in w.message for w in flags)
    assert all("check the cells:" in w.message and "(page " in w.message for w in flags)
    assert any(c.status == "fail" and c.check_id in ("N2", "N3") for c in report.checks)
    doubted = {(e.metric_code, e.breakdown) for e in report.ocr if e.doubt}
    assert ("req.total", "natural_person") in doubted


# --- pieces ----------------------------------------------------------------------------------------


def test_image_only_pdf_needs_ocr(tmp_path: Path) -> None:
    from etl.readers.pdf import read_pdf

    pages = scanned_pages(V2021.read_bytes(), STYLE["scan150"])[:1]
    with pytest.raises(NeedsOcr, match="no text layer"):
        read_pdf("scan.pdf", as_pdf(pages, 150))


def test_garbage_text_layer() -> None:
    assert garbage_text_layer("(cid:12)(cid:77)(cid:3)" * 40)
    assert garbage_text_layer("\ue001\ue002\ue003 abc" * 30)
    assert garbage_text_layer("Ë¿ÄêÕþ¸®ÐÅÏ¢¹«¿ª¹¤×÷Äê¶È±¨¸æ" * 5)
    assert not garbage_text_layer(
        "常山县水利局2024年政府信息公开工作年度报告，全年主动公开政府信息132条。" * 3
    )
    assert not garbage_text_layer("short")


def _synthetic_table(angle: float) -> np.ndarray:
    page = np.full((1400, 1654, 3), 235, np.uint8)
    xs, ys = [200, 600, 900, 1200, 1450], [300, 360, 420, 480, 600]
    for x in xs:
        cv2.line(page, (x, ys[0]), (x, ys[-1]), (0, 0, 0), 2)
    for y in ys:
        cv2.line(page, (xs[0], y), (xs[-1], y), (0, 0, 0), 2)
    cv2.rectangle(page, (602, 482), (1198, 598), (235, 235, 235), -1)  # one merged cell over 2 columns
    cv2.line(page, (600, 480), (1200, 480), (0, 0, 0), 2)
    seal = np.full_like(page, 255)
    cv2.circle(seal, (1000, 420), 110, (40, 40, 225), 8)  # a red seal (BGR), printed over the lines
    page = (page.astype(np.float32) * seal.astype(np.float32) / 255).astype(np.uint8)
    matrix = cv2.getRotationMatrix2D((827, 700), angle, 1.0)
    return np.asarray(cv2.warpAffine(page, matrix, (1654, 1400), borderValue=(235, 235, 235)), np.uint8)


@pytest.mark.parametrize("angle", [-2.0, 0.0, 1.5])
def test_grid_of_a_rotated_table_with_a_seal(angle: float) -> None:
    bgr = _synthetic_table(angle)
    prepared = prepare(np.ascontiguousarray(bgr[:, :, ::-1]), SCALE)
    if angle == 0.0:
        assert prepared.image[520:540, 990:1010].min() > 200  # the seal's ring is gone
    grids = find_grids(binarise(prepared.image))
    assert len(grids) == 1
    grid = grids[0]
    assert (grid.n_rows, len(grid.xs) - 1) == (4, 4)
    merged = [c for c in grid.cells if c.colspan > 1]
    assert [(c.row, c.col, c.colspan) for c in merged] == [(3, 1, 2)]


def test_a_ruling_line_a_text_box_runs_over_is_not_cleared_with_the_text() -> None:
    """柯城区人民政府办公室 2021 at 200 dpi: the sub-headers of table 三 (商业企业 …) sit tight under the line
    below 法人或其他组织, so their text boxes reach over it; clearing the boxes' text cut that line into
    pieces and five columns were lost (76 of 202 cells read). A row of the box inked across is kept;
    the strokes of the characters are still cleared."""
    from etl.ocr.engine import Box

    ink = np.zeros((200, 400), np.uint8)
    ink[50:53, 20:380] = 255  # the ruling line
    ink[58:82, 100:104] = ink[68:71, 90:130] = 255  # a character (十) under the line
    box = Box(80, 38, 200, 98)  # detection's box of the sub-header, reaching over the line
    cleared = without_text(ink, [box])
    assert cleared[50:53, 82:198].all()  # the line is kept
    assert not cleared[58:82, 100:104].any() and not cleared[68:71, 90:130].any()


def test_slash_is_not_one() -> None:
    def drawn(text: str) -> np.ndarray:
        ink = np.zeros((60, 80), np.uint8)
        cv2.putText(ink, text, (25, 45), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 255, 3)
        return ink

    from etl.ocr.engine import Box

    box = Box(0, 0, 80, 60)
    assert is_slash(drawn("/"), box)
    assert not is_slash(drawn("1"), box)


def test_ocr_text_cleaning() -> None:
    assert line_text("1·政府公报公开政府信息数") == "1.政府公报公开政府信息数"
    assert line_text("(一) 主动公开 政府信息") == "(一)主动公开政府信息"
    assert cell_text("一") == "—"
    assert cell_text("一、主动公开情况") == "一、主动公开情况"
    assert cell_text("12\n34") == "12\n34"


@pytest.mark.slow  # OCR of whole generated scans
def test_scans_are_deterministic(tmp_path: Path) -> None:
    first = scanned_pages(OLD.read_bytes(), STYLE["phone"], seed=1)[0]
    again = scanned_pages(OLD.read_bytes(), STYLE["phone"], seed=1)[0]
    assert np.array_equal(first, again)
    copy = shutil.copy(OLD, tmp_path / OLD.name)
    assert Path(copy).exists()


def test_identities_choose_among_rereadings() -> None:
    """The choosing step on a real report (read from its text layer): one cell spoiled, its re-readings
    offered; only the reading that makes every identity pass is chosen, and two that would are not."""
    from dataclasses import replace

    from etl.ocr.trust import _solutions, involvement
    from etl.templates import run_checks

    report = parse_file(V2021)
    facts = {(f.metric_code, f.breakdown): f for f in report.facts}
    key = ("req.total", "total")
    right = facts[key]
    spoiled = {**facts, key: replace(right, value=right.value + 5, value_raw=str(right.value + 5))}
    checks = run_checks(spoiled, report.template)
    broken = replace(report, facts=tuple(spoiled.values()), checks=checks)
    assert any(c.status == "fail" and c.severity == "error" for c in checks)
    involved = involvement(broken)
    failing = [i for i, c in enumerate(checks) if c.status == "fail" and c.severity == "error"]
    assert all(key in involved[i] for i in failing)

    wrong = replace(right, value=right.value + 1, value_raw=str(right.value + 1))
    solutions = _solutions(broken, spoiled, {key: [wrong, right]})
    assert [[(c.key, c.fact.value) for c in s] for s in solutions] == [[(key, right.value)]]

    assert _solutions(broken, spoiled, {key: [wrong]}) == []
