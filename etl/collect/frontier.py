"""The persistent frontier: every request a collection met, its last response and its outcome, in SQLite
inside the output directory, so that a run killed at any point goes on where it stopped and a later run
with the same seeds asks only for what may be new.

Durability order for one request: the response body is written to `raw/` and the response recorded
(commit) before it is processed; the outcome, the documents saved and the requests it found are recorded
in one further commit. A run restarted between the two reprocesses the stored response without asking
the server again.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

STATE_DIR = ".xxgk-collect"
Kind = Literal["page", "list", "article", "file"]
Status = Literal["saved", "duplicate", "not_a_report", "blocked", "failed", "robots_disallowed"]
FINAL_STATUSES = frozenset({"saved", "duplicate", "not_a_report", "robots_disallowed", "container"})
"""Outcomes an item keeps: a later run does not ask for it again (blocked and failed items are retried)."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id       INTEGER PRIMARY KEY,
    started  TEXT NOT NULL,
    finished TEXT
);
CREATE TABLE IF NOT EXISTS requests (
    id            INTEGER PRIMARY KEY,
    key           TEXT NOT NULL UNIQUE,
    method        TEXT NOT NULL,
    url           TEXT NOT NULL,
    form          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    context       TEXT NOT NULL,
    state         TEXT NOT NULL,
    run           INTEGER NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    not_before    REAL NOT NULL DEFAULT 0,
    fetched_run   INTEGER,
    http_status   INTEGER,
    final_url     TEXT,
    headers       TEXT,
    etag          TEXT,
    last_modified TEXT,
    disposition   BLOB,
    body          TEXT,
    fetched_at    TEXT,
    status        TEXT,
    reason        TEXT,
    record        TEXT
);
CREATE INDEX IF NOT EXISTS requests_pending ON requests (state);
CREATE TABLE IF NOT EXISTS saved (
    content_key TEXT PRIMARY KEY,
    path        TEXT NOT NULL,
    request_id  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS list_links (
    list_url   TEXT NOT NULL,
    url        TEXT NOT NULL,
    run        INTEGER NOT NULL,
    request_id INTEGER NOT NULL,
    PRIMARY KEY (list_url, url, run)
);
CREATE TABLE IF NOT EXISTS robots (
    host   TEXT NOT NULL,
    run    INTEGER NOT NULL,
    status INTEGER NOT NULL,
    body   BLOB NOT NULL,
    PRIMARY KEY (host, run)
);
"""


@dataclass(frozen=True)
class Spec:
    """A request to make, with what is known about it before it is made."""

    url: str
    kind: Kind
    context: dict[str, Any] = field(default_factory=dict)
    method: str = "GET"
    form: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> str:
        form = "&".join(f"{k}={v}" for k, v in self.form)
        return f"{self.method} {self.url} {form}".rstrip()


@dataclass(frozen=True)
class Row:
    """A request as the frontier holds it."""

    id: int
    spec: Spec
    attempts: int
    not_before: float
    fetched_run: int | None
    http_status: int | None
    final_url: str
    headers: tuple[tuple[str, str], ...]
    etag: str
    last_modified: str
    disposition: bytes
    body: str
    status: str
    reason: str
    run: int


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Frontier:
    def __init__(self, out_dir: Path) -> None:
        self.dir = out_dir / STATE_DIR
        self.raw = self.dir / "raw"
        self.raw.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.dir / "frontier.sqlite", isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        self.run = 0
        self.resumed = False

    def close(self) -> None:
        self.db.close()

    # -- runs -------------------------------------------------------------------------------------------

    def start_run(self) -> int:
        """Go on with the last run if it never finished, else start a new one."""
        last = self.db.execute("SELECT id, finished FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        if last is not None and last[1] is None:
            self.run, self.resumed = int(last[0]), True
        else:
            cursor = self.db.execute("INSERT INTO runs (started) VALUES (?)", (_now(),))
            self.run, self.resumed = int(cursor.lastrowid or 0), False
        return self.run

    def finish_run(self) -> None:
        self.db.execute("UPDATE runs SET finished = ? WHERE id = ?", (_now(), self.run))

    # -- requests ---------------------------------------------------------------------------------------

    def add(self, spec: Spec) -> int | None:
        """Queue a request unless it is known; a known list page from an earlier run is asked for again
        (conditionally), and an item that failed or was blocked in an earlier run is tried again.
        Returns the id of a request queued now, else None."""
        found = self.db.execute(
            "SELECT id, state, run, status, kind FROM requests WHERE key = ?", (spec.key,)
        ).fetchone()
        if found is None:
            cursor = self.db.execute(
                "INSERT INTO requests (key, method, url, form, kind, context, state, run) "
                "VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)",
                (
                    spec.key,
                    spec.method,
                    spec.url,
                    json.dumps(list(spec.form), ensure_ascii=False),
                    spec.kind,
                    json.dumps(spec.context, ensure_ascii=False),
                    self.run,
                ),
            )
            return int(cursor.lastrowid or 0)
        request_id, state, run, status, kind = found
        if state != "done" or run >= self.run:
            return None
        if kind in ("page", "list") or status not in FINAL_STATUSES:
            self.db.execute(
                "UPDATE requests SET state = 'pending', run = ?, attempts = 0, not_before = 0, context = ? "
                "WHERE id = ?",
                (self.run, json.dumps(spec.context, ensure_ascii=False), request_id),
            )
            return int(request_id)
        return None

    def pending(self) -> Iterator[Row]:
        for values in self.db.execute(
            f"SELECT {_ROW_COLUMNS} FROM requests WHERE state = 'pending' ORDER BY id"
        ):
            yield _row(values)

    def get(self, request_id: int) -> Row:
        values = self.db.execute(
            f"SELECT {_ROW_COLUMNS} FROM requests WHERE id = ?", (request_id,)
        ).fetchone()
        return _row(values)

    def body_path(self, request_id: int) -> Path:
        return self.raw / str(request_id)

    def record_response(
        self,
        request_id: int,
        *,
        status: int,
        final_url: str,
        headers: tuple[tuple[str, str], ...],
        disposition: bytes,
        body: bytes | None,
    ) -> None:
        """Keep a response (body and headers) before processing it; `body` None keeps the stored one (304)."""
        if body is not None:
            target = self.body_path(request_id)
            tmp = target.with_name(f"{target.name}.tmp")
            tmp.write_bytes(body)
            os.replace(tmp, target)
        etag = next((v for k, v in headers if k.lower() == "etag"), "")
        modified = next((v for k, v in headers if k.lower() == "last-modified"), "")
        keep = "etag = coalesce(nullif(?, ''), etag), last_modified = coalesce(nullif(?, ''), last_modified)"
        self.db.execute(
            f"UPDATE requests SET fetched_run = ?, http_status = ?, final_url = ?, headers = ?, {keep}, "
            "disposition = ?, body = ?, fetched_at = ? WHERE id = ?",
            (
                self.run,
                status,
                final_url,
                json.dumps(list(headers), ensure_ascii=False),
                etag,
                modified,
                disposition,
                str(request_id),
                _now(),
                request_id,
            ),
        )

    def read_body(self, request_id: int) -> bytes | None:
        path = self.body_path(request_id)
        return path.read_bytes() if path.exists() else None

    def retry_later(self, request_id: int, wait: float, reason: str) -> None:
        self.db.execute(
            "UPDATE requests SET attempts = attempts + 1, not_before = ?, reason = ? WHERE id = ?",
            (time.time() + wait, reason, request_id),
        )

    def finish(
        self,
        request_id: int,
        status: str,
        reason: str,
        record: dict[str, Any],
        found: list[Spec],
        saved: tuple[str, str] | None = None,
    ) -> list[int]:
        """Record an outcome, the requests it found and the document it saved, in one transaction.
        Returns the ids of the requests queued."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            queued = [i for i in (self.add(spec) for spec in found) if i is not None]
            if saved is not None:
                self.db.execute(
                    "INSERT OR IGNORE INTO saved (content_key, path, request_id) VALUES (?, ?, ?)",
                    (saved[0], saved[1], request_id),
                )
            self.db.execute(
                "UPDATE requests SET state = 'done', status = ?, reason = ?, record = ? WHERE id = ?",
                (status, reason, json.dumps(record, ensure_ascii=False), request_id),
            )
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return queued

    def saved_path(self, content_key: str) -> tuple[str, int] | None:
        """(path, request id) of the document saved with this content, if any."""
        query = "SELECT path, request_id FROM saved WHERE content_key = ?"
        found = self.db.execute(query, (content_key,)).fetchone()
        return None if found is None else (str(found[0]), int(found[1]))

    def records(self) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
        """(kind, status, reason, record) of every finished request, in the order they were met."""
        query = "SELECT kind, status, reason, record FROM requests WHERE state = 'done' ORDER BY id"
        for kind, status, reason, record in self.db.execute(query):
            yield kind, status or "", reason or "", json.loads(record or "{}")

    def seen_in_list(self, list_url: str, urls: list[str], request_id: int) -> set[str]:
        """Which of `urls` an earlier page of the same list already gave in this run (a page read again
        after a restart does not count as earlier)."""
        seen = {
            row[0]
            for row in self.db.execute(
                "SELECT url FROM list_links WHERE list_url = ? AND run = ? AND request_id != ?",
                (list_url, self.run, request_id),
            )
        }
        self.db.executemany(
            "INSERT OR IGNORE INTO list_links (list_url, url, run, request_id) VALUES (?, ?, ?, ?)",
            [(list_url, url, self.run, request_id) for url in urls],
        )
        return seen & set(urls)

    def unique_in_list(self, list_url: str, urls: list[str], request_id: int) -> int:
        """Record a page's items and count the distinct items the list gave in this run so far."""
        self.seen_in_list(list_url, urls, request_id)
        query = "SELECT count(*) FROM list_links WHERE list_url = ? AND run = ?"
        return int(self.db.execute(query, (list_url, self.run)).fetchone()[0])

    def known(self, specs: list[Spec]) -> set[str]:
        """Keys of the given requests the frontier already holds."""
        keys = [spec.key for spec in specs]
        found: set[str] = set()
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found |= {
                row[0] for row in self.db.execute(f"SELECT key FROM requests WHERE key IN ({marks})", chunk)
            }
        return found

    def count_pending(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM requests WHERE state = 'pending'").fetchone()[0])

    # -- robots.txt -------------------------------------------------------------------------------------

    def robots(self, host: str) -> tuple[int, bytes] | None:
        """robots.txt as read earlier in this run (a resumed run does not ask for it again)."""
        found = self.db.execute(
            "SELECT status, body FROM robots WHERE host = ? AND run = ?", (host, self.run)
        ).fetchone()
        return None if found is None else (int(found[0]), bytes(found[1]))

    def save_robots(self, host: str, status: int, body: bytes) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO robots (host, run, status, body) VALUES (?, ?, ?, ?)",
            (host, self.run, status, body),
        )


_ROW_COLUMNS = (
    "id, method, url, form, kind, context, attempts, not_before, fetched_run, http_status, final_url, "
    "headers, etag, last_modified, disposition, body, status, reason, run"
)


def _row(values: tuple[Any, ...]) -> Row:
    (
        request_id,
        method,
        url,
        form,
        kind,
        context,
        attempts,
        not_before,
        fetched_run,
        http_status,
        final_url,
        headers,
        etag,
        last_modified,
        disposition,
        body,
        status,
        reason,
        run,
    ) = values
    spec = Spec(
        url=url,
        kind=kind,
        context=json.loads(context),
        method=method,
        form=tuple(tuple(pair) for pair in json.loads(form)),
    )
    return Row(
        id=int(request_id),
        spec=spec,
        attempts=int(attempts),
        not_before=float(not_before),
        fetched_run=fetched_run,
        http_status=http_status,
        final_url=final_url or "",
        headers=tuple(tuple(pair) for pair in json.loads(headers or "[]")),
        etag=etag or "",
        last_modified=last_modified or "",
        disposition=bytes(disposition or b""),
        body=body or "",
        status=status or "",
        reason=reason or "",
        run=int(run),
    )
