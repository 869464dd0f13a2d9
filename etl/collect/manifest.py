"""`DIR/manifest.csv`: one row per item a collection met, and the evidence it gives `xxgk ingest`
(the original URL, the publisher and the publication date of a saved document)."""

from __future__ import annotations

import csv
import errno
import io
import os
import stat
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from etl.normalise import remember

MANIFEST = "manifest.csv"
COLUMNS = (
    "url",
    "final_url",
    "list_page",
    "title",
    "published",
    "publisher",
    "index_no",
    "sha256",
    "path",
    "content_type",
    "status",
    "reason",
    "kind",
    "article_url",
    "agency",
    "place_code",
    "seed",
    "fetched_at",
)
STATUSES = ("saved", "duplicate", "not_a_report", "blocked", "failed", "robots_disallowed")
PROBLEMS = ("blocked", "failed", "robots_disallowed")
SEARCH_UP = 4


def manifest_rows(records: Iterable[tuple[str, str, str, dict[str, Any]]]) -> list[dict[str, str]]:
    """Rows for the manifest: every article and file, and list pages that could not be read."""
    rows = []
    for kind, status, reason, record in records:
        item_kind = str(record.get("kind") or kind)
        if status not in STATUSES or (item_kind in ("list", "page") and status not in PROBLEMS):
            continue
        row = {column: str(record.get(column, "") or "") for column in COLUMNS}
        row["status"], row["reason"], row["kind"] = status, reason, item_kind
        rows.append(row)
    return rows


def write_manifest(out_dir: Path, rows: list[dict[str, str]]) -> Path:
    """Write the manifest atomically (UTF-8 with BOM so that Excel shows Chinese)."""
    target = out_dir / MANIFEST
    tmp = target.with_name(f"{MANIFEST}.tmp")
    with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, target)
    return target


def read_manifest(path: Path) -> list[dict[str, str]]:
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"url", "path", "status"} <= set(reader.fieldnames):
        return []
    return list(reader)


@lru_cache(maxsize=16)
def _evidence_table(manifest: str, mtime_ns: int) -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = {}
    for row in read_manifest(Path(manifest)):
        if row.get("status") == "saved" and row.get("path"):
            table[row["path"]] = {
                "source_url": row.get("url", ""),
                "url": row.get("url", ""),
                "published": row.get("published", ""),
                "publisher": row.get("publisher", ""),
            }
    return table


def evidence_for(path: str | Path) -> dict[str, str]:
    """What the manifest.csv beside or above a collected file says about it (empty when not listed):
    source_url, url, published, publisher — only the non-empty ones.

    Every ingest worker asks this for every file, so it works on strings with `os` calls: what
    `Path.resolve`, `parents`, `/`, `is_file`, `stat` and `relative_to` did cost ≈ 75 µs a file, this
    ≈ 35 (the same folders, files and errors: tests/test_worker_outside.py compares it with the `Path`
    form)."""
    file = _real_path(path)
    _check_loop(file)
    folder, searched = os.path.dirname(file), 0
    if folder == file:  # the root itself: `Path.parents` is empty
        return {}
    while searched < SEARCH_UP:
        manifest = os.path.join(folder, MANIFEST)
        info = _regular(manifest)
        if info is not None:
            try:
                table = _evidence_table(manifest, info.st_mtime_ns)
            except (OSError, UnicodeDecodeError, csv.Error):
                return {}
            found = table.get(file[len(folder) + (not folder.endswith("/")) :])
            if found is not None:
                return {k: v for k, v in found.items() if v}
        parent = os.path.dirname(folder)
        if parent == folder:  # the root: `Path.parents` ends there
            break
        folder, searched = parent, searched + 1
    return {}


_REAL_FOLDERS: dict[str, str] = {}
"""`os.path.realpath` of the folders of the files asked about, in this process (an ingest worker asks for
every file, folder after folder)."""
REAL_FOLDERS = 4096


def _real_path(path: str | Path) -> str:
    """`os.path.realpath(path)`, with the real path of an absolute path's folder kept per folder: realpath
    resolves a path's components in turn, so that of a file that is not a symbolic link (one `lstat`), and
    not named "." or "..", is its folder's real path joined with its name — the folder's links taken as
    they were when first asked (≈ 20 µs of the 35 a file, docs/scale.md §2, issue12hp2)."""
    if type(path) is not str or path[:1] != "/":
        return os.path.realpath(path)
    cut = path.rfind("/")
    folder, name = path[:cut] or "/", path[cut + 1 :]
    if name in ("", ".", "..") or (folder[-1:] == "/" and folder != "/"):
        return os.path.realpath(path)
    try:
        if stat.S_ISLNK(os.lstat(path).st_mode):
            return os.path.realpath(path)
    except (OSError, ValueError):
        return os.path.realpath(path)
    real = _REAL_FOLDERS.get(folder)
    if real is None:
        real = remember(_REAL_FOLDERS, folder, os.path.realpath(folder), REAL_FOLDERS)
    return os.path.join(real, name)


_IGNORED = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP})
"""The errors `Path.is_file` reads as "not a file" (any other is raised)."""


def _regular(path: str) -> os.stat_result | None:
    """The file's status when it is a regular file (a link to one included), as `Path.is_file` says."""
    try:
        info = os.stat(path)
    except OSError as exc:
        if exc.errno not in _IGNORED:
            raise
        return None
    except ValueError:
        return None
    return info if stat.S_ISREG(info.st_mode) else None


def _check_loop(file: str) -> None:
    """`Path.resolve`'s test: a symbolic link loop (which `realpath` leaves unresolved) is an error."""
    try:
        os.stat(file)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise RuntimeError(f"Symlink loop from {exc.filename!r}") from None
