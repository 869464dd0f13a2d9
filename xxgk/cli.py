"""`xxgk` command line: thin wrappers over the library, one-line errors, documented exit codes.

Exit codes: 0 success; 1 the command ran but some inputs failed (listed); 2 usage errors.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import click

from warehouse.errors import WarehouseError
from warehouse.names import EXPORTS
from xxgk import __version__
from xxgk.options import warehouse_option
from xxgk.workers import DEFAULT_SECONDS, MIN_MEMORY, Limits, WorkersCannotStart, parse_size

if TYPE_CHECKING:  # each command imports what it needs, so `xxgk parse` starts fast (docs/scale.md)
    from rich.console import Console

    from xxgk.ingest import IngestSummary, PlaceInputs

FORMATS = ("csv", "xlsx", "parquet")


class _Commands(click.Group):
    """Commands kept in modules of their own are imported only when asked for, so that `xxgk parse`
    does not load the collector or the document writers (docs/scale.md: start-up), and `xxgk --help`
    lists them from their first sentences here (tests/test_launch.py checks these against the commands)
    without importing pandas and the writers (0.85 → 0.1 s)."""

    LAZY: ClassVar[dict[str, tuple[str, str]]] = {
        "collect": ("xxgk.collect_cli", "collect_command"),
        "summary": ("xxgk.documents", "summary_command"),
        "compare": ("xxgk.documents", "compare_command"),
        "findings": ("xxgk.findings", "findings_command"),
        "corrections": ("xxgk.review_cli", "corrections_command"),
        "users": ("xxgk.review_cli", "users_command"),
        "review": ("xxgk.review_cli", "review_command"),
    }
    FIRST_SENTENCES: ClassVar[dict[str, str]] = {
        "collect": (
            "Collect annual reports from government websites: URL is a 年报 column page, an "
            "article or a file."
        ),
        "summary": (
            "Write the summary (汇总) of a place and year in the official layout: tables 二, 三 "
            "and 四 of the template the reports use (or the old table), summed over the "
            "current reports of the units under the place, with an `about` sheet / note "
            "listing the units, the units without a report, the identities on the sums, the "
            "data version and the filters."
        ),
        "compare": (
            "Compare one agency's reports of two years: every table cell side by side with "
            "the change and the percent change (cells whose meaning changed with the template"
            " marked not comparable), the harmonised series, the narrative by section and "
            "sentence (added / removed / unchanged, share copied) and the checks of both "
            "years."
        ),
        "findings": (
            "Write the review findings (审核意见) of a place and year, what the office sends back"
            " to the units: for each unit's current report every failed check in plain "
            "Chinese with the rule and the cells involved (table, row, column, printed "
            "value), missing sections, late publication, the cells not read, the review "
            "status and reviewers' comments, and the corrections in force (the review store: "
            "the report page, or `xxgk review import FILE`)."
        ),
        "corrections": (
            "Corrections of extracted values: an overlay with an audit trail (the values as read stay)."
        ),
        "users": ("Editors who may change things when `xxgk serve --host` is not a loopback address."),
        "review": ("Review statuses (待审核 / 已审核 / 退回修改) and reviewers' comments."),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.LAZY])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY:
            module, name = self.LAZY[cmd_name]
            command: click.Command = getattr(import_module(module), name)
            return command
        return super().get_command(ctx, cmd_name)

    def listed_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command as the help listing shows it: a lazy one as a stand-in with its first sentence."""
        if cmd_name in self.FIRST_SENTENCES:
            return click.Command(cmd_name, help=self.FIRST_SENTENCES[cmd_name])
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click.Group.format_commands over `listed_command`."""
        listed = [(name, self.listed_command(ctx, name)) for name in self.list_commands(ctx)]
        commands = [(name, command) for name, command in listed if command is not None and not command.hidden]
        if not commands:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in commands)
        with formatter.section("Commands"):
            formatter.write_dl([(name, command.get_short_help_str(limit)) for name, command in commands])


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xxgk")
def cli() -> None:
    """xxgk: read government information disclosure annual reports (政府信息公开工作年度报告) into a
    DuckDB warehouse, check them, and export every statistic with its provenance."""


class SizeParam(click.ParamType[int]):
    name = "size"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        try:
            size = parse_size(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a size such as 1.5G or 800M", param, ctx)
        if size < MIN_MEMORY:
            self.fail(f"{value!r} is below the smallest memory limit, {MIN_MEMORY >> 20} MB", param, ctx)
        return size


def limit_options(function: Callable[..., None]) -> Callable[..., None]:
    """--timeout and --memory-limit: what one file may take to parse, in its own worker process."""
    function = click.option(
        "--memory-limit",
        "memory",
        type=SizeParam(),
        default="1.5G",
        show_default=True,
        help="memory one file's parse may use (its worker is stopped beyond it); e.g. 800M, 2G",
    )(function)
    return click.option(
        "--timeout",
        "timeout",
        type=click.FloatRange(1, 86400),
        default=DEFAULT_SECONDS,
        show_default=True,
        help="seconds one file's parse may take before its worker is stopped",
    )(function)


@cli.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@warehouse_option
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 64),
    default=None,
    help="parallel parser processes (default: number of CPUs, at most 4)",
)
@click.option(
    "--places-overrides",
    "overrides",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="CSV agency,code[,note]: places the rules cannot settle (kept as DIR/places_overrides.csv)",
)
@click.option(
    "--aliases",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="CSV alias,canonical: agency name variants (kept as DIR/agency_aliases.csv)",
)
@limit_options
@click.option("--verbose", "-v", is_flag=True, help="print the traceback of every internal error")
@click.option(
    "--cluster",
    default=None,
    metavar="local|ADDRESS",
    help="extract on a Dask cluster: 'local' (--jobs worker processes) or a scheduler address "
    "(tcp://host:8786; workers must see the warehouse directory), each file within the same limits. "
    "Needs pip install 'xxgk[cluster]'",
)
def ingest_command(
    paths: tuple[Path, ...],
    warehouse: Path | None,
    jobs: int | None,
    overrides: Path | None,
    aliases: Path | None,
    timeout: float,
    memory: int,
    verbose: bool,
    cluster: str | None,
) -> None:
    """Read report files or folders (recursively) into the warehouse.

    Every input ends loaded, unchanged, rejected (not a report) or as an error with a one-line reason.
    Re-ingesting identical bytes changes nothing; a changed file replaces its old version. A file that
    failed on a time or memory limit, or for want of OCR, is read again; any other failure of the same
    bytes is reported again. Places, agencies and cross-report checks are derived again for the agencies
    a run touches, and for the whole warehouse when the overrides / aliases files change. Exit 0 when
    every input loaded, 1 when some failed (they are listed).
    """
    from rich.console import Console

    from xxgk.ingest import default_jobs, place_inputs
    from xxgk.report import print_summary

    directory = warehouse or default_dir()
    workers = jobs or default_jobs()
    console = Console(stderr=True)
    try:
        inputs = place_inputs(directory, overrides, aliases)
    except (ValueError, OSError) as exc:
        raise click.UsageError(str(exc)) from None
    from xxgk.cluster import ClusterUnavailable

    try:
        summary = _ingest_with_progress(
            list(paths), directory, workers, console, inputs, Limits(timeout, memory), cluster
        )
    except (WarehouseError, WorkersCannotStart, ClusterUnavailable) as exc:
        raise click.ClickException(str(exc)) from None
    print_summary(summary, directory, Console(), verbose=verbose)
    sys.exit(1 if summary.failed else 0)


def default_dir() -> Path:
    return Path(os.environ.get("XXGK_WAREHOUSE", "data"))


def _ingest_with_progress(
    paths: list[Path],
    directory: Path,
    jobs: int,
    console: Console,
    inputs: PlaceInputs | None = None,
    limits: Limits | None = None,
    cluster: str | None = None,
) -> IngestSummary:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from xxgk.ingest import ingest
    from xxgk.ocr_progress import pages_shown

    columns = (
        TextColumn("[bold]parsing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task("", total=None)

        def started(total: int) -> None:
            progress.update(task, total=total)

        def advanced(path: str) -> None:
            progress.update(task, advance=1, description=Path(path).name[:40])

        def waiting() -> None:
            console.print(
                f"another ingest is writing to {directory}; waiting for it to finish …", markup=False
            )

        with pages_shown(lambda line: progress.update(task, description=line)):
            return ingest(
                paths,
                directory,
                jobs=jobs,
                progress=advanced,
                on_start=started,
                inputs=inputs,
                limits=limits,
                waiting=waiting,
                cluster=cluster,
            )


@cli.command("export")
@click.argument("what", type=click.Choice([*EXPORTS, "parquet-dataset"]))
@warehouse_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="csv, xlsx or parquet (default: from the --out file's extension, else csv)",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="output file (default: CSV to standard output, other formats to ./xxgk_WHAT.EXT); "
    "for parquet-dataset a new directory",
)
def export_command(what: str, warehouse: Path | None, fmt: str | None, out: Path | None) -> None:
    """Export a long table: facts, reports, checks, errors, warnings, coverage (agency × year: published,
    missing, several versions), agencies, or series (harmonised across templates); or the whole
    warehouse as a hive-partitioned Parquet dataset (parquet-dataset --out DIR: year=/province= folders
    that DuckDB, Spark and Trino read directly).

    CSV files are UTF-8 with a BOM so that Excel shows Chinese correctly; XLSX files carry an `about`
    sheet with the data version and the time of export.
    """
    from rich.console import Console

    if what == "parquet-dataset":
        _export_dataset(warehouse or default_dir(), out)
        return
    from warehouse.export import export_table

    chosen = export_format(fmt, out)
    try:
        target, rows, _ = export_table(
            warehouse or default_dir(),
            what,
            chosen,  # type: ignore[arg-type]
            out,
            stream=sys.stdout.buffer,
        )
    except WarehouseError as exc:
        raise click.ClickException(str(exc)) from None
    if target is None:
        return
    Console(stderr=True).print(f"wrote {rows} rows of {what} to {target}", markup=False, highlight=False)


def export_format(fmt: str | None, out: Path | None) -> str:
    """The format asked for, else the one the output file's extension names; a mismatch or an unknown
    extension is a usage error, never CSV bytes in an .xlsx file."""
    suffix = out.suffix.lower().lstrip(".") if out is not None else ""
    if fmt is None:
        if out is None or suffix == "csv":
            return "csv"
        if suffix in FORMATS:
            return suffix
        raise click.UsageError(
            f"cannot tell the format from {out.name!r}: add --format csv|xlsx|parquet or name the file "
            ".csv, .xlsx or .parquet"
        )
    if suffix in FORMATS and suffix != fmt:
        raise click.UsageError(f"--format {fmt} does not match the file name {out.name!r}")  # type: ignore[union-attr]
    return fmt


def _export_dataset(directory: Path, out: Path | None) -> None:
    from rich.console import Console

    from warehouse.dataset import export_dataset

    if out is None:
        raise click.UsageError("parquet-dataset needs --out DIR (a new directory)")
    try:
        counts = export_dataset(directory, out)
    except WarehouseError as exc:
        raise click.ClickException(str(exc)) from None
    listed = ", ".join(f"{name} {rows}" for name, rows in counts.items())
    Console(stderr=True).print(f"wrote the warehouse to {out} ({listed})", soft_wrap=True)


@cli.command("checks")
@warehouse_option
@click.option("--top", type=click.IntRange(1, 10000), default=30, show_default=True, help="agencies listed")
@click.option(
    "--lang",
    type=click.Choice(("zh", "en")),
    default="zh",
    show_default=True,
    help="language of the meanings",
)
def checks_command(warehouse: Path | None, top: int, lang: str) -> None:
    """Summarise the checks of the current reports: per check (what it checks, failed / passed / not
    assessable) and the agencies with the most failures. Details: xxgk export checks."""
    from rich.console import Console

    from xxgk.report import print_checks

    directory = warehouse or default_dir()
    try:
        print_checks(directory, Console(), top=top, lang=lang)
    except WarehouseError as exc:
        raise click.ClickException(str(exc)) from None


@cli.command("parse")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--all-checks", is_flag=True, help="list passing checks too")
@limit_options
@click.option("--verbose", "-v", is_flag=True, help="print the traceback of an internal error")
def parse_command(path: Path, all_checks: bool, timeout: float, memory: int, verbose: bool) -> None:
    """Show what one file reads as: template, agency, year, every value with its source, warnings and
    checks. Nothing is written. The file is parsed in a worker process within the same limits as ingest."""
    from xxgk.parsing import Failure, Job, parse_isolated, parsing_pool

    pool = parsing_pool(limits=Limits(timeout, memory), fork=True)  # it loads the parsers meanwhile
    try:
        from rich.console import Console

        from xxgk.ocr_progress import pages_shown
        from xxgk.report import print_parse

        with pages_shown(Console(stderr=True).print):
            (parsed,) = parse_isolated([Job(str(path))], pool=pool)
    except WorkersCannotStart as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        pool.close()
    if isinstance(parsed.result, Failure):
        click.echo(f"{path}: {parsed.result.kind}: {parsed.result.reason}", err=True)
        if verbose and parsed.result.detail:
            click.echo(parsed.result.detail, err=True)
        sys.exit(1)
    from etl.records import ParsedReport

    assert isinstance(parsed.result, ParsedReport)  # a job that did not ask for rows
    print_parse(parsed.result, Console(), all_checks=all_checks)


@cli.command("samples")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--seed", type=int, default=42, show_default=True)
@click.option("--agencies", type=click.IntRange(1), default=36, show_default=True)
@click.option("--with-bad", is_flag=True, help="also write malformed inputs under OUT_DIR/bad/")
@click.option(
    "--national",
    is_flag=True,
    help="stream the national roster instead: every county of divisions.csv with its departments and "
    "townships, 2014–2025 (about 1.15 million reports), into OUT_DIR/<province>/<city>/",
)
@click.option("--limit", type=click.IntRange(1), default=None, help="with --national: stop after N reports")
@click.option(
    "--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True, help="with --national"
)
def samples_command(
    out_dir: Path, seed: int, agencies: int, with_bad: bool, national: bool, limit: int | None, jobs: int
) -> None:
    """Write the sample corpus (示例数据): reports of all three templates as HTML, text, DOCX and PDF
    (PDF when LibreOffice is installed), each with a <file>.truth.json holding every cell's true value.
    The same seed gives the same bytes (with --national too, whatever --limit and --jobs)."""
    if national:
        from xxgk.samples.national import write_national

        written = write_national(out_dir, seed=seed, limit=limit, workers=jobs)
        click.echo(f"wrote {written} national sample documents (示例数据) to {out_dir}")
        return
    from xxgk.samples import generate_corpus
    from xxgk.samples.agencies import max_agencies

    if agencies > max_agencies():
        click.echo(
            f"Error: --agencies {agencies}: the sample generator knows {max_agencies()} agencies; "
            f"use at most {max_agencies()}",
            err=True,
        )
        sys.exit(2)

    docs = generate_corpus(out_dir, seed=seed, n_agencies=agencies, include_bad=with_bad)
    click.echo(f"wrote {len(docs)} sample documents (示例数据) to {out_dir}")


@cli.command("demo")
@click.option(
    "--dir",
    "base",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo"),
    show_default=True,
    help="where the sample corpus and its warehouse go",
)
@click.option("--port", type=int, default=8501, show_default=True, help="port to serve the dashboard on")
@click.option("--no-serve", is_flag=True, help="build the demo warehouse and stop without serving")
@click.option(
    "--collect",
    "from_sites",
    is_flag=True,
    help="collect the reports from a local replica of government sites",
)
def demo_command(base: Path, port: int, no_serve: bool, from_sites: bool) -> None:
    """Generate the sample corpus, ingest it into BASE/data and serve the dashboard over it.

    With --collect the reports are first published on a local replica of government sites and
    collected from there with `xxgk collect` (BASE/collected/manifest.csv says where each came from)."""
    from rich.console import Console

    from xxgk.report import print_summary
    from xxgk.samples import generate_corpus
    from xxgk.serve import serve

    if from_sites:
        from xxgk.collect_cli import demo_collect

        corpus = demo_collect(base, Console(stderr=True))
    else:
        corpus = base / "samples"
        docs = generate_corpus(corpus, include_bad=True)
        click.echo(f"wrote {len(docs)} sample documents (示例数据) to {corpus}")
    directory = base / "data"
    from xxgk.ingest import default_jobs

    summary = _ingest_with_progress([corpus], directory, default_jobs(), Console(stderr=True))
    print_summary(summary, directory, Console())
    click.echo(f"\nexport the values with: xxgk export facts --warehouse {directory} --out facts.csv")
    click.echo(f"summary of the checks: xxgk checks --warehouse {directory}")
    if not no_serve:
        serve(directory, "127.0.0.1", port)


@cli.command("serve")
@warehouse_option
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option("--port", type=int, default=8501, show_default=True, help="port to listen on")
@click.option(
    "--require-login",
    is_flag=True,
    help="ask for an editor's password (xxgk users add) before any change, even on 127.0.0.1",
)
def serve_command(warehouse: Path | None, host: str, port: int, require_login: bool) -> None:
    """Serve the dashboard over the warehouse; it shows a newly ingested version on the next interaction.

    On 127.0.0.1 everyone at this machine may import, review and correct. On any other address the
    dashboard is read-only unless editors were added with `xxgk users add NAME`; they log in to edit."""
    from xxgk.serve import serve

    directory = warehouse or default_dir()
    if not directory.is_dir():
        raise click.ClickException(f"no warehouse directory {directory}: run `xxgk ingest PATH` first")
    serve(directory, host, port, require_login=require_login)


def main() -> None:  # pragma: no cover
    cli()
