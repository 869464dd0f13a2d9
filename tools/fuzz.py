"""Fuzz the parser: mutants of sample files of every format, each parsed in a worker within limits.

    .venv/bin/python tools/fuzz.py --per-format 5000 --jobs 2 --out fuzz-out

Prints, per format and in total: inputs tried, outcomes by kind (report, rejected, limit, unreadable),
failures that must never happen (internal errors = tracebacks, timeouts = hangs, memory, dead workers),
the longest parse and the largest worker memory. Inputs that failed that way are saved in --out with
their traceback, to reproduce with `xxgk parse FILE --verbose`. Exit status 1 when there was any.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from etl.records import ParsedReport  # noqa: E402
from xxgk.parsing import PRELOADED, Failure, Job, Parsed, parse_one  # noqa: E402
from xxgk.samples.fuzz import FORMATS, Mutant, Seed, mutants, seeds_from  # noqa: E402
from xxgk.samples.hostile import hostile_files  # noqa: E402
from xxgk.workers import Limits, Result, run_isolated  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
NEVER = ("internal", "timeout", "memory", "died")


def kind_of(result: Result[Parsed]) -> str:
    if result.value is None:
        failure = result.failure
        if failure.startswith("timed out"):
            return "timeout"
        if failure.startswith("over the memory"):
            return "memory"
        return "died"
    outcome = result.value.result
    if isinstance(outcome, ParsedReport):
        return "report"
    if outcome.kind == "rejected":
        return "rejected"
    if outcome.reason.startswith("internal error"):
        return "internal"
    return "limit" if "over the limit of" in outcome.reason else "unreadable"


@dataclass
class Tally:
    kinds: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    peak: int = 0
    slowest: str = ""

    def add(self, kind: str, result: Result[Parsed], name: str) -> None:
        self.kinds[kind] += 1
        if result.seconds > self.seconds:
            self.seconds, self.slowest = result.seconds, name
        self.peak = max(self.peak, result.peak_bytes)


def seeds() -> list[Seed]:
    files = sorted(p for folder in ("reports", "converted", "unruled") for p in (FIXTURES / folder).iterdir())
    return seeds_from([p for p in files if not p.name.endswith(".json")])


def run(
    per_format: int, jobs: int, limits: Limits, out: Path, seed: int, formats: tuple[str, ...] = FORMATS
) -> dict[str, Tally]:
    by_format: dict[str, list[Seed]] = defaultdict(list)
    for found in seeds():
        by_format[found.suffix].append(found)
    tallies: dict[str, Tally] = defaultdict(Tally)
    with tempfile.TemporaryDirectory(prefix="xxgk-fuzz-") as work:
        names = {}
        for mutant in _inputs(by_format, per_format, seed, formats):
            path = Path(work) / mutant.name
            path.write_bytes(mutant.data)
            names[str(path)] = Mutant(mutant.name, b"", mutant.seed, mutant.how)
        started = time.monotonic()
        jobs_list = [Job(p) for p in names]
        found = run_isolated(parse_one, jobs_list, jobs=jobs, limits=limits, preload=PRELOADED)
        for done, (job, result) in enumerate(found, 1):
            mutant = names[job.path]
            kind = kind_of(result)
            fmt = "hostile" if mutant.seed == "hostile" else Path(mutant.name).suffix
            tallies[fmt].add(kind, result, mutant.name)
            if kind in NEVER:
                _keep(out, job.path, mutant, result)
            if done % 500 == 0:
                print(f"{done} inputs, {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    return tallies


def _inputs(
    by_format: dict[str, list[Seed]], per_format: int, seed: int, formats: tuple[str, ...]
) -> Iterator[Mutant]:
    for fmt in formats:
        yield from mutants(by_format[fmt], per_format, seed=seed + FORMATS.index(fmt))
    yield from (Mutant(f"hostile_{h.name}", h.data, "hostile", h.attack) for h in hostile_files())


def _keep(out: Path, path: str, mutant: Mutant, result: Result[Parsed]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, out / mutant.name)
    detail = result.failure
    if result.value is not None and isinstance(result.value.result, Failure):
        detail = f"{result.value.result.reason}\n{result.value.result.detail}"
    (out / f"{mutant.name}.txt").write_text(f"seed {mutant.seed}; mutation {mutant.how}\n{detail}\n", "utf-8")


def table(tallies: dict[str, Tally]) -> str:
    total = Tally()
    for tally in tallies.values():
        total.kinds.update(tally.kinds)
        total.peak = max(total.peak, tally.peak)
        if tally.seconds > total.seconds:
            total.seconds, total.slowest = tally.seconds, tally.slowest
    columns = ("report", "rejected", "limit", "unreadable", *NEVER)
    lines = [
        "| format | inputs | " + " | ".join(columns) + " | max time | max memory |",
        "|---|" + "---:|" * (len(columns) + 3),
    ]
    for name, tally in [*sorted(tallies.items()), ("all", total)]:
        counts = " | ".join(str(tally.kinds[c]) for c in columns)
        lines.append(
            f"| {name} | {sum(tally.kinds.values()):,} | {counts} | {tally.seconds:.1f} s | "
            f"{tally.peak / (1 << 20):.0f} MiB |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--per-format", type=int, default=5000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--memory-limit-mib", type=int, default=1536)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("fuzz-out"))
    parser.add_argument("--formats", default=",".join(FORMATS), help="e.g. .pdf,.docx (default: all)")
    args = parser.parse_args()
    limits = Limits(args.timeout, args.memory_limit_mib << 20)
    started = time.monotonic()
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip() in FORMATS)
    tallies = run(args.per_format, args.jobs, limits, args.out, args.seed, formats)
    print(table(tallies))
    total = Counter[str]()
    for tally in tallies.values():
        total.update(tally.kinds)
    print(f"\n{sum(total.values()):,} inputs in {time.monotonic() - started:.0f} s with --jobs {args.jobs}")
    print(json.dumps({fmt: dict(t.kinds) for fmt, t in tallies.items()}, sort_keys=True))
    return 1 if any(total[k] for k in NEVER) else 0


if __name__ == "__main__":
    sys.exit(main())
