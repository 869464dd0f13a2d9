"""The narrative of two reports compared sentence by sentence, exactly (no language model).

A report's text (documents.text: paragraphs as lines, table rows as tab-separated cells) is cut into
sections at its top-level headings (一、总体情况 …). Lines with a tab are table rows and are left out, as are
short lines without punctuation (table captions, the signature, the date). Sections of the two years are
paired by heading (the words after the numbering; then the most similar remaining heading). Sentences end
at 。！？； and are compared after NFKC folding with white space removed:

- unchanged: the later sentence occurs in the earlier report (anywhere in its narrative): copied;
- figures_changed: it occurs there once every number is masked (the same sentence with new figures);
- added: neither;
- removed / moved: an earlier sentence that does not / does occur somewhere in the later report.

The share copied is the characters of unchanged later sentences over all characters of the later
narrative (per section and overall).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from difflib import SequenceMatcher

HEADING = re.compile(r"^[一二三四五六七八九十]{1,3}[、．.]\s*(?P<name>\S.{0,40})$")
SENTENCE = re.compile(r"[^。！？；!?;]+[。！？；!?;]*")
NUMBER = re.compile(r"\d+(?:[.,，]\d+)*")
SPACE = re.compile(r"\s+")
PUNCTUATION = re.compile(r"[。，；！？：,;:!?、]")
MIN_BARE_LINE = 20
"""A line without punctuation shorter than this is a caption, a signature or a date, not narrative."""
MIN_HEADING_SIMILARITY = 0.6
STATUSES = ("unchanged", "figures_changed", "added", "removed", "moved")


@dataclass(frozen=True)
class Section:
    heading: str
    sentences: tuple[str, ...]

    @property
    def key(self) -> str:
        return heading_key(self.heading)


@dataclass(frozen=True)
class Sentence:
    text: str
    status: str
    """unchanged | figures_changed | added (later year) · removed | moved (earlier year only)"""

    @property
    def later(self) -> bool:
        return self.status in ("unchanged", "figures_changed", "added")


@dataclass(frozen=True)
class SectionDiff:
    heading_before: str | None
    heading_after: str | None
    sentences: tuple[Sentence, ...]

    def chars(self, status: str | None = None) -> int:
        return sum(len(s.text) for s in self.sentences if s.later and (status is None or s.status == status))

    def count(self, status: str) -> int:
        return sum(1 for s in self.sentences if s.status == status)

    @property
    def copied_share(self) -> Decimal | None:
        return share(self.chars("unchanged"), self.chars())


def share(part: int, whole: int) -> Decimal | None:
    """A percentage with one decimal, rounded half up; None when there is nothing to share."""
    if whole == 0:
        return None
    return (Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def key(text: str) -> str:
    return SPACE.sub("", unicodedata.normalize("NFKC", text))


def masked(text: str) -> str:
    return NUMBER.sub("#", key(text))


def heading_key(heading: str) -> str:
    found = HEADING.match(heading.strip())
    return key(found.group("name") if found else heading)


def is_heading(line: str) -> bool:
    stripped = line.strip()
    return bool(HEADING.match(stripped)) and not stripped.endswith(("。", "；", "，"))


def is_narrative(line: str) -> bool:
    stripped = line.strip()
    if not stripped or "\t" in line:
        return False
    return bool(PUNCTUATION.search(stripped)) or len(stripped) >= MIN_BARE_LINE


def sentences(line: str) -> list[str]:
    return [s.strip() for s in SENTENCE.findall(line.strip()) if s.strip()]


def sections(text: str) -> list[Section]:
    """The report's narrative cut at its top-level headings; text before the first heading is a section
    with an empty heading."""
    found: list[Section] = []
    heading, body = "", list[str]()
    for line in text.splitlines():
        if "\t" not in line and is_heading(line):
            if heading or body:
                found.append(Section(heading, tuple(body)))
            heading, body = line.strip(), []
        elif is_narrative(line):
            body += sentences(line)
    if heading or body:
        found.append(Section(heading, tuple(body)))
    return found


def align(before: Sequence[Section], after: Sequence[Section]) -> list[tuple[Section | None, Section | None]]:
    """Pairs of sections, in the later report's order; an unpaired earlier section follows the pair of the
    section it followed."""
    partner: dict[int, int] = {}
    used: set[int] = set()
    for j, section in enumerate(after):
        for i, other in enumerate(before):
            if i not in used and other.key == section.key:
                partner[j], used = i, used | {i}
                break
    for j, section in enumerate(after):
        if j in partner:
            continue
        scored = [
            (SequenceMatcher(None, other.key, section.key).ratio(), i)
            for i, other in enumerate(before)
            if i not in used
        ]
        if scored and max(scored)[0] >= MIN_HEADING_SIMILARITY:
            best = max(scored)[1]
            partner[j], used = best, used | {best}
    return _ordered(before, after, partner)


def _ordered(
    before: Sequence[Section], after: Sequence[Section], partner: dict[int, int]
) -> list[tuple[Section | None, Section | None]]:
    placed: list[tuple[float, Section | None, Section | None]] = [
        (float(j), before[partner[j]] if j in partner else None, section) for j, section in enumerate(after)
    ]
    position = {i: float(j) for j, i in partner.items()}
    last = -1.0
    for i, section in enumerate(before):
        if i in position:
            last = position[i]
        else:
            last += 0.001
            placed.append((last + 0.5, section, None))
    placed.sort(key=lambda item: item[0])
    return [(b, a) for _, b, a in placed]


@dataclass(frozen=True)
class Corpus:
    """Every sentence of one report's narrative, as keys and as number-masked keys."""

    keys: frozenset[str]
    masked: frozenset[str]

    @classmethod
    def of(cls, found: Sequence[Section]) -> Corpus:
        texts = [s for section in found for s in section.sentences]
        return cls(frozenset(key(s) for s in texts), frozenset(masked(s) for s in texts))


def later_status(sentence: str, earlier: Corpus) -> str:
    if key(sentence) in earlier.keys:
        return "unchanged"
    if masked(sentence) in earlier.masked:
        return "figures_changed"
    return "added"


def earlier_status(sentence: str, later: Corpus) -> str | None:
    """'removed' or 'moved' for an earlier sentence the later section does not show in place; None when
    the later report has it with new figures (the later sentence stands for it)."""
    if key(sentence) in later.keys:
        return "moved"
    if masked(sentence) in later.masked:
        return None
    return "removed"


def diff_pair(before: Section | None, after: Section | None, earlier: Corpus, later: Corpus) -> SectionDiff:
    old = before.sentences if before else ()
    new = after.sentences if after else ()
    found: list[Sentence] = []
    matcher = SequenceMatcher(None, [key(s) for s in old], [key(s) for s in new], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            found += [Sentence(s, "unchanged") for s in new[j1:j2]]
            continue
        for sentence in old[i1:i2]:
            status = earlier_status(sentence, later)
            if status == "removed" or (status == "moved" and after is None):
                found.append(Sentence(sentence, status))
        found += [Sentence(s, later_status(s, earlier)) for s in new[j1:j2]]
    return SectionDiff(before.heading if before else None, after.heading if after else None, tuple(found))


def diff_texts(before_text: str, after_text: str) -> tuple[SectionDiff, ...]:
    old, new = sections(before_text), sections(after_text)
    earlier, later = Corpus.of(old), Corpus.of(new)
    return tuple(diff_pair(b, a, earlier, later) for b, a in align(old, new))


def copied_share(diffs: Sequence[SectionDiff]) -> Decimal | None:
    return share(sum(d.chars("unchanged") for d in diffs), sum(d.chars() for d in diffs))
