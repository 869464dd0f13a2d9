"""`xxgk corrections import|export` and `xxgk users add|list|remove`: thin commands over
warehouse/review, with one-line errors and the documented exit codes (0 done, 1 some lines failed,
2 usage errors)."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click

from warehouse.errors import WarehouseError
from warehouse.export import csv_bytes
from warehouse.publish import default_dir
from warehouse.review.csvio import BadFile, export_corrections, import_corrections
from warehouse.review.ledger import ReviewError
from warehouse.review.users import add_editor, editors, remove_editor
from xxgk.options import warehouse_option


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@click.group("corrections")
def corrections_command() -> None:
    """Corrections of extracted values: an overlay with an audit trail (the values as read stay)."""


@corrections_command.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@warehouse_option
@click.option("--user", default=None, help="who makes these corrections (default: the OS user name)")
def corrections_import(file: Path, warehouse: Path | None, user: str | None) -> None:
    """Apply a CSV of corrections: source_file (or report_id), metric_code, breakdown, value, reason
    [, kind = extraction | agency_error]. Lines already in place change nothing; each bad line is listed
    with its reason and the others are applied. Exit 0 when every line applied, 1 when some failed."""
    directory = warehouse or default_dir()
    try:
        summary = import_corrections(directory, file, user or os_user())
    except BadFile as exc:
        raise click.UsageError(str(exc)) from None
    except WarehouseError as exc:
        raise click.ClickException(str(exc)) from None
    for error in summary.errors:
        click.echo(error, err=True)
    click.echo(
        f"corrections: {summary.added} added, {summary.replaced} replaced, {summary.unchanged} unchanged, "
        f"{len(summary.errors)} failed"
    )
    sys.exit(1 if summary.errors else 0)


@corrections_command.command("export")
@warehouse_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="CSV file to write (default: standard output)",
)
@click.option("--all", "everything", is_flag=True, help="include withdrawn corrections (the whole history)")
def corrections_export(warehouse: Path | None, out: Path | None, everything: bool) -> None:
    """Write the corrections as CSV: the import columns first, then report_id, kind, the value as read,
    the state in the current version (applied, needs_review, carried, dismissed, withdrawn), who and when."""
    try:
        frame = export_corrections(warehouse or default_dir(), withdrawn=everything)
    except WarehouseError as exc:
        raise click.ClickException(str(exc)) from None
    if out is None:
        sys.stdout.buffer.write(frame.to_csv(index=False).encode("utf-8"))
        return
    out.write_bytes(csv_bytes(frame))
    click.echo(f"wrote {len(frame)} corrections to {out}", err=True)


@click.group("users")
def users_command() -> None:
    """Editors who may change things when `xxgk serve --host` is not a loopback address."""


@users_command.command("add")
@click.argument("name")
@warehouse_option
def users_add(name: str, warehouse: Path | None) -> None:
    """Add an editor (or set an editor's password); the password is asked twice and stored as a scrypt
    hash in DIR/review.sqlite3."""
    directory = warehouse or default_dir()
    if not directory.is_dir():
        raise click.UsageError(f"no warehouse directory {directory}")
    password = click.prompt("password", hide_input=True, confirmation_prompt=True, err=True)
    try:
        new = add_editor(directory, name, password)
    except ReviewError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"{'added' if new else 'changed the password of'} editor {name}")


@users_command.command("list")
@warehouse_option
def users_list(warehouse: Path | None) -> None:
    """List the editors and when they were added."""
    found = editors(warehouse or default_dir())
    if not found:
        click.echo("no editors: a dashboard served on another address than 127.0.0.1 is read-only")
    for name, created in found:
        click.echo(f"{name}\t{created}")


@users_command.command("remove")
@click.argument("name")
@warehouse_option
def users_remove(name: str, warehouse: Path | None) -> None:
    """Remove an editor."""
    if not remove_editor(warehouse or default_dir(), name):
        raise click.UsageError(f"there is no editor {name}")
    click.echo(f"removed editor {name}")


@click.group("review")
def review_command() -> None:
    """Review statuses (待审核 / 已审核 / 退回修改) and reviewers' comments."""


@review_command.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@warehouse_option
@click.option("--user", default=None, help="who wrote lines without a reviewer (default: the OS user name)")
def review_import(file: Path, warehouse: Path | None, user: str | None) -> None:
    """Record a CSV of reviewers' comments: report_id or source_file, comment [, reviewer, date, status].
    Each line becomes a status change with its comment, as on the report page; the review findings
    (xxgk findings) print them. Lines already recorded change nothing; each bad line is listed with its
    reason. Exit 0 when every line was recorded, 1 when some failed."""
    from warehouse.review.comments_csv import import_comments

    try:
        summary = import_comments(warehouse or default_dir(), file, user or os_user())
    except BadFile as exc:
        raise click.UsageError(str(exc)) from None
    except WarehouseError as exc:
        raise click.ClickException(str(exc)) from None
    for error in summary.errors:
        click.echo(error, err=True)
    click.echo(
        f"comments: {summary.added} recorded, {summary.unchanged} already there, {len(summary.errors)} failed"
    )
    sys.exit(1 if summary.errors else 0)
