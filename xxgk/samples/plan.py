"""Which reports exist and how each looks: templates, laggards, gaps, versions, faults and style flags."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from xxgk.samples.agencies import roster
from xxgk.samples.model import Agency, Plan
from xxgk.samples.office import can_print_pdf

T = TypeVar("T")
FAULTS = ("N1", "N2", "N3", "N4", "O1", "O2", "O6", "O7", "O8", "T1", "T2")
FORMAT_FAULTS = ("F1", "F2", "F4", "F5", "F6", "F6")
"""Format and deadline faults (docs/checks.md F1–F6): a section left out, two sections swapped, no 统计期限
sentence, no signature, published after the deadline. Drawn from their own random stream, so the other
reports stay as they were."""
CONTAINERS = (
    "container_zoom",
    "container_trs_editor",
    "container_article_content",
    "container_xxgk_content",
    "container_pages_content",
)
NA_FLAGS = ("na_dash", "na_slash", "na_emdash", "na_wu", "na_not_applicable")
Rule = tuple[str, float]
HTML_RULES: tuple[Rule, ...] = (
    ("site_chrome", 0.8),
    ("title_site_suffix", 0.7),
    ("publish_meta", 0.75),
    ("word_table", 0.5),
    ("first_row_class", 0.45),
    ("nbsp_cells", 0.6),
    ("word_conditional_comments", 0.15),
    ("html_entities", 0.2),
    ("related_links", 0.25),
)
NEW_HTML_RULES: tuple[Rule, ...] = (
    ("br_in_header", 0.5),
    ("result_group_split", 0.2),
    ("misaligned_header", 0.12),
)
COMMON_RULES: tuple[Rule, ...] = (
    ("fullwidth_digits", 0.1),
    ("thousands_separator", 0.3),
    ("nbsp_padding", 0.1),
    ("title_niandu", 0.25),
    ("stat_period_sentence", 0.6),
    ("compile_sentence", 0.3),
    ("mixed_brackets", 0.15),
    ("omitted_row", 0.06),
)
NEW_RULES: tuple[Rule, ...] = (
    ("legal_subtotal_column", 0.08),
    ("straight_quotes", 0.2),
    ("extra_row", 0.07),
    ("heading_variant", 0.3),
    ("ideographic_space_padding", 0.15),
)
OLD_RULES: tuple[Rule, ...] = (
    ("section_row_number", 0.3),
    ("blank_under_zero_parent", 0.6),
    ("table_title_year_missing", 0.15),
    ("ideographic_space_padding", 0.5),
)
OFFICE_RULES: tuple[Rule, ...] = (("br_in_header", 0.5), ("numbering_dunhao", 0.5))
DOCX_SHARE = 0.06
PDF_SHARE = 0.05
KNOWN_LAGGARDS = {"龙游县招商投资促进中心": ("old", 2021)}


def template_by_year(year: int) -> str:
    return "old" if year <= 2018 else "v2019" if year <= 2020 else "v2021"


@dataclass(frozen=True)
class Corpus:
    """Everything decided before any document is built."""

    plans: tuple[Plan, ...]
    gaps: tuple[tuple[str, int], ...]
    agencies: tuple[Agency, ...]


def pick(rng: random.Random, items: Sequence[T], share: float, minimum: int) -> list[T]:
    count = min(len(items), max(minimum, round(len(items) * share)))
    return rng.sample(list(items), count)


def roll(rng: random.Random, rules: tuple[Rule, ...]) -> set[str]:
    return {name for name, chance in rules if rng.random() < chance}


def one_of(rng: random.Random, options: Sequence[str], chance: float = 1.0) -> set[str]:
    return {rng.choice(options)} if rng.random() < chance else set()


def html_flags(rng: random.Random, year: int, new: bool) -> set[str]:
    flags = roll(rng, HTML_RULES) | one_of(rng, CONTAINERS) | one_of(rng, ("ext_htm", "ext_shtml"), 0.3)
    if new:
        flags |= roll(rng, NEW_HTML_RULES)
    roll_encoding = rng.random()
    if roll_encoding < (0.3 if year <= 2018 else 0.1):
        flags |= one_of(rng, ("meta_gb2312", "meta_gbk"))
    elif roll_encoding > 0.96:
        flags.add("utf8_bom")
    return flags


def text_flags(rng: random.Random) -> set[str]:
    shape = rng.choice(("text_shape_a", "text_shape_a", "text_shape_b", "text_shape_c"))
    flags = {shape} | roll(rng, (("crlf", 0.25), ("gb18030_text", 0.2)))
    if shape == "text_shape_a":
        flags |= roll(rng, (("wrapped_labels", 0.75), ("spacer_rows", 0.5)))
    title = rng.random()
    if title < 0.3:
        flags |= {"no_title", rng.choice(("stat_period_sentence", "compile_sentence"))}
    elif title < 0.5:
        flags.add("crawler_header")
    return flags


def content_flags(rng: random.Random, template: str, fmt_flags: set[str]) -> set[str]:
    flags = roll(rng, COMMON_RULES) | one_of(rng, NA_FLAGS, 0.5)
    if template == "old":
        flags |= roll(rng, OLD_RULES) | one_of(rng, ("numbering_ascii_dot", "numbering_dunhao"), 0.2)
        return flags
    flags |= roll(rng, NEW_RULES) | one_of(rng, ("numbering_fullwidth_dot", "numbering_dunhao"), 0.2)
    if template == "v2019":
        flags |= roll(rng, (("annotated_labels", 0.2),))
    if "text_shape_c" not in fmt_flags and rng.random() < 0.15:
        flags.add("blank_cells")
    return flags


def office_format(agency: Agency, year: int, seed: int) -> str | None:
    """A few reports are published as Word or PDF files; drawn apart so other reports stay as they were.
    PDFs are printed from the DOCX by LibreOffice: without it they stay DOCX."""
    roll = random.Random(f"{seed}|{agency.name}|{year}|office").random()
    if roll >= DOCX_SHARE + PDF_SHARE:
        return None
    return "pdf" if roll >= DOCX_SHARE and can_print_pdf() else "docx"


def format_flags(rng: random.Random, fmt: str, year: int, new: bool) -> set[str]:
    if fmt == "html":
        return html_flags(rng, year, new)
    return text_flags(rng) if fmt == "txt" else roll(rng, OFFICE_RULES)


def doc_plan(agency: Agency, year: int, template: str, seed: int) -> Plan:
    rng = random.Random(f"{seed}|{agency.name}|{year}|plan")
    fmt = "html" if rng.random() < 0.65 else "txt"
    fmt = office_format(agency, year, seed) or fmt
    fmt_flags = format_flags(rng, fmt, year, template != "old")
    flags = content_flags(rng, template, fmt_flags) | fmt_flags
    if "legal_subtotal_column" in flags:
        flags.discard("misaligned_header")
    if template != template_by_year(year):
        flags.add("laggard_template")
    ext = ".htm" if "ext_htm" in flags else ".shtml" if "ext_shtml" in flags else f".{fmt}"
    encoding = "gb18030" if flags & {"meta_gb2312", "meta_gbk", "gb18030_text"} else "utf-8"
    encoding = "utf-8-sig" if "utf8_bom" in flags else encoding
    return Plan(agency, year, template, fmt, ext, encoding, frozenset(flags), seed)


def laggards(rng: random.Random, agencies: list[Agency]) -> dict[str, tuple[str, int]]:
    """Agencies that keep an older table: (template, last year they use it)."""
    small = [a for a in agencies if a.kind in ("town", "unit")]
    departments = [a for a in agencies if a.kind.startswith("department")]
    found = {a.name: ("old", rng.choice((2019, 2020, 2021))) for a in pick(rng, small, 0.25, 2)}
    found.update({a.name: ("v2019", 2021) for a in pick(rng, departments, 0.1, 2)})
    found.update({a.name: KNOWN_LAGGARDS[a.name] for a in agencies if a.name in KNOWN_LAGGARDS})
    return found


def template_for(name: str, year: int, lag: dict[str, tuple[str, int]]) -> str:
    template, last = lag.get(name, ("", 0))
    if (template == "old" and year <= last) or (template == "v2019" and year == last):
        return template
    return template_by_year(year)


def eligible(fault: str, template: str) -> bool:
    if fault.startswith("N"):
        return template != "old"
    return fault == "T1" or template == "old"


def assign_faults(rng: random.Random, plans: list[Plan]) -> dict[int, tuple[str, ...]]:
    queue = list(FAULTS) * max(2, len(plans) // (25 * len(FAULTS)))
    found: dict[int, tuple[str, ...]] = {}
    for index in rng.sample(range(len(plans)), len(plans)):
        if not queue:
            break
        fault = next((f for f in queue if eligible(f, plans[index].template)), None)
        if fault is None:
            continue
        queue.remove(fault)
        found[index] = (fault,)
    return found


def format_eligible(fault: str, plan: Plan) -> bool:
    if fault == "F6":
        return plan.fmt == "html" and plan.has("publish_meta")
    return plan.new


def assign_format_faults(seed: int, plans: list[Plan], taken: dict[int, tuple[str, ...]]) -> dict[int, str]:
    rng = random.Random(f"{seed}|format faults")
    queue = list(FORMAT_FAULTS)
    found: dict[int, str] = {}
    for index in rng.sample(range(len(plans)), len(plans)):
        fault = next((f for f in queue if format_eligible(f, plans[index])), None)
        if fault is None or index in taken:
            continue
        queue.remove(fault)
        found[index] = fault
        if not queue:
            break
    return found


def with_period_sentence(plan: Plan) -> Plan:
    """New-format reports state their 统计期限 (the format's introduction asks for it), unless F4 is
    planted."""
    if not plan.new:
        return plan
    if "F4" in plan.faults:
        return replace(plan, flags=plan.flags - {"stat_period_sentence"})
    return replace(plan, flags=plan.flags | {"stat_period_sentence"})


def corpus_plans(seed: int, n_agencies: int, years: range) -> Corpus:
    agencies = roster(n_agencies)
    rng = random.Random(f"{seed}|corpus")
    lag = laggards(rng, agencies)
    slots = [(a, y) for a in agencies for y in years if y >= a.first_year]
    inner = [(a, y) for a, y in slots if max(years[0], a.first_year) < y < years[-1]]
    gaps = {(a.name, y) for a, y in pick(rng, inner, 0.01, 3)}
    kept = [(a, y) for a, y in slots if (a.name, y) not in gaps]
    versioned = {(a.name, y) for a, y in pick(rng, kept, 0.01, 3)}
    plans = [doc_plan(a, y, template_for(a.name, y, lag), seed) for a, y in kept]
    originals = [p for p in plans if (p.agency.name, p.year) not in versioned]
    faulty = assign_faults(rng, originals)
    formats = assign_format_faults(seed, originals, faulty)
    final = [
        replace(p, faults=faulty.get(i, ()) + ((formats[i],) if i in formats else ()))
        for i, p in enumerate(originals)
    ]
    for plan in plans:
        if (plan.agency.name, plan.year) in versioned:
            final.append(plan)
            final.append(replace(plan, version_of=plan.file_name, flags=plan.flags | {"corrected_version"}))
    final = [with_period_sentence(p) for p in final]
    order = {a.name: i for i, a in enumerate(agencies)}
    final.sort(key=lambda p: (order[p.agency.name], p.year, p.version_of is not None))
    return Corpus(tuple(final), tuple(sorted(gaps, key=lambda g: (order[g[0]], g[1]))), tuple(agencies))
