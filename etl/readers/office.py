"""Legacy Word (.doc) and WPS (.wps) files, read by converting them to .docx with LibreOffice headless.

LibreOffice is optional: without it these files fail with a one-line reason that says what to install.
Each conversion uses its own throwaway LibreOffice profile, so parallel ingest workers never share one.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from etl.errors import UnreadableDocument
from etl.readers.docx import read_docx
from etl.records import Document

SOFFICE_NAMES = ("soffice", "libreoffice")
CONVERT_TIMEOUT = 180
INSTALL_HINT = (
    "install LibreOffice (Debian/Ubuntu: apt-get install libreoffice-writer-nogui) or save the file as .docx"
)


def soffice() -> str | None:
    """The LibreOffice executable, or None when it is not installed."""
    return next((found for name in SOFFICE_NAMES if (found := shutil.which(name))), None)


def convert(sources: Sequence[Path], target: str, out_dir: Path) -> list[Path]:
    """Convert files with LibreOffice headless (target such as "docx" or "pdf"); returns the outputs.

    Raises UnreadableDocument when LibreOffice is missing, fails or produces nothing.
    """
    program = soffice()
    if program is None:
        raise UnreadableDocument(
            f"LibreOffice is needed to convert {sources[0].suffix} files: {INSTALL_HINT}"
        )
    with tempfile.TemporaryDirectory(prefix="xxgk-lo-") as profile:
        command = [
            program,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(out_dir),
            *map(str, sources),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=CONVERT_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise UnreadableDocument(
                f"LibreOffice did not convert {sources[0].name} within {CONVERT_TIMEOUT} s"
            ) from None
        except OSError as exc:
            raise UnreadableDocument(f"LibreOffice could not be started ({exc.strerror or exc})") from None
    outputs = [out_dir / f"{source.stem}.{target}" for source in sources]
    missing = [p.name for p in outputs if not p.exists()]
    if missing:
        raise UnreadableDocument(f"LibreOffice could not convert {missing[0]} (damaged or not a Word file?)")
    return outputs


def read_legacy_word(path: str, data: bytes) -> Document:
    """.doc / .wps -> .docx (LibreOffice) -> Document, keeping the original file name as its source."""
    name = Path(path).name
    if soffice() is None:
        raise UnreadableDocument(
            f"{name}: reading {Path(path).suffix} files needs LibreOffice; {INSTALL_HINT}"
        )
    try:
        with tempfile.TemporaryDirectory(prefix="xxgk-doc-") as work:
            source = Path(work) / f"input{Path(path).suffix.lower()}"
            source.write_bytes(data)
            (converted,) = convert([source], "docx", Path(work))
            document = read_docx(path, converted.read_bytes())
    except OSError as exc:
        raise UnreadableDocument(f"{name}: cannot convert with LibreOffice ({exc.strerror or exc})") from None
    return replace(document, format=Path(path).suffix.lower().lstrip("."))
