"""Issue 11's 'done when', measured: `xxgk collect` against the local replica, killed with SIGKILL in the
middle of the run, started again, then run a second time with the same seeds.

    .venv/bin/python benchmarks/collect_replica.py [--agencies 8] [--delay 0.05] [--kill-at 60]

Prints: reports found / expected, extra documents kept, robots.txt violations, downloads repeated after
the kill, most requests in flight per host, hazards recorded, and what the second run fetched.
"""

from __future__ import annotations

import argparse
import csv
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from xxgk.replica import NOT_REPORT, Replica
from xxgk.samples import generate_corpus

FINAL = ("saved", "duplicate", "not_a_report", "robots_disallowed")


def manifest(out: Path) -> list[dict[str, str]]:
    with (out / "manifest.csv").open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def hazards_recorded(replica: Replica, rows: list[dict[str, str]]) -> tuple[int, list[str]]:
    by_path = {replica.locate(row["url"]): row["status"] for row in rows}
    requested = {(h.site, h.path) for h in replica.log.hits}
    missed = []
    for name, (site, path, status) in replica.expect.hazards.items():
        if status == "never":
            ok = (site, path) not in requested
        elif status == "listed":
            ok = any(h.status == 302 for h in replica.log.hits if h.path == path)
        elif name == "duplicate_page":
            report = replica.served(replica.url(site, path))
            ok = sorted(r["status"] for r in rows if replica.served(r["url"]) == report) == [
                "duplicate",
                "saved",
            ]
        else:
            ok = by_path.get((site, path)) == status
        if not ok:
            missed.append(name)
    return len(replica.expect.hazards) - len(missed), missed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agencies", type=int, default=8)
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument(
        "--kill-at", type=int, default=60, help="kill the collector when this request arrives"
    )
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="xxgk_collect_bench_"))
    generate_corpus(base / "samples", n_agencies=args.agencies)
    with Replica.start(base / "samples") as replica:
        seeds = replica.write_seeds(base / "seeds.csv")
        out = base / "collected"
        command = [
            sys.executable,
            "-m",
            "xxgk",
            "collect",
            "--from",
            str(seeds),
            "--out",
            str(out),
            "--delay",
            str(args.delay),
            "--timeout",
            "2",
            "--retries",
            "2",
        ]
        print("command:", " ".join(command[2:]))
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        arrived = {"n": 0}

        def kill(site: str, path: str) -> bool:
            arrived["n"] += 1
            if arrived["n"] == args.kill_at:
                os.kill(process.pid, signal.SIGKILL)
                return True
            return False

        replica.log.kill = kill
        started = time.monotonic()
        killed = process.wait() == -signal.SIGKILL
        replica.log.kill = None
        resumed = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        first_seconds = time.monotonic() - started
        rows = manifest(out)
        downloads = Counter(
            (h.site, h.method, h.path, repr(sorted(h.form.items())))
            for h in replica.log.hits
            if h.status == 200 and h.body_bytes and not h.killed
        )
        saved = Counter(replica.served(r["url"]) for r in rows if r["status"] == "saved")
        expected = replica.expect.expected
        kept = {
            p
            for p in out.rglob("*")
            if p.is_file() and ".xxgk-collect" not in p.parts and p.name != "manifest.csv"
        }
        violations = [
            h.path
            for h in replica.log.hits
            for site, prefix in replica.expect.disallowed
            if h.site == site and h.path.startswith(prefix)
        ]
        recorded, missed = hazards_recorded(replica, rows)
        first_hits = len(replica.log.hits)
        settled = {replica.locate(r["url"]) for r in rows if r["status"] in FINAL}
        second = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        later = replica.log.hits[first_hits:]
        print(
            f"killed with SIGKILL at request {args.kill_at}: {killed}; restart exit code {resumed}; "
            f"{first_seconds:.1f} s for both"
        )
        print(
            f"reports found: {len(set(saved) & expected)} of {len(expected)} "
            f"({100 * len(set(saved) & expected) / len(expected):.0f} %); saved twice: "
            f"{sum(1 for n in saved.values() if n > 1)}"
        )
        extra = len(set(saved) - expected)
        print(
            f"extra documents kept: {extra} (not reports: {saved.get(NOT_REPORT, 0)}); "
            f"files in the output: {len(kept)}"
        )
        print(f"robots.txt violations: {len(violations)}")
        print(f"downloads repeated after the kill: {sum(1 for n in downloads.values() if n > 1)}")
        print(f"most requests in flight per host: {max(replica.log.max_in_flight.values())}")
        print(
            f"hazards recorded: {recorded} of {len(replica.expect.hazards)}"
            + (f" (missed: {missed})" if missed else "")
        )
        print(
            f"requests in the first run: {first_hits}; manifest rows: {len(rows)} "
            f"({dict(Counter(r['status'] for r in rows))})"
        )
        refetched = [h.path for h in later if (h.site, h.path) in settled and h.path != "/robots.txt"]
        not_modified = sum(h.status == 304 for h in later)
        print(
            f"second run: exit {second}, {len(later)} requests, {not_modified} answered "
            f"304, {len(refetched)} of them for items already settled"
        )
    print(f"(work files in {base})")


if __name__ == "__main__":
    main()
