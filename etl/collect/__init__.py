"""Collecting annual reports from government websites (docs/collect.md).

`collect(seeds, out_dir, settings, progress=callback) -> CollectSummary` fetches politely (robots.txt,
one request at a time per host, delays, back-off), follows each CMS family's pagination, keeps only
annual reports, saves them with readable names and writes `out_dir/manifest.csv`. It saves documents
and never parses statistics.
"""

from etl.collect.crawler import CollectSummary, ProgressEvent, SiteSummary, collect
from etl.collect.manifest import evidence_for
from etl.collect.settings import CollectSettings, Seed, default_user_agent, read_seeds

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
