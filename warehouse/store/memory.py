"""DuckDB's memory in the work after an ingest's last file (derivation, logs, compaction), counted
against what the process already holds.

`XXGK_MEMORY_LIMIT` (warehouse/db.py) bounds DuckDB's own memory; the Python side of an ingest (its
imports, the run's paths, hashes and outcomes, what the parse loop freed but the allocator kept) comes on
top of it. The full build of 100k reports held ≈ 0.5 GB outside DuckDB when its derivation and compaction
began, and DuckDB then filled its 1 GB: 1.57 GB (docs/scale.md §5, the full build of 100k national
reports). From the last file on, DuckDB's limit is the configured one less what the process holds outside
DuckDB, but never below half the configured one (`tail_limit`): the process stays near the configured
limit however many reports the run parsed, and what needs more spills to the run's spill folder. While a
first build's merges run beside its derivation (store/compact.py `merging_beside`), the derivation's limit
is BESIDE_LIMIT, the same at 10k and 100k reports, and AFTER_BESIDE_LIMIT once they are done
(`Fitted.widen`); both grow in proportion to a configured limit over the default.
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from warehouse.engine import duckdb

UNITS = {
    **{unit: 1 for unit in ("", "b", "byte", "bytes")},
    **{unit: 1000 for unit in ("k", "kb", "kilobyte", "kilobytes")},
    **{unit: 1000**2 for unit in ("m", "mb", "megabyte", "megabytes")},
    **{unit: 1000**3 for unit in ("g", "gb", "gigabyte", "gigabytes")},
    **{unit: 1000**4 for unit in ("t", "tb", "terabyte", "terabytes")},
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
    "tib": 1024**4,
}
"""DuckDB's memory units (`SET memory_limit = '1GB'`, '1G' or '1 gigabyte' is 10⁹ bytes, '1GiB' 2³⁰)."""
FLOOR = 2
"""The tail's limit is at least 1/FLOOR of the configured one: the full derivation of 100k reports needs
128–256 MB of DuckDB memory (docs/scale.md §5, a full derivation in groups)."""
DEFAULT_LIMIT = 1000**3
"""The configured limit (warehouse/db.py's default, 1GB) BESIDE_LIMIT and AFTER_BESIDE_LIMIT are set for;
a larger one scales them (`scaled`)."""
BESIDE_LIMIT = 200 * 1000**2
"""The derivation's limit while merges run beside it (or the limit without them, if less), however
little the process holds; the merges' own DuckDB (compact.STREAMED_DUCKDB, 128 MB) and ≈ 0.1–0.2 GB of
pyarrow's readers and rows in flight come on top (docs/scale.md §5, issue12tm). The build's peak is the
derivation's rollups at their limit with a streamed merge beside (issue12rf); with the configured limit
less what the process and the merges held (≈ 380 MB at 10k, the floor of 320 MB at 100k), what the run's
objects and the merges hold beside the derivation grew with the reports and the 100k build's peak was ≈
0.2 GB over the 10k build's. At a limit of its own the peak does not follow the process's size (issue12fl).
The rollups run in it: the 100k build's largest province, 70,900 reports, ran out of memory at 200 MB
whole and held 286 MiB at 300 MB (issue12tf); its cube sums in chunks of 17,725 reports (store/rollups.py
CHUNK_REPORTS) ran at 200 MB (issue12sp)."""
AFTER_BESIDE_LIMIT = 240 * 1000**2
"""The derivation's limit once the merges beside it are done (`Fitted.widen`) is at most this: with the
limit the process left (≈ 0.5–0.7 GB) the rollups after the merges took ≈ 470 MiB, more than the merges
and the derivation together had held (docs/scale.md §5, issue12fl); at 320 MB the rollups after them were
the 100k build's peak as high as those beside them (751 MiB, DuckDB at 304 MiB: issue12fl3)."""


def parse_size(text: str) -> int | None:
    """Bytes of a DuckDB memory setting ('1GB', '512 MiB', '2.5gb'); None when it is not one."""
    found = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*", text)
    if found is None or found.group(2).lower() not in UNITS:
        return None
    return int(float(found.group(1)) * UNITS[found.group(2).lower()])


def tail_limit(configured: int, rss: int, in_duckdb: int, beside: bool = False) -> int:
    """DuckDB's limit for the tail: `configured` less what the process holds outside DuckDB (`rss` less
    `in_duckdb`), at least `configured` / FLOOR, never more than `configured`; with work beside it
    (`beside`), at most BESIDE_LIMIT."""
    held = max(0, rss - in_duckdb)
    alone = min(configured, max(configured // FLOOR, configured - held))
    return min(alone, scaled(BESIDE_LIMIT, configured)) if beside else alone


def after_beside(alone: int, configured: int) -> int:
    """DuckDB's limit for the rest of a tail once the work beside it is done: `alone` (`tail_limit`
    without work beside), at most AFTER_BESIDE_LIMIT (scaled to `configured`)."""
    return min(alone, scaled(AFTER_BESIDE_LIMIT, configured))


def scaled(cap: int, configured: int) -> int:
    """`cap`, set for the default limit, grown in proportion to a larger configured one: a group of
    provinces' rollups at 1M reports need more than 200 MB, and a user who sets `XXGK_MEMORY_LIMIT=6GB`
    for such a build gets 1.2 GB beside the merges (with 200 MB the 1M synthetic store ran out of memory)."""
    return max(cap, cap * configured // DEFAULT_LIMIT)


def process_rss() -> int | None:
    """This process's resident memory in bytes (Linux: /proc), None where it cannot be read."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return None
    return None


def duckdb_bytes(con: duckdb.DuckDBPyConnection) -> int:
    """What DuckDB's buffer manager holds (its tables, caches and operators), in bytes."""
    found = con.execute("SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory()").fetchall()
    return int(found[0][0])


def give_back() -> None:
    """Hand the allocator's free pages back to the system (glibc's `malloc_trim`), so that the resident
    size is what the process holds (not what the parse loop freed)."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):  # not glibc
        return
    trim(0)


@dataclass(frozen=True)
class Fitted:
    """DuckDB's limit `fitted` set (None: left as it was), and the one for the rest of the tail once the
    work beside it is done (`after_beside`; without work beside, the same)."""

    limit: int | None
    after: int | None = None

    def widen(self, con: duckdb.DuckDBPyConnection) -> None:
        """The limit after the work beside set on `con`'s instance (a cursor of another thread may set
        it: the setting is the instance's): the work beside is done."""
        if self.limit is not None and self.after is not None and self.after > self.limit:
            con.execute(f"SET memory_limit = '{self.after}B'")


@contextmanager
def fitted(con: duckdb.DuckDBPyConnection, configured: str, beside: bool = False) -> Iterator[Fitted]:
    """DuckDB's memory limit of `con`'s instance (set to `configured` when it was opened, warehouse/db.py)
    set to `tail_limit` while inside (`beside`: with work beside it, until `Fitted.widen`),
    `configured` again after; yields the limits (None: left as it was, the configured limit or the
    process's resident size unknown)."""
    total = parse_size(configured)
    give_back()
    rss = process_rss()
    if total is None or rss is None:
        yield Fitted(None)
        return
    in_duckdb = duckdb_bytes(con)
    alone = tail_limit(total, rss, in_duckdb)
    fit = Fitted(tail_limit(total, rss, in_duckdb, beside), after_beside(alone, total) if beside else alone)
    con.execute(f"SET memory_limit = '{fit.limit}B'")
    try:
        yield fit
    finally:
        con.execute(f"SET memory_limit = '{configured}'")
