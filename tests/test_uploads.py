"""Uploaded files and ZIP archives: written as data under DIR/uploads, archives unpacked only when safe."""

from __future__ import annotations

import io
import re
import stat
import struct
import zipfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xxgk.uploads import (
    MIB,
    ArchiveRefused,
    UploadLimits,
    entry_name,
    entry_parts,
    safe_name,
    stage_uploads,
)

DAY = date(2026, 3, 1)
REPORT = "示例县财政局2023年政府信息公开工作年度报告".encode()


def archive(entries: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as handle:
        for name, data in entries.items():
            handle.writestr(name, data)
    return buffer.getvalue()


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_files_are_kept_under_the_date_and_their_hash(tmp_path: Path) -> None:
    staging = stage_uploads([("财政局.txt", REPORT), ("../../etc/passwd.html", b"x")], tmp_path, today=DAY)
    assert [s.shown for s in staging.files] == ["财政局.txt", "passwd.html"]
    for staged in staging.files:
        assert staged.path.is_relative_to(tmp_path / "2026-03-01")
        assert staged.path.stat().st_mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH) == 0
    again = stage_uploads([("财政局.txt", REPORT)], tmp_path, today=DAY)
    assert again.files[0].path == staging.files[0].path  # same bytes, same path: a re-ingest changes nothing


def test_formats_xxgk_does_not_read_are_refused_by_name(tmp_path: Path) -> None:
    staging = stage_uploads([("setup.exe", b"MZ"), ("run.sh", b"#!/bin/sh")], tmp_path, today=DAY)
    assert not staging.files
    assert [r.reason for r in staging.refused] == [
        ".exe is not a format xxgk reads",
        ".sh is not a format xxgk reads",
    ]
    assert files_under(tmp_path) == []


def test_an_archive_is_unpacked_with_its_folders_and_gbk_names(tmp_path: Path) -> None:
    gbk = "龙游县/财政局.txt".encode("gbk")
    placeholder = b"g" * len(gbk)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as handle:
        handle.writestr(placeholder.decode(), REPORT)
        handle.writestr("龙游县/教育局.html", b"<p>report</p>")
        handle.writestr("__MACOSX/龙游县/._教育局.html", b"junk")
        handle.writestr("说明.exe", b"MZ")
        handle.writestr("manifest.csv", b"url,path\n")
        handle.writestr("inner.zip", archive({"a.txt": b"a"}))
    windows = buffer.getvalue().replace(placeholder, gbk)  # the name in GBK bytes, without the UTF-8 flag
    staging = stage_uploads([("县.zip", windows)], tmp_path, today=DAY)
    assert sorted(s.shown for s in staging.files) == [
        "县.zip ▸ 龙游县/教育局.html",
        "县.zip ▸ 龙游县/财政局.txt",
    ]
    assert staging.ignored == {".exe": 1}
    assert [r.reason for r in staging.refused] == [
        "an archive inside an archive is not unpacked; upload it on its own"
    ]
    written = files_under(tmp_path)
    assert any(p.endswith("/manifest.csv") for p in written)
    assert any(p.endswith("/龙游县/财政局.txt") for p in written)


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../../outside.txt", "points outside the archive's folder"),
        ("ok/../../outside.txt", "points outside the archive's folder"),
        ("/etc/cron.d/evil.txt", "absolute path"),
        ("C:\\Windows\\evil.txt", "absolute path"),
        ("..\\evil.txt", "points outside the archive's folder"),
    ],
)
def test_an_archive_with_a_path_outside_its_folder_is_refused_whole(
    tmp_path: Path, name: str, why: str
) -> None:
    data = archive({"good.txt": REPORT, name: b"evil"})
    staging = stage_uploads([("bad.zip", data)], tmp_path / "uploads", today=DAY)
    assert staging.files == []
    assert len(staging.refused) == 1 and why in staging.refused[0].reason
    assert staging.refused[0].reason.startswith("archive refused: ")
    assert files_under(tmp_path) == []  # not even the good entry is kept


def test_a_symbolic_link_in_an_archive_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as handle:
        link = zipfile.ZipInfo("report.txt")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        handle.writestr(link, "/etc/passwd")
    staging = stage_uploads([("links.zip", buffer.getvalue())], tmp_path, today=DAY)
    assert staging.files == [] and "symbolic link" in staging.refused[0].reason
    assert files_under(tmp_path) == []


def test_a_zip_bomb_is_refused_before_anything_is_unpacked(tmp_path: Path) -> None:
    bomb = archive({"report.txt": b"0" * (64 * MIB)})
    assert len(bomb) < 200_000
    staging = stage_uploads([("bomb.zip", bomb)], tmp_path, today=DAY)
    assert staging.files == []
    assert "ZIP bomb" in staging.refused[0].reason
    assert files_under(tmp_path) == []


def test_an_archive_declaring_more_than_the_import_may_write_is_refused(tmp_path: Path) -> None:
    limits = UploadLimits(max_total_bytes=2 * MIB, max_ratio=10_000)
    data = archive({f"r{i}.txt": bytes(MIB) for i in range(3)})
    staging = stage_uploads([("big.zip", data)], tmp_path, limits, today=DAY)
    assert (
        staging.files == [] and "declares 3 MB unpacked, over the limit of 2 MB" in staging.refused[0].reason
    )


def test_an_entry_that_unpacks_to_more_than_its_header_says_is_refused(tmp_path: Path) -> None:
    data = bytearray(archive({"report.txt": b"x" * 4096}, compression=zipfile.ZIP_STORED))
    # Both headers claim 100 bytes; the stored data is 4096 (a lying archive).
    local = data.index(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, 100)
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 100)
    staging = stage_uploads([("liar.zip", bytes(data))], tmp_path, today=DAY)
    assert staging.files == []
    # zipfile stops at the declared size and then fails the CRC; our own count would stop it otherwise
    assert re.search(r"more than its header declares|Bad CRC-32", staging.refused[0].reason)
    assert files_under(tmp_path) == []


def test_too_many_entries_and_too_many_files(tmp_path: Path) -> None:
    many = archive({f"r{i}.txt": b"r" for i in range(30)})
    refused = stage_uploads([("many.zip", many)], tmp_path, UploadLimits(max_entries=20), today=DAY)
    assert "lists 30 entries, over the limit of 20" in refused.refused[0].reason
    capped = stage_uploads([("many.zip", many)], tmp_path, UploadLimits(max_files=25), today=DAY)
    assert len(capped.files) == 25
    assert [r.reason for r in capped.refused] == ["over the limit of 25 files in one import"] * 5


def test_oversize_files_and_archives_and_broken_archives(tmp_path: Path) -> None:
    limits = UploadLimits(max_file_bytes=1000, max_upload_bytes=5000)
    staging = stage_uploads(
        [
            ("big.txt", b"x" * 2000),
            ("big.zip", b"x" * 6000),
            ("broken.zip", b"not a zip"),
            ("a.zip", archive({})),
        ],
        tmp_path,
        limits,
        today=DAY,
    )
    reasons = [r.reason for r in staging.refused]
    assert reasons[0] == "2 KB is over the limit of 1 KB"
    assert reasons[1] == "6 KB is over the limit of 5 KB"
    assert reasons[2].startswith("not a readable ZIP archive (")
    assert len(reasons) == 3  # an empty archive is simply empty


def test_an_encrypted_entry_is_refused(tmp_path: Path) -> None:
    data = bytearray(archive({"report.txt": REPORT}))
    for header, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(header) + offset
        struct.pack_into("<H", data, at, struct.unpack_from("<H", data, at)[0] | 0x1)
    staging = stage_uploads([("secret.zip", bytes(data))], tmp_path, today=DAY)
    assert "encrypted" in staging.refused[0].reason


def test_entry_names_from_windows_are_read_as_gb18030() -> None:
    info = zipfile.ZipInfo("财政局.txt".encode("gbk").decode("cp437"))
    assert entry_name(info) == "财政局.txt"
    flagged = zipfile.ZipInfo("财政局.txt")
    flagged.flag_bits |= 0x800
    assert entry_name(flagged) == "财政局.txt"


@given(st.text(min_size=1, max_size=60))
def test_entry_paths_never_leave_their_folder(name: str) -> None:
    try:
        parts = entry_parts(name)
    except ArchiveRefused:
        return
    for part in parts:
        assert part not in ("", ".", "..")
        assert "/" not in part and "\\" not in part and "\x00" not in part
        assert not part.startswith(".")
    root = Path("/uploads/x")
    assert root.joinpath(*parts).resolve().is_relative_to(root)


@given(st.text(max_size=300))
def test_safe_names_are_single_printable_components(name: str) -> None:
    cleaned = safe_name(name)
    if cleaned is None:
        return
    assert cleaned and len(cleaned) <= 120
    assert "/" not in cleaned and "\\" not in cleaned and cleaned not in (".", "..")
    assert all(ch.isprintable() for ch in cleaned)
