"""The review database: `DIR/review.sqlite3` beside the warehouse versions, never inside them.

Review statuses, corrections and editors change while ingests publish new warehouse versions; an edit
written into a version would be lost when the next version is built from the old one, or would wait for
the writer lock. So they live in a small SQLite database in WAL mode: readers never block the one
writer, writers hold it for one short transaction, and a counter (`revision`) tells readers when to
read again. The database is created by the first change; reading a warehouse without one sees no
reviews and no corrections.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from warehouse.errors import WarehouseError

FILE = "review.sqlite3"
USER_VERSION = 1
BUSY_TIMEOUT_MS = 5000

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT OR IGNORE INTO meta VALUES ('revision', '0');

-- Every change of a report's review status, oldest first; the latest row per report is its status.
CREATE TABLE IF NOT EXISTS review_events (
    id          INTEGER PRIMARY KEY,
    report_id   TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'returned')),
    comment     TEXT NOT NULL DEFAULT '',
    agency_id   TEXT,
    agency      TEXT,
    year        INTEGER,
    place_code  TEXT,
    source_file TEXT,
    user        TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS review_events_report ON review_events (report_id, id);

-- Corrections: an overlay on extracted values, never a change of them. A row is never deleted; a
-- withdrawn correction keeps who withdrew it, when and why.
CREATE TABLE IF NOT EXISTS corrections (
    id                INTEGER PRIMARY KEY,
    report_id         TEXT NOT NULL,
    metric_code       TEXT NOT NULL,
    breakdown         TEXT NOT NULL,
    original_value    TEXT,
    original_raw      TEXT NOT NULL,
    original_semantic TEXT NOT NULL,
    value             TEXT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('extraction', 'agency_error')),
    reason            TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    agency_id         TEXT,
    agency            TEXT,
    year              INTEGER,
    place_code        TEXT,
    source_file       TEXT,
    created_by        TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    replaces          INTEGER REFERENCES corrections (id),
    carried_from      INTEGER REFERENCES corrections (id),
    withdrawn_by      TEXT,
    withdrawn_at      TEXT,
    withdraw_reason   TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS corrections_one_active
    ON corrections (report_id, metric_code, breakdown) WHERE withdrawn_at IS NULL;

-- What a reviewer decided about a correction of an earlier version when a new version replaced it.
CREATE TABLE IF NOT EXISTS carried_reviews (
    correction_id INTEGER NOT NULL REFERENCES corrections (id),
    report_id     TEXT NOT NULL,
    decision      TEXT NOT NULL CHECK (decision IN ('carried', 'dismissed')),
    note          TEXT NOT NULL DEFAULT '',
    user          TEXT NOT NULL,
    at            TEXT NOT NULL,
    PRIMARY KEY (correction_id, report_id)
);

-- Editors who may change things when the dashboard is served on another address than loopback.
CREATE TABLE IF NOT EXISTS editors (
    name       TEXT PRIMARY KEY,
    secret     TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""


def database(directory: Path) -> Path:
    return directory / FILE


def now() -> str:
    """UTC time as stored: ISO 8601 to the second."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _open(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    con.row_factory = sqlite3.Row
    con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    con.execute("PRAGMA foreign_keys = ON")
    return con


def _check_version(con: sqlite3.Connection, path: Path) -> None:
    found = int(con.execute("PRAGMA user_version").fetchone()[0])
    if found > USER_VERSION:
        raise WarehouseError(
            f"{path} was written by a newer xxgk (review schema {found}, this one knows {USER_VERSION})"
        )


@contextmanager
def _one_line_errors(path: Path) -> Iterator[None]:
    """A damaged, locked or unreadable review database is one clear error naming the file."""
    try:
        yield
    except sqlite3.Error as exc:
        raise WarehouseError(f"{path}: {exc} (the review database; back it up and check the disk)") from None


@contextmanager
def reading(directory: Path) -> Iterator[sqlite3.Connection | None]:
    """A connection for reading, or None when nothing was ever reviewed or corrected."""
    path = database(directory)
    if not path.exists():
        yield None
        return
    with _one_line_errors(path), closing(_open(path)) as con:
        _check_version(con, path)
        yield con


@contextmanager
def writing(directory: Path) -> Iterator[sqlite3.Connection]:
    """One short write transaction (BEGIN IMMEDIATE: it waits at most BUSY_TIMEOUT_MS for another
    writer), creating the database on first use; the revision goes up by one when it commits."""
    path = database(directory)
    directory.mkdir(parents=True, exist_ok=True)
    with _one_line_errors(path), closing(_open(path)) as con:
        _check_version(con, path)
        if int(con.execute("PRAGMA user_version").fetchone()[0]) < USER_VERSION:
            _create(con)
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
            con.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise


def _create(con: sqlite3.Connection) -> None:
    """WAL mode, then the schema in one write transaction (which waits for another writer). Two
    processes' first changes may both get here: the schema is idempotent, but SQLite refuses a switch to
    WAL at once, without waiting, while another connection is writing, so that is retried."""
    _waiting_while_locked(lambda: con.execute("PRAGMA journal_mode = WAL"))
    con.executescript(f"BEGIN IMMEDIATE; {SCHEMA}; PRAGMA user_version = {USER_VERSION}; COMMIT;")


def _waiting_while_locked(statement: Callable[[], object]) -> None:
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            statement()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def revision(directory: Path) -> int:
    """How many changes the review database has seen (0 when there is none): readers cache by it."""
    with reading(directory) as con:
        if con is None:
            return 0
        try:
            row = con.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
        except sqlite3.OperationalError:
            return 0
        return int(row[0]) if row else 0
