"""`xxgk summary` and `xxgk compare`: the documents the office produces, written from the current warehouse
version (logic in warehouse/documents/)."""

from __future__ import annotations

import re
from pathlib import Path

import click
from rich.console import Console

from warehouse.documents.make import COMPARE_FORMATS, SUMMARY_FORMATS, comparison_bytes, summary_bytes
from warehouse.documents.summary import MixedTemplates, SummaryRequest
from warehouse.errors import WarehouseError
from warehouse.filters import KINDS, SCOPES
from warehouse.publish import default_dir, require_current
from xxgk.options import warehouse_option

PLACE_CODE = re.compile(r"^\d{6}$")


def _format(fmt: str | None, out: Path, allowed: tuple[str, ...]) -> str:
    """The format asked for, or the one the output file's suffix names."""
    suffix = out.suffix.lower().lstrip(".")
    chosen = fmt or suffix
    if chosen not in allowed:
        raise click.UsageError(f"cannot tell the format of {out}: give --format {'|'.join(allowed)}")
    if fmt and suffix in allowed and suffix != fmt:
        raise click.UsageError(f"--format {fmt} does not match the file name {out.name}")
    return chosen


def _kinds(values: tuple[str, ...]) -> tuple[str, ...]:
    kinds = tuple(k.strip() for value in values for k in value.split(",") if k.strip())
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise click.UsageError(f"unknown agency kind {', '.join(unknown)}; one of {', '.join(KINDS)}")
    return kinds


def _write(out: Path, data: bytes) -> None:
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    except OSError as exc:
        raise click.ClickException(f"{out}: cannot write ({exc.strerror or exc})") from None


@click.command("summary")
@click.option("--place", "place", required=True, help="6-digit division code of the province, city or county")
@click.option("--year", type=click.IntRange(2000, 2100), required=True, help="report year")
@click.option(
    "--scope", type=click.Choice(SCOPES), default="own", show_default=True, help="which reports add up"
)
@click.option(
    "--kinds", multiple=True, help=f"agency kinds to sum, comma-separated ({', '.join(KINDS)}); default all"
)
@click.option("--include-vertical", is_flag=True, help="also sum vertically managed units (税务, 调查队 …)")
@click.option(
    "--template",
    type=click.Choice(("v2021", "v2019", "old")),
    default=None,
    help="sum only reports of this template (needed when the year's reports use several)",
)
@click.option("--format", "fmt", type=click.Choice(SUMMARY_FORMATS), default=None, help="default: from --out")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="file to write")
@warehouse_option
def summary_command(
    place: str,
    year: int,
    scope: str,
    kinds: tuple[str, ...],
    include_vertical: bool,
    template: str | None,
    fmt: str | None,
    out: Path,
    warehouse: Path | None,
) -> None:
    """Write the summary (汇总) of a place and year in the official layout: tables 二, 三 and 四 of the
    template the reports use (or the old table), summed over the current reports of the units under the
    place, with an `about` sheet / note listing the units, the units without a report, the identities
    on the sums, the data version and the filters. `xxgk parse` reads the file back to the same cells."""
    if not PLACE_CODE.match(place):
        raise click.UsageError(f"--place {place!r} is not a 6-digit division code (e.g. 330822)")
    chosen = _format(fmt, out, SUMMARY_FORMATS)
    request = SummaryRequest(place, year, scope, _kinds(kinds), include_vertical, template)
    try:
        summary, data = summary_bytes(require_current(warehouse or default_dir()), request, chosen)
    except MixedTemplates as exc:
        raise click.UsageError(str(exc)) from None
    except WarehouseError as exc:
        raise click.ClickException(str(exc)) from None
    _write(out, data)
    failed = sum(1 for i in summary.identities if i.check.status == "fail")
    Console(stderr=True).print(
        f"wrote {summary.title} ({summary.template}, {len(summary.units)} units, "
        f"{len(summary.missing)} without a report, {failed} identities failing on the sums) to {out}",
        markup=False,
        soft_wrap=True,
    )


@click.command("compare")
@click.argument("agency")
@click.option("--years", nargs=2, type=click.IntRange(2000, 2100), required=True, help="two report years")
@click.option("--format", "fmt", type=click.Choice(COMPARE_FORMATS), default=None, help="default: from --out")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="file to write")
@warehouse_option
def compare_command(
    agency: str, years: tuple[int, int], fmt: str | None, out: Path, warehouse: Path | None
) -> None:
    """Compare one agency's reports of two years: every table cell side by side with the change and the
    percent change (cells whose meaning changed with the template marked not comparable), the harmonised
    series, the narrative by section and sentence (added / removed / unchanged, share copied) and the
    checks of both years. AGENCY is the agency id or a name it published under."""
    chosen = _format(fmt, out, COMPARE_FORMATS)
    try:
        comparison, data = comparison_bytes(
            require_current(warehouse or default_dir()), agency, years, chosen
        )
    except WarehouseError as exc:
        raise click.ClickException(str(exc)) from None
    _write(out, data)
    share = comparison.copied_share
    Console(stderr=True).print(
        f"wrote {comparison.title}: {comparison.count('changed')} cells changed, "
        f"{comparison.count('not_comparable')} not comparable, "
        f"{'no narrative' if share is None else f'{share}% of the later text copied'} to {out}",
        markup=False,
        soft_wrap=True,
    )
