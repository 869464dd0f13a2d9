"""Misprinted row labels: a label with characters dropped, doubled or swapped still names its row.

Real PDFs print "2.其他法律行政止公开" for 2.其他法律行政法规禁止公开. A printed label that matches no row
exactly is compared with the rows of its own group by edit distance (optimal string alignment: a dropped,
added, changed or swapped character counts 1) on the folded label. It is read as a row only when exactly
one row of the group lies within the tolerance, the label is long enough to judge, and the row's position
agrees (the printed item number, or the row after the last one read when no number is printed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from etl.outcomes import OutcomeItem

MIN_LENGTH = 4
"""Shorter template labels (其他, 总计) are never matched loosely."""
CHARS_PER_EDIT = 4
"""One differing character is tolerated for every four characters of the template label."""


def tolerance(template_key: str) -> int:
    """How many edits a printed label may be away from this template label and still be read as it."""
    if len(template_key) < MIN_LENGTH:
        return 0
    return max(1, len(template_key) // CHARS_PER_EDIT)


def _distance(printed_key: str, template_key: str) -> int:
    """Optimal string alignment distance (rapidfuzz is imported on the first misprinted label only)."""
    from rapidfuzz.distance import OSA

    return int(OSA.distance(printed_key, template_key))


@dataclass(frozen=True)
class FuzzyMatch:
    item: OutcomeItem
    distance: int


def fuzzy_item(
    printed_key: str, number: int | None, items: Sequence[OutcomeItem], next_position: int
) -> FuzzyMatch | None:
    """The one row of a group that a misprinted label stands for, or None.

    `number` is the item number printed before the label (None when none is printed); `next_position`
    is the position of the row after the last row of this group already read.
    """
    close = [
        FuzzyMatch(item, distance)
        for item in items
        if (limit := tolerance(item.key)) and (distance := _distance(printed_key, item.key)) <= limit
    ]
    if len(close) != 1:
        return None
    match = close[0]
    expected = number if number is not None else next_position
    return match if match.item.position == expected else None
