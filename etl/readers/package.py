"""ZIP packages (DOCX, XLSX): every part's declared size and compression ratio checked before any part
is decompressed. `zipfile` never returns more bytes than a part declares (a part that inflates further
fails its CRC check), so the declared sizes bound what reading can allocate."""

from __future__ import annotations

import zipfile
import zlib

from etl.limits import MAX_ZIP_PART_BYTES, MAX_ZIP_PARTS, MAX_ZIP_RATIO, MAX_ZIP_TOTAL_BYTES, ZIP_RATIO_FROM

ZIP_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    KeyError,
    ValueError,
    OSError,
    NotImplementedError,
    UnicodeDecodeError,
)
"""What reading a damaged package raises: a bad header or CRC, a truncated or corrupt deflate stream,
a missing part, an unsupported compression method (NotImplementedError)."""


def check_package(path: str, package: zipfile.ZipFile) -> None:
    parts = package.infolist()
    MAX_ZIP_PARTS.check(path, len(parts))
    total = 0
    for part in parts:
        if part.flag_bits & 0x1:
            raise zipfile.BadZipFile(f"part {part.filename} is encrypted")
        MAX_ZIP_PART_BYTES.check(path, part.file_size, part.filename)
        total += part.file_size
        if part.file_size >= ZIP_RATIO_FROM:
            ratio = part.file_size // max(part.compress_size, 1)
            MAX_ZIP_RATIO.check(path, ratio, part.filename)
    MAX_ZIP_TOTAL_BYTES.check(path, total)
