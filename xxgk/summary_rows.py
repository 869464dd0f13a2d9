"""What the ingest summary says, without rich: the rows of its table and the paths it names. `xxgk.report`
draws them with rich; `xxgk.quick_ingest` prints the usual summary from them as rich would, without
importing it (docs/scale.md §5, one file, nineteenth pass)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xxgk.ingest import IngestSummary

IGNORED = "other files ignored"
"""The row whose value names files (their suffixes): text, never markup."""


def short_path(path: str) -> str:
    """The path relative to the working directory when it is under it."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


def summary_title(summary: IngestSummary) -> str:
    """The title of the summary's table."""
    return f"xxgk ingest: {len(summary.outcomes)} inputs in {summary.seconds:.1f} s"


def summary_rows(summary: IngestSummary) -> list[tuple[str, str]]:
    """The rows of the summary's table, label and value."""
    rows = [
        ("loaded (new)", str(summary.count("loaded"))),
        ("loaded (replacing an older version)", str(summary.count("replaced"))),
        ("unchanged (same bytes already loaded)", str(summary.count("unchanged"))),
        ("rejected (not an annual report)", str(summary.count("rejected"))),
        ("errors", str(summary.count("error"))),
    ]
    if summary.templates:
        rows.append(("templates", " · ".join(f"{t} {n}" for t, n in sorted(summary.templates.items()))))
        rows.append(("reports with parse warnings", str(summary.with_warnings)))
        rows.append(("reports failing a check", str(summary.failing_checks)))
    if summary.ignored:
        rows.append((IGNORED, ", ".join(f"{k} ×{v}" for k, v in summary.ignored.most_common())))
    if summary.skipped:
        rows.append(("skipped in folders (not read)", str(len(summary.skipped))))
    return rows


def version_line(summary: IngestSummary, directory: Path) -> str:
    """The summary's last line: the version the run published or left, with its counts."""
    if summary.version is None:
        return f"warehouse {directory}: nothing published yet"
    from warehouse.store.state import stored_counts  # the parse command needs no DuckDB

    reports, facts = stored_counts(summary.version)
    state = "published" if summary.published else "unchanged"
    return f"warehouse {state}: {short_path(str(summary.version))} ({reports} reports, {facts} values)"
