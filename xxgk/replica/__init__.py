"""A local replica of government sites for the collector's tests and `xxgk demo --collect`.

    with Replica.start(samples_dir) as replica:
        seeds = replica.seeds()          # list of etl.collect Seed
        ...                              # replica.log.hits, replica.expect

Every site runs on its own port of 127.0.0.1 (so each is its own host for politeness). Text is
fictional (示例数据); reports come from the sample generator.
"""

from __future__ import annotations

import csv
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from etl.collect.settings import Seed
from xxgk.replica.families import Deck, Generic, Gkmlpt, Hanweb, PublicColumn, Trs, hazard_sites
from xxgk.replica.server import Hit, Log, Servers
from xxgk.replica.site import NOT_REPORT, Expect, load_reports

__all__ = ["NOT_REPORT", "Expect", "Hit", "Replica", "closed_port"]


def closed_port() -> int:
    """A port nobody listens on (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Replica:
    def __init__(self, samples: Path) -> None:
        pages, files = load_reports(samples)
        page_deck, file_deck = Deck(pages), Deck(files)
        self.expect = Expect()
        sites = [
            Hanweb(page_deck, file_deck, self.expect).site,
            Trs(page_deck, file_deck, self.expect).site,
            Gkmlpt(page_deck, file_deck, self.expect).site,
            PublicColumn(page_deck, self.expect).site,
            Generic(page_deck, file_deck, self.expect).site,
            *hazard_sites(self.expect),
        ]
        self.servers = Servers({site.name: site for site in sites})
        self.log: Log = self.servers.log
        self.dead_port = closed_port()
        self.expect.hazards["connection_refused"] = ("dead", "/nb/index.html", "failed")

    @classmethod
    @contextmanager
    def start(cls, samples: Path) -> Iterator[Replica]:
        replica = cls(samples)
        try:
            yield replica
        finally:
            replica.stop()

    def stop(self) -> None:
        self.servers.stop()

    def url(self, site: str, path: str) -> str:
        if site == "dead":
            return f"http://127.0.0.1:{self.dead_port}{path}"
        return self.servers.url(site, path)

    def seeds(self) -> list[Seed]:
        found = [Seed(self.url(site, path), agency) for site, path, agency in self.expect.seeds]
        return [*found, Seed(self.url("dead", "/nb/index.html"), "示例戊县人民政府")]

    def write_seeds(self, path: Path) -> Path:
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["url", "agency", "place_code"])
            for seed in self.seeds():
                writer.writerow([seed.url, seed.agency, seed.place_code])
        return path

    def locate(self, url: str) -> tuple[str, str]:
        """(site, path) of a replica URL."""
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return self.servers.site_of(url) or "dead", path

    def served(self, url: str) -> str:
        """The report id (or NOT_REPORT, or '') a replica URL serves."""
        site, path = self.locate(url)
        return self.expect.served.get((site, path), self.expect.served.get((site, path.split("?")[0]), ""))
