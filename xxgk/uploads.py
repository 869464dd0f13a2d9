"""Files a person uploads in the browser, kept under the warehouse directory so that a later
`xxgk ingest` of the same paths finds them: `DIR/uploads/<date>/<first 12 hex of SHA-256>/<name>`.

Nothing uploaded is ever executed: files are written as data (no permission bits kept, no links made).
A ZIP archive is unpacked only when it is safe: every entry path stays inside its folder (no `..`, no
absolute paths, no drive letters), no symbolic links, no archives inside it, and it is no bomb (entry
count, the sizes its headers declare, the size each entry really unpacks to, and the ratio of unpacked
to packed size are all limited). An archive that breaks a rule is refused whole, with the reason.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import unicodedata
import zipfile
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

MIB = 1 << 20
ARCHIVE_SUFFIXES = frozenset({".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".zst"})
KEPT_NAMES = frozenset({"manifest.csv"})
"""Files kept from an archive besides reports: the collector's manifest (where each report came from)."""
MAX_NAME_CHARS = 120
MAX_DEPTH = 12
CHUNK = MIB


def read_suffixes() -> frozenset[str]:
    """The formats xxgk reads (what the upload box offers)."""
    from etl.readers import READERS

    return frozenset(READERS)


def readable_suffixes() -> frozenset[str]:
    """What `xxgk ingest` takes from a folder: the formats it reads and the documents it reports on."""
    from etl.readers import READERS
    from xxgk.ingest import DOCUMENT_SUFFIXES

    return frozenset(READERS) | DOCUMENT_SUFFIXES


@dataclass(frozen=True)
class UploadLimits:
    """What one import may bring in (README: importing in the browser)."""

    max_files: int = 500
    """Files in one import: uploaded files plus the reports unpacked from archives."""
    max_file_bytes: int = 100 * MIB
    """One report file: uploaded, or an entry of an archive once unpacked."""
    max_upload_bytes: int = 200 * MIB
    """One uploaded archive (Streamlit's own limit, `server.maxUploadSize`, is set to match)."""
    max_total_bytes: int = 1024 * MIB
    """Everything one import writes."""
    max_entries: int = 5000
    """Entries an archive may list (folders included)."""
    max_ratio: int = 100
    """Unpacked ÷ packed size of one entry larger than 1 MiB: beyond this an archive is taken for a bomb."""

    def megabytes(self, size: int) -> str:
        if size >= 1024 * MIB:
            return f"{size / (1024 * MIB):g} GB"
        return f"{size / MIB:.0f} MB" if size >= MIB else f"{size / 1024:.0f} KB"

    def too_big(self, size: int, limit: int | None = None) -> str:
        return f"{self.megabytes(size)} is over the limit of {self.megabytes(limit or self.max_file_bytes)}"


@dataclass(frozen=True)
class Staged:
    path: Path
    shown: str
    """How the person knows the file: its name, or `archive.zip ▸ folder/name` for an archive entry."""


@dataclass(frozen=True)
class Refused:
    shown: str
    reason: str


@dataclass
class Staging:
    files: list[Staged] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    ignored: Counter[str] = field(default_factory=Counter)
    written: int = 0


class ArchiveRefused(Exception):
    """An archive that breaks a safety rule: nothing of it is kept."""


def safe_name(name: str) -> str | None:
    """One path component as it may be written: no separators, no control characters, not `.`/`..`,
    not hidden, at most MAX_NAME_CHARS characters (the suffix kept); None when nothing is left."""
    cleaned = unicodedata.normalize("NFC", name).strip()
    cleaned = "".join(ch for ch in cleaned if ch.isprintable() and ch not in '/\\:*?"<>|')
    cleaned = cleaned.strip(". ")
    if not cleaned:
        return None
    if len(cleaned) > MAX_NAME_CHARS:
        suffix = PurePosixPath(cleaned).suffix[:12]
        cleaned = cleaned[: MAX_NAME_CHARS - len(suffix)] + suffix
    return cleaned


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write(target: Path, data: bytes) -> None:
    """Write as plain data (mode 0644 under the usual umask), atomically, unless the same bytes are
    already there."""
    if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.part")
    with open(tmp, "wb") as handle:
        handle.write(data)
    os.replace(tmp, target)


def stage_uploads(
    uploads: Sequence[tuple[str, bytes]],
    root: Path,
    limits: UploadLimits | None = None,
    today: date | None = None,
) -> Staging:
    """Write uploaded files (and unpack uploaded ZIP archives) under `root/<date>/`; each file the person
    sent ends staged, refused with a one-line reason, or counted as ignored (not a report format)."""
    limits = limits or UploadLimits()
    folder = root / (today or date.today()).isoformat()
    staging = Staging()
    for name, data in uploads:
        shown = safe_name(PurePosixPath(name.replace("\\", "/")).name) or "(unnamed)"
        suffix = PurePosixPath(shown).suffix.lower()
        if suffix == ".zip" and len(data) > limits.max_upload_bytes:
            staging.refused.append(Refused(shown, limits.too_big(len(data), limits.max_upload_bytes)))
        elif suffix != ".zip" and len(data) > limits.max_file_bytes:
            staging.refused.append(Refused(shown, limits.too_big(len(data))))
        elif suffix == ".zip":
            _stage_archive(shown, data, folder / _digest(data)[:12], limits, staging)
        elif suffix not in readable_suffixes():
            staging.refused.append(
                Refused(shown, f"{suffix or 'a file without a suffix'} is not a format xxgk reads")
            )
        else:
            _stage_file(Staged(folder / _digest(data)[:12] / shown, shown), data, limits, staging)
    return staging


def _stage_file(item: Staged, data: bytes, limits: UploadLimits, staging: Staging) -> None:
    if len(staging.files) >= limits.max_files:
        staging.refused.append(
            Refused(item.shown, f"over the limit of {limits.max_files} files in one import")
        )
    elif staging.written + len(data) > limits.max_total_bytes:
        total = limits.megabytes(limits.max_total_bytes)
        staging.refused.append(Refused(item.shown, f"over the limit of {total} in one import"))
    else:
        _write(item.path, data)
        staging.written += len(data)
        staging.files.append(item)


# --- archives -----------------------------------------------------------------------------------------


def entry_name(info: zipfile.ZipInfo) -> str:
    """An entry's name as its maker meant it: UTF-8 when flagged, else the bytes re-read as UTF-8 or as
    GB18030 (Chinese Windows writes names in the local code page without saying so)."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def entry_parts(name: str) -> tuple[str, ...]:
    """The safe path components of an entry name; raises ArchiveRefused for a path that leaves its folder
    (absolute, a drive letter, `..`) or is too deep."""
    text = name.replace("\\", "/")
    if text.startswith("/") or re.match(r"^[A-Za-z]:", text) or "\x00" in text:
        raise ArchiveRefused(f"entry {name!r} has an absolute path")
    raw_parts = [p for p in text.split("/") if p not in ("", ".")]
    if ".." in raw_parts:
        raise ArchiveRefused(f"entry {name!r} points outside the archive's folder (..)")
    if len(raw_parts) > MAX_DEPTH:
        raise ArchiveRefused(f"entry {name!r} is nested deeper than {MAX_DEPTH} folders")
    parts = tuple(safe_name(p) for p in raw_parts)
    if any(p is None for p in parts):
        raise ArchiveRefused(f"entry {name!r} has a name that cannot be written")
    return tuple(p for p in parts if p is not None)


def _is_link(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


@dataclass(frozen=True)
class _Entry:
    info: zipfile.ZipInfo
    parts: tuple[str, ...]


def _plan_archive(
    archive: zipfile.ZipFile, shown: str, limits: UploadLimits, staging: Staging
) -> list[_Entry]:
    """Check every entry's header before anything is written; entries to unpack, in order."""
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise ArchiveRefused(f"it lists {len(infos)} entries, over the limit of {limits.max_entries}")
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_total_bytes:
        raise ArchiveRefused(
            f"it declares {limits.megabytes(declared)} unpacked, over the limit of "
            f"{limits.megabytes(limits.max_total_bytes)}"
        )
    entries: list[_Entry] = []
    seen: set[tuple[str, ...]] = set()
    for info in infos:
        name = entry_name(info)
        if _is_link(info):
            raise ArchiveRefused(f"entry {name!r} is a symbolic link")
        if info.flag_bits & 0x1:
            raise ArchiveRefused(f"entry {name!r} is encrypted")
        parts = entry_parts(name)
        if info.file_size > MIB and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise ArchiveRefused(f"entry {name!r} unpacks {ratio}× its packed size (a ZIP bomb?)")
        if info.is_dir() or not parts:
            continue
        entry = _Entry(info, parts)
        if _skip(entry, shown, limits, staging) or parts in seen:
            continue
        seen.add(parts)
        entries.append(entry)
    return entries


def _skip(entry: _Entry, shown: str, limits: UploadLimits, staging: Staging) -> bool:
    """Entries not unpacked: hidden and macOS resource files, non-report formats (counted), nested
    archives and oversize entries (refused, each with its reason)."""
    parts, inner = entry.parts, "/".join(entry.parts)
    if parts[0] == "__MACOSX" or any(p.startswith(".") for p in parts):
        return True
    suffix = PurePosixPath(parts[-1]).suffix.lower()
    where = f"{shown} ▸ {inner}"
    if suffix in ARCHIVE_SUFFIXES:
        staging.refused.append(
            Refused(where, "an archive inside an archive is not unpacked; upload it on its own")
        )
        return True
    if parts[-1] not in KEPT_NAMES and suffix not in readable_suffixes():
        staging.ignored[suffix or "(none)"] += 1
        return True
    if entry.info.file_size > limits.max_file_bytes:
        staging.refused.append(Refused(where, limits.too_big(entry.info.file_size)))
        return True
    return False


def _read_entry(archive: zipfile.ZipFile, entry: _Entry, budget: int) -> bytes:
    """The entry's bytes, read in chunks and stopped as soon as they exceed what the header declared or
    what the import may still write."""
    limit = min(entry.info.file_size, budget)
    chunks: list[bytes] = []
    read = 0
    with archive.open(entry.info) as handle:
        while chunk := handle.read(CHUNK):
            read += len(chunk)
            if read > limit:
                what = (
                    "more than its header declares"
                    if read > entry.info.file_size
                    else "past the import's limit"
                )
                raise ArchiveRefused(f"entry {'/'.join(entry.parts)!r} unpacks to {what}")
            chunks.append(chunk)
    return b"".join(chunks)


def _stage_archive(shown: str, data: bytes, folder: Path, limits: UploadLimits, staging: Staging) -> None:
    written: list[Path] = []
    before = (len(staging.files), len(staging.refused), staging.written, Counter(staging.ignored))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for entry in _plan_archive(archive, shown, limits, staging):
                budget = limits.max_total_bytes - staging.written
                content = _read_entry(archive, entry, budget)
                target = folder.joinpath(*entry.parts)
                if not target.resolve().is_relative_to(folder.resolve()):
                    raise ArchiveRefused(
                        f"entry {'/'.join(entry.parts)!r} points outside the archive's folder"
                    )
                if entry.parts[-1] in KEPT_NAMES:
                    _write(target, content)
                    written.append(target)
                    continue
                count = len(staging.files)
                _stage_file(Staged(target, f"{shown} ▸ {'/'.join(entry.parts)}"), content, limits, staging)
                if len(staging.files) > count:
                    written.append(target)
    except ArchiveRefused as exc:
        _undo(written, staging, before)
        staging.refused.append(Refused(shown, f"archive refused: {exc}"))
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError) as exc:
        _undo(written, staging, before)
        staging.refused.append(Refused(shown, f"not a readable ZIP archive ({_why(exc)})"))


def _why(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:160]


def _undo(written: list[Path], staging: Staging, before: tuple[int, int, int, Counter[str]]) -> None:
    """Remove what an archive wrote before it was refused: nothing of a refused archive is kept."""
    for path in written:
        path.unlink(missing_ok=True)
    files, refused, total, ignored = before
    del staging.files[files:]
    del staging.refused[refused:]
    staging.written = total
    staging.ignored = ignored
