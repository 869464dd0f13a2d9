"""Editors: who may change things when the dashboard is served on an address other than loopback.

Passwords are stored as scrypt hashes (hashlib.scrypt, a slow, memory-hard KDF from the standard
library) with a random salt per editor; the password itself is never stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from warehouse.review import store
from warehouse.review.ledger import ReviewError

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
"""≈ 32 MiB and a few tens of ms per guess (benchmarks/review_bench.py measures it)."""
MIN_PASSWORD = 8
NAME_CHARS = 40


def _hash(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=2**27, dklen=32)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _hash(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def matches(password: str, secret: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = secret.split("$")
        if scheme != "scrypt":
            return False
        found = _hash(password, bytes.fromhex(salt), int(n), int(r), int(p))
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(found, bytes.fromhex(digest))


def check_name(name: str) -> str:
    cleaned = name.strip()
    if (
        not cleaned
        or len(cleaned) > NAME_CHARS
        or any(ch.isspace() or not ch.isprintable() for ch in cleaned)
    ):
        raise ReviewError(f"an editor's name is 1–{NAME_CHARS} characters without spaces: {name!r}")
    return cleaned


def add_editor(directory: Path, name: str, password: str) -> bool:
    """Add an editor or change an editor's password; True when the editor is new."""
    name = check_name(name)
    if len(password) < MIN_PASSWORD:
        raise ReviewError(f"a password needs at least {MIN_PASSWORD} characters")
    secret = hash_password(password)
    with store.writing(directory) as db:
        existed = db.execute("SELECT 1 FROM editors WHERE name = ?", [name]).fetchone() is not None
        db.execute("INSERT OR REPLACE INTO editors VALUES (?, ?, ?)", [name, secret, store.now()])
    return not existed


def remove_editor(directory: Path, name: str) -> bool:
    with store.writing(directory) as db:
        return db.execute("DELETE FROM editors WHERE name = ?", [name]).rowcount > 0


def editors(directory: Path) -> list[tuple[str, str]]:
    """(name, created_at) of every editor."""
    with store.reading(directory) as db:
        if db is None:
            return []
        return [(r[0], r[1]) for r in db.execute("SELECT name, created_at FROM editors ORDER BY name")]


def has_editors(directory: Path) -> bool:
    return bool(editors(directory))


def verify(directory: Path, name: str, password: str) -> bool:
    """Whether `password` is `name`'s; an unknown name costs as much time as a wrong password."""
    with store.reading(directory) as db:
        row = (
            None if db is None else db.execute("SELECT secret FROM editors WHERE name = ?", [name]).fetchone()
        )
    if row is None:
        _hash(password, bytes(16), SCRYPT_N, SCRYPT_R, SCRYPT_P)
        return False
    return matches(password, str(row[0]))
