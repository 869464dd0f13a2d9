"""What a collection run is told: its seeds and its politeness and limit settings."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_CONTACT = "https://github.com/xxgk/xxgk"
"""Where a site's webmaster can find out what the collector is; override with --contact."""


def _version() -> str:
    try:
        return version("xxgk")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0"


def default_user_agent(contact: str = DEFAULT_CONTACT) -> str:
    purpose = "collects annual government information disclosure reports; obeys robots.txt"
    return f"xxgk/{_version()} (+{contact}; {purpose})"


@dataclass(frozen=True)
class Seed:
    """Where to start: a 年报 column page, an article page or a file, with what the user knows of it."""

    url: str
    agency: str = ""
    place_code: str = ""


@dataclass(frozen=True)
class CollectSettings:
    """Politeness and limits. Delays are seconds; the defaults suit real government sites."""

    delay: float = 1.0
    """Pause between two requests to one host (a robots.txt Crawl-delay that is longer wins)."""
    jitter: float = 0.3
    """The pause varies by up to this share of `delay`, either way."""
    user_agent: str = field(default_factory=default_user_agent)
    robots_agent: str = "xxgk"
    """The name matched against robots.txt User-agent lines."""
    timeout: float = 30.0
    max_bytes: int = 100 * 1024 * 1024
    retries: int = 3
    """Further attempts after a timeout, a dropped connection or a 5xx/429 answer."""
    backoff: float = 2.0
    """First wait before a retry, doubled on each further attempt (unless Retry-After says otherwise)."""
    max_retry_after: float = 600.0
    """A Retry-After longer than this fails the item instead of waiting."""
    max_pages: int = 200
    """List pages followed per seed."""
    since: int | None = None
    """Skip reports for years before this one (judged from the list title, else the publication date)."""
    max_redirects: int = 10

    def __post_init__(self) -> None:
        if self.delay < 0 or self.jitter < 0 or self.jitter >= 1:
            raise ValueError(f"delay must be >= 0 and jitter in [0, 1), not {self.delay} / {self.jitter}")
        if self.timeout <= 0 or self.max_bytes <= 0 or self.max_pages < 1 or self.retries < 0:
            raise ValueError("timeout, max_bytes and max_pages must be positive and retries >= 0")
        if not self.user_agent.isascii() or not self.user_agent.strip():
            raise ValueError(f"the User-Agent must be non-empty ASCII (an HTTP header): {self.user_agent!r}")


def read_seeds(path: Path) -> list[Seed]:
    """Seeds from a CSV `url[,agency][,place_code]` (a header row naming `url` is optional; `#` lines are
    comments). Raises ValueError naming the file and line of a bad row."""
    text = path.read_text(encoding="utf-8-sig")
    seeds: list[Seed] = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in row]
        if not cells or not cells[0] or cells[0].startswith("#"):
            continue
        if number == 1 and cells[0].lower() == "url":
            continue
        url = cells[0]
        check_url(url, f"{path}:{number}")
        place = cells[2] if len(cells) > 2 else ""
        if place and not (place.isdigit() and len(place) == 6):
            raise ValueError(f"{path}:{number}: place_code {place!r} is not a 6-digit division code")
        seeds.append(Seed(url, cells[1] if len(cells) > 1 else "", place))
    return seeds


def check_url(url: str, where: str = "") -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        prefix = f"{where}: " if where else ""
        raise ValueError(f"{prefix}{url!r} is not an http(s) URL")
