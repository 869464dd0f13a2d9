"""The data files shipped inside the `etl` package (catalogues and CSV tables), read as text.

The package is installed as a directory (pip, editable or not), so the files lie beside this module,
where `importlib.resources.files("etl")` points too; reading them by path spares every parse process
importing importlib.resources, which brings tempfile, shutil, zipfile, bz2, lzma and random with it.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).parent


def read_text(*parts: str) -> str:
    """The UTF-8 text of the package file `parts` (e.g. "data", "divisions.csv")."""
    return PACKAGE.joinpath(*parts).read_text(encoding="utf-8")
