"""`xxgk collect`: the command over `etl.collect.collect`, with a progress bar, a one-screen summary per
site and the documented exit codes (0 all saved or rightly skipped, 1 something blocked or failed,
2 usage errors)."""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlsplit

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from etl.collect import (
    CollectSettings,
    CollectSummary,
    ProgressEvent,
    Seed,
    collect,
    default_user_agent,
    read_seeds,
)
from etl.collect.settings import DEFAULT_CONTACT, check_url

PROBLEMS_SHOWN = 15


def gather_seeds(urls: tuple[str, ...], from_file: Path | None) -> list[Seed]:
    """Seeds from the arguments and the --from CSV; raises click.UsageError on a bad one."""
    seeds: list[Seed] = []
    for url in urls:
        try:
            check_url(url)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
        seeds.append(Seed(url))
    if from_file is not None:
        try:
            seeds += read_seeds(from_file)
        except (ValueError, OSError, UnicodeDecodeError) as exc:
            raise click.UsageError(f"{from_file}: {exc}") from None
    if not seeds:
        raise click.UsageError("give at least one URL or --from FILE")
    return seeds


def run_with_progress(
    seeds: list[Seed], out: Path, settings: CollectSettings, console: Console
) -> CollectSummary:
    columns = (
        TextColumn("[bold]collecting"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("saved {task.fields[saved]}"),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task("", total=None, saved=0)

        def advanced(event: ProgressEvent) -> None:
            path = urlsplit(event.url).path[-40:]
            progress.update(
                task,
                completed=event.done,
                total=event.done + event.pending,
                saved=event.saved,
                description=path,
            )

        return collect(seeds, out, settings, progress=advanced)


def print_collect_summary(summary: CollectSummary, console: Console) -> None:
    table = Table(title=f"collected into {summary.out_dir}" + (" (resumed run)" if summary.resumed else ""))
    for column in (
        "site",
        "requests",
        "list pages",
        "reports",
        "duplicates",
        "not reports",
        "blocked",
        "failed",
        "robots",
    ):
        if column == "site":
            table.add_column(column, no_wrap=True, min_width=21)
        else:
            table.add_column(column, justify="right")
    for site in sorted(summary.sites.values(), key=lambda s: s.host):
        table.add_row(
            site.host,
            str(site.requests),
            str(site.pages),
            str(site.reports),
            str(site.duplicates),
            str(site.not_reports),
            str(site.blocked),
            str(site.failed),
            str(site.robots_disallowed),
        )
    console.print(table)
    console.print(
        f"{summary.total('reports')} reports saved, {summary.total('duplicates')} duplicates, "
        f"{summary.total('not_reports')} not reports, "
        f"{summary.total('robots_disallowed')} disallowed by robots.txt; "
        f"{summary.requests} requests ({summary.not_modified} not modified) in {summary.seconds:.1f} s"
    )
    problems = summary.problems
    if problems:
        console.print(f"[bold]{len(problems)} blocked or failed[/bold] (all in the manifest):")
        for url, status, reason in problems[:PROBLEMS_SHOWN]:
            console.print(f"  {status:8} {url}  {reason}", markup=False, highlight=False)
        if len(problems) > PROBLEMS_SHOWN:
            console.print(f"  … and {len(problems) - PROBLEMS_SHOWN} more")
    console.print(f"manifest: {summary.manifest}")


@click.command("collect")
@click.argument("urls", nargs=-1)
@click.option(
    "--from",
    "from_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="CSV of seeds: url[,agency][,place_code] (a header row is optional)",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="where documents, manifest.csv and the resumable state go",
)
@click.option(
    "--warehouse",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="ingest the saved reports into this warehouse at the end",
)
@click.option(
    "--delay",
    type=click.FloatRange(0, 3600),
    default=1.0,
    show_default=True,
    help="seconds between two requests to one host (jittered; a longer robots.txt Crawl-delay wins)",
)
@click.option("--user-agent", default=None, help="User-Agent header (default names xxgk and --contact)")
@click.option(
    "--contact", default=DEFAULT_CONTACT, show_default=True, help="URL or e-mail in the default User-Agent"
)
@click.option(
    "--max-pages", type=click.IntRange(1, 100_000), default=200, show_default=True, help="list pages per seed"
)
@click.option(
    "--since", type=click.IntRange(1990, 2100), default=None, help="skip reports for years before this one"
)
@click.option(
    "--timeout", type=click.FloatRange(1, 600), default=30.0, show_default=True, help="seconds per request"
)
@click.option(
    "--retries", type=click.IntRange(0, 10), default=3, show_default=True, help="after timeouts, 429 and 5xx"
)
def collect_command(
    urls: tuple[str, ...],
    from_file: Path | None,
    out: Path,
    warehouse: Path | None,
    delay: float,
    user_agent: str | None,
    contact: str,
    max_pages: int,
    since: int | None,
    timeout: float,
    retries: int,
) -> None:
    """Collect annual reports from government websites: URL is a 年报 column page, an article or a file.

    Obeys robots.txt, asks one host one thing at a time with a delay, backs off on 429/503, and records
    challenge pages as blocked without ever solving them. Killed and started again with the same --out,
    it goes on where it stopped; run later with the same seeds, it asks only for what is new. Exit 0 when
    everything met was saved or rightly skipped, 1 when something was blocked or failed.
    """
    seeds = gather_seeds(urls, from_file)
    try:
        settings = CollectSettings(
            delay=delay,
            user_agent=user_agent or default_user_agent(contact),
            max_pages=max_pages,
            since=since,
            timeout=timeout,
            retries=retries,
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    console = Console(stderr=True)
    summary = run_with_progress(seeds, out, settings, console)
    print_collect_summary(summary, Console())
    code = summary.exit_code
    if warehouse is not None:
        code = max(code, ingest_collected(out, warehouse, console))
    sys.exit(code)


def ingest_collected(out: Path, warehouse: Path, console: Console) -> int:
    """Ingest the collected documents (the manifest's URL, publisher and date go with them)."""
    from warehouse.errors import WarehouseError
    from xxgk.ingest import ingest
    from xxgk.report import print_summary
    from xxgk.workers import WorkersCannotStart

    try:
        summary = ingest([out], warehouse, jobs=1)
    except (WarehouseError, WorkersCannotStart) as exc:
        raise click.ClickException(str(exc)) from None
    print_summary(summary, warehouse, Console())
    return 1 if summary.failed else 0


def demo_collect(base: Path, console: Console) -> Path:
    """Serve the replica of government sites from the sample corpus, collect from it into BASE/collected
    and return that folder (for `xxgk demo --collect`)."""
    from xxgk.replica import Replica
    from xxgk.samples import generate_corpus

    samples = base / "replica_samples"
    generate_corpus(samples, n_agencies=8)
    out = base / "collected"
    settings = CollectSettings(delay=0.05, timeout=5.0, backoff=0.2, retries=2)
    with Replica.start(samples) as replica:
        console.print(
            f"serving a replica of {len(replica.servers.servers)} government sites on 127.0.0.1 (示例数据)"
        )
        summary = run_with_progress(replica.seeds(), out, settings, console)
    print_collect_summary(summary, Console())
    return out
