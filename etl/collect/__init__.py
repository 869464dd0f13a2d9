"""Collecting annual reports from government websites (docs/collect.md).

`collect(seeds, out_dir, settings, progress=callback) -> CollectSummary` fetches politely (robots.txt,
one request at a time per host, delays, back-off), follows each CMS family's pagination, keeps only
annual reports, saves them with readable names and writes `out_dir/manifest.csv`. It saves documents
and never parses statistics.

The names below are imported on first use: a parse that only reads a manifest's evidence
(`etl.collect.manifest`) does not load the crawler and its HTTP client.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from etl.collect.crawler import CollectSummary, ProgressEvent, SiteSummary, collect
    from etl.collect.manifest import evidence_for
    from etl.collect.settings import CollectSettings, Seed, default_user_agent, read_seeds

_HOMES = {
    "CollectSummary": "etl.collect.crawler",
    "ProgressEvent": "etl.collect.crawler",
    "SiteSummary": "etl.collect.crawler",
    "collect": "etl.collect.crawler",
    "evidence_for": "etl.collect.manifest",
    "CollectSettings": "etl.collect.settings",
    "Seed": "etl.collect.settings",
    "default_user_agent": "etl.collect.settings",
    "read_seeds": "etl.collect.settings",
}

__all__ = [
    "CollectSettings",
    "CollectSummary",
    "ProgressEvent",
    "Seed",
    "SiteSummary",
    "collect",
    "default_user_agent",
    "evidence_for",
    "read_seeds",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'etl.collect' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
