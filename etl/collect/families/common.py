"""What every family's list parser returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from etl.collect.page import Link


@dataclass(frozen=True)
class NextPage:
    """The request for the following list page; `state` travels with it to the next parse."""

    url: str
    state: dict[str, Any]
    method: str = "GET"
    form: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Listing:
    links: list[Link] = field(default_factory=list)
    following: NextPage | None = None
    end: str = ""
    """Why there is no following page ('' when there is one)."""
    total: int | None = None


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(changes)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def as_int(value: object, default: int) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return default
