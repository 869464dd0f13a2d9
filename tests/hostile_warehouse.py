"""A warehouse whose reports carry markup in their titles, agency names and file names."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import FIXTURES
from xxgk.ingest import ingest
from xxgk.samples.hostile import HOSTILE_FILE, hostile_report

SOURCE = FIXTURES / "reports" / "开化县发展和改革局_2020.html"
OTHERS = ("常山县天马街道办事处_2021.htm", "江山市交通运输局_2021.txt", "衢江区人民政府办公室_2020.pdf")
BAD_FILE = "坏**文件**`x`[点我](mailto:a@b.example).txt"


def build(base: Path) -> Path:
    inbox = base / "inbox"
    inbox.mkdir(parents=True)
    (inbox / HOSTILE_FILE).write_text(hostile_report(SOURCE.read_text(encoding="utf-8")), encoding="utf-8")
    for name in OTHERS:
        shutil.copy(FIXTURES / "reports" / name, inbox / name)
    (inbox / BAD_FILE).write_bytes(b"")
    ingest([inbox], base / "data", jobs=2)
    return base / "data"
