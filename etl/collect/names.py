"""What a downloaded file is and what to call it: type by magic bytes, human names from the places sites
hide them in (Hanweb `showname`, RFC 5987 `filename*`, raw UTF-8 or GBK `filename` bytes, link text)."""

from __future__ import annotations

import io
import re
import zipfile
from urllib.parse import parse_qs, unquote, unquote_to_bytes, urlsplit

DOCUMENT_EXTENSIONS = frozenset(
    {".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et", ".ofd", ".zip", ".rar", ".txt", ".rtf", ".odt"}
)
_OLE = bytes.fromhex("D0CF11E0A1B11AE1")
_HASHLIKE = re.compile(r"^[0-9A-Za-z_\-]{16,}$|^[PW]0\d{8,}|^\d{10,}$")
_BAD_CHARS = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
_FILENAME_STAR = re.compile(rb"filename\*\s*=\s*([^;]+)", re.I)
_FILENAME = re.compile(rb'filename\s*=\s*("(?:[^"\\]|\\.)*"|[^;]+)', re.I)
MAX_NAME_BYTES = 180


def sniff_type(data: bytes, hint: str = "") -> str:
    """A file's type from its first bytes: pdf, docx, xlsx, ofd, zip, doc, xls, wps, rar, rtf, html,
    json, text or binary. `hint` (an extension such as '.wps') only settles OLE and zip containers."""
    head = data[:1024].lstrip()
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    if data.startswith(_OLE):
        return hint.lstrip(".") if hint in (".doc", ".xls", ".wps", ".et", ".ppt") else "doc"
    if data.startswith(b"Rar!"):
        return "rar"
    if data.startswith(b"{\\rtf"):
        return "rtf"
    lowered = head[:512].lower()
    if (
        lowered.startswith((b"<!doctype html", b"<html", b"<?xml"))
        or b"<html" in lowered
        or b"<body" in lowered
    ):
        return "html"
    if head[:1] in (b"{", b"["):
        return "json"
    return "text" if _is_text(data[:4096]) else "binary"


def _zip_type(data: bytes) -> str:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile:
        return "zip"
    if any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    if any(n.lower() == "ofd.xml" for n in names):
        return "ofd"
    return "zip"


def _is_text(sample: bytes) -> bool:
    if b"\x00" in sample:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            sample.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def decode_header_name(raw: bytes) -> str:
    """A name from header bytes: percent-encoding undone, then UTF-8, then GB18030, else latin-1."""
    data = unquote_to_bytes(raw) if b"%" in raw else raw
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding).strip()
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1").strip()


def disposition_name(header: bytes | None) -> str:
    """The file name a raw Content-Disposition header gives, `filename*` first."""
    if not header:
        return ""
    star = _FILENAME_STAR.search(header)
    if star:
        value = star.group(1).strip().strip(b'"')
        charset, _, rest = value.partition(b"'")
        _, _, encoded = rest.partition(b"'")
        try:
            return unquote(encoded.decode("ascii"), encoding=charset.decode("ascii") or "utf-8").strip()
        except (LookupError, UnicodeDecodeError):
            return decode_header_name(encoded)
    plain = _FILENAME.search(header)
    if plain:
        return decode_header_name(plain.group(1).strip().strip(b'"'))
    return ""


def showname(url: str) -> str:
    """Hanweb's `downfile.jsp?showname=…`: the only reliable human name of its attachments."""
    query = parse_qs(urlsplit(url).query)
    for key in ("showname", "fileName", "filename", "name"):
        for value in query.get(key, []):
            if value.strip() and not _HASHLIKE.match(_stem(value)):
                return value.strip()
    return ""


def _stem(name: str) -> str:
    return name.rsplit(".", 1)[0] if "." in name else name


def url_name(url: str) -> str:
    return unquote(urlsplit(url).path.rsplit("/", 1)[-1])


def human_name(candidates: list[str]) -> str:
    """The first candidate that reads as a name rather than a hash or a generic word."""
    generic = {"下载", "附件", "点击下载", "查看", "download", "详情", "原文"}
    for name in candidates:
        stem = _stem(name.strip())
        if not stem or stem.lower() in generic or re.fullmatch(r"附件\s*\d*", stem):
            continue
        if _HASHLIKE.match(stem):
            continue
        return name.strip()
    return ""


def safe_file_name(name: str, extension: str) -> str:
    """A readable file name: path and control characters replaced, the right extension, at most
    MAX_NAME_BYTES bytes of UTF-8."""
    stem = _BAD_CHARS.sub("_", name).strip(" ._") or "document"
    lower = stem.lower()
    for known in (*DOCUMENT_EXTENSIONS, ".html", ".htm", ".shtml"):
        if lower.endswith(known):
            stem = stem[: -len(known)]
            break
    while len(stem.encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return f"{stem}{extension}"


EXTENSION_OF_TYPE = {
    "pdf": ".pdf",
    "docx": ".docx",
    "xlsx": ".xlsx",
    "ofd": ".ofd",
    "zip": ".zip",
    "doc": ".doc",
    "xls": ".xls",
    "wps": ".wps",
    "et": ".et",
    "rar": ".rar",
    "rtf": ".rtf",
    "html": ".html",
    "text": ".txt",
}
