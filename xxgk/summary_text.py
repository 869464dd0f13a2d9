"""The ingest summary for a stream that is not a terminal, written without importing rich.

rich (console, table, progress: ~40 ms of CPU to import, docs/scale.md §5, seventh pass) draws the same
lines for such a stream — no colours, no progress bar, a table of box-drawing characters — so for the
summaries whose every cell is one column a character and whose table fits the width, this module writes
those lines itself; anything else (a failed input, a skipped entry, a wide or long cell) goes to
xxgk/report.py's rich version. `tests/test_summary_text.py` checks both write the same bytes.
"""

from __future__ import annotations

import os
import sys
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from xxgk.ingest import IngestSummary

WIDTH = 80
"""rich's width for a stream that is not a terminal, unless COLUMNS gives one."""


def _width() -> int:
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else WIDTH


def plain_stream(stream: TextIO) -> bool:
    """True when rich would draw on `stream` without colours or live display, at the default width."""
    if os.environ.get("FORCE_COLOR") or os.environ.get("TTY_COMPATIBLE"):
        return False
    try:
        return not stream.isatty()
    except (AttributeError, ValueError):
        return False


NARROW = frozenset("·×…")
"""Characters beyond ASCII in the summary's own words that rich counts one column wide."""


def short(path: str) -> str:
    """A path relative to the working directory when it is under it."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


def _narrow(text: str) -> bool:
    """Every character one column wide for rich (a wide or ambiguous one goes to rich)."""
    return all(
        " " <= c < "\x7f"
        or c in NARROW
        or (unicodedata.east_asian_width(c) in "NaH" and not unicodedata.combining(c))
        for c in text
    )


def _rows(summary: IngestSummary) -> list[tuple[str, str]]:
    """The rows of xxgk/report.py's `print_summary` table."""
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
        rows.append(("other files ignored", ", ".join(f"{k} ×{v}" for k, v in summary.ignored.most_common())))
    return rows


def summary_cells(rows: list[tuple[str, str]]) -> str:
    """The value cells rich is given as plain strings (all but "other files ignored", a `Text`)."""
    return "".join(value for label, value in rows if label != "other files ignored")


def table_lines(summary: IngestSummary) -> list[str] | None:
    """The lines rich writes for the summary's title and table on a plain stream; None when the summary
    has more to say (failed inputs, skipped entries, tracebacks) or a cell this module cannot measure."""
    if summary.failed or summary.skipped or any(o.detail for o in summary.outcomes):
        return None
    rows = _rows(summary)
    title = f"xxgk ingest: {len(summary.outcomes)} inputs in {summary.seconds:.1f} s"
    if not all(_narrow(text) for row in rows for text in row):
        return None
    if any(c in text for text in (*(label for label, _ in rows), summary_cells(rows)) for c in "[:"):
        return None  # rich reads markup and emoji codes in a plain cell
    left = max(len(label) for label, _ in rows)
    right = max(len(value) for _, value in rows)
    width = left + right + 7
    if width > _width() or len(title) > width:
        return None
    before = (width - len(title)) // 2
    lines = [" " * before + title + " " * (width - len(title) - before)]
    lines.append("┌" + "─" * (left + 2) + "┬" + "─" * (right + 2) + "┐")
    lines += [f"│ {label:<{left}} │ {value:<{right}} │" for label, value in rows]
    lines.append("└" + "─" * (left + 2) + "┴" + "─" * (right + 2) + "┘")
    return lines


def version_line(summary: IngestSummary, directory: Path) -> str | None:
    """xxgk/report.py's `_print_version` line (printed unwrapped); None for the unpublished case, which
    rich wraps at the width."""
    if summary.version is None:
        return None
    from warehouse.store.state import stored_counts

    reports, facts = stored_counts(summary.version)
    state = "published" if summary.published else "unchanged"
    return f"warehouse {state}: {short(str(summary.version))} ({reports} reports, {facts} values)"


def print_plain_summary(summary: IngestSummary, directory: Path, stream: TextIO | None = None) -> bool:
    """Write the summary to `stream` (standard output) as rich would, when it can; False when not."""
    out = stream or sys.stdout
    if not plain_stream(out):
        return False
    lines = table_lines(summary)
    last = version_line(summary, directory) if lines is not None else None
    if lines is None or last is None:
        return False
    out.write("\n".join([*lines, last]) + "\n")
    out.flush()
    return True
