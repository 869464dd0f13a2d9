"""Consistent numbers for one agency-year, sized by agency kind; carry-overs chain across years."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from xxgk.samples.labels import BREAKDOWNS, LEGAL_BREAKDOWNS, T3_OUTCOMES, T4_PREFIXES
from xxgk.samples.model import Agency, Figures


@dataclass(frozen=True)
class Profile:
    requests: int
    proactive: int
    licensing: int
    penalty: int
    normative: int
    disputes: float


PROFILES = {
    "gov_office": Profile(45, 3000, 30, 20, 25, 0.5),
    "department_big": Profile(30, 900, 3000, 900, 5, 0.4),
    "department": Profile(6, 500, 300, 80, 4, 0.12),
    "vertical": Profile(5, 300, 800, 300, 2, 0.1),
    "town": Profile(2, 150, 0, 10, 1, 0.03),
    "unit": Profile(1, 120, 0, 0, 0, 0.0),
}
APPLICANT_WEIGHTS = (85, 7, 1, 1, 3, 3)
OUTCOME_WEIGHTS = {
    "req.granted": 34,
    "req.partial": 8,
    "req.denied.state_secret": 1,
    "req.denied.law_forbidden": 1,
    "req.denied.security_stability": 1,
    "req.denied.third_party": 2,
    "req.denied.internal_affairs": 2,
    "req.denied.process_info": 2,
    "req.denied.enforcement_file": 1,
    "req.denied.query_matter": 1,
    "req.unable.not_held": 24,
    "req.unable.needs_creation": 3,
    "req.unable.unclear": 4,
    "req.not_processed.petition": 3,
    "req.not_processed.repeat": 3,
    "req.not_processed.publication": 1,
    "req.not_processed.mass_repeat": 1,
    "req.not_processed.confirmation": 1,
    "req.other": 5,
    "req.other.no_amendment": 3,
    "req.other.unpaid_fee": 1,
    "req.other.other": 2,
}


@dataclass
class Chain:
    """What one year leaves to the next: carried-over requests, documents in force, item counts."""

    carried: dict[str, int] = field(default_factory=dict)
    in_force: dict[str, int] = field(default_factory=dict)
    items: dict[str, int] = field(default_factory=dict)


def profile_of(agency: Agency) -> Profile:
    base = PROFILES[agency.kind]
    if agency.county is not None:
        return base
    return Profile(
        base.requests * 3,
        base.proactive * 2,
        base.licensing * 2,
        base.penalty * 2,
        base.normative * 2,
        min(1.0, base.disputes * 2),
    )


def scaled(rng: random.Random, top: int, zero_share: float = 0.0) -> int:
    if top <= 0 or rng.random() < zero_share:
        return 0
    return int(top * rng.random() ** 2 * 1.6) + (1 if rng.random() < 0.5 else 0)


def requests(rng: random.Random, p: Profile) -> int:
    """New requests of one year: small units often have none, big ones nearly always some."""
    return scaled(rng, p.requests, 0.3 if p.requests < 10 else 0.05)


def split(rng: random.Random, total: int, names: tuple[str, ...], weights: tuple[int, ...]) -> Counter[str]:
    return Counter(rng.choices(names, weights, k=total)) if total else Counter()


def money(rng: random.Random, places: int, top: int) -> Decimal:
    return Decimal(rng.randint(1, top * 10**places)).scaleb(-places)


def table3(rng: random.Random, template: str, p: Profile, chain: Chain) -> Figures:
    received = split(rng, requests(rng, p), BREAKDOWNS[:6], APPLICANT_WEIGHTS)
    outcomes = T3_OUTCOMES[template]
    weights = tuple(OUTCOME_WEIGHTS[code] for code in outcomes)
    figures: Figures = {}
    for column in BREAKDOWNS[:6]:
        carried_in = chain.carried.get(column, 0)
        open_cases = received[column] + carried_in
        carried_out = min(open_cases, rng.randint(0, 2)) if open_cases and rng.random() < 0.2 else 0
        chain.carried[column] = carried_out
        handled = split(rng, open_cases - carried_out, outcomes, weights)
        values = {
            "req.received": received[column],
            "req.carried_in": carried_in,
            "req.carried_out": carried_out,
            "req.total": open_cases - carried_out,
            **{code: handled[code] for code in outcomes},
        }
        for code, value in values.items():
            figures[(code, column)] = Decimal(value)
    for code in list(dict.fromkeys(code for code, _ in figures)):
        figures[(code, "total")] = sum((figures[(code, c)] for c in BREAKDOWNS[:6]), Decimal(0))
        figures[(code, "legal_subtotal")] = sum((figures[(code, c)] for c in LEGAL_BREAKDOWNS), Decimal(0))
    return figures


def table4(rng: random.Random, p: Profile, requests: Decimal) -> Figures:
    figures: Figures = {}
    damping = 1.0 if requests else 0.1
    for prefix, share in zip(T4_PREFIXES, (1.0, 0.6, 0.3), strict=True):
        total = scaled(rng, 6) if rng.random() < p.disputes * share * damping else 0
        parts = split(rng, total, ("upheld", "corrected", "other", "pending"), (6, 1, 2, 1))
        for suffix in ("upheld", "corrected", "other", "pending"):
            figures[(f"{prefix}.{suffix}", "")] = Decimal(parts[suffix])
        figures[(f"{prefix}.total", "")] = Decimal(total)
    return figures


def _docs(rng: random.Random, p: Profile, chain: Chain, kind: str) -> tuple[int, int, int]:
    issued = scaled(rng, p.normative, 0.3) if p.normative else 0
    repealed = min(chain.in_force.get(kind, 0), rng.randint(0, 2)) if rng.random() < 0.3 else 0
    in_force = (
        chain.in_force.get(kind, issued * 3 + rng.randint(0, 10) * (p.normative > 0)) + issued - repealed
    )
    chain.in_force[kind] = in_force
    return issued, repealed, in_force


def v2021_table2(rng: random.Random, p: Profile, chain: Chain, government: bool) -> Figures:
    regulations = _docs(rng, Profile(0, 0, 0, 0, 2 if government else 0, 0), chain, "regulations")
    normative = _docs(rng, p, chain, "normative_docs")
    fee = money(rng, rng.choice((1, 2, 6)), 30000) if rng.random() < 0.3 else Decimal(0)
    figures = {
        "v2021.licensing.decisions": scaled(rng, p.licensing, 0.2),
        "v2021.penalty.decisions": scaled(rng, p.penalty, 0.3),
        "v2021.coercion.decisions": scaled(rng, p.penalty // 10, 0.6),
    }
    found: Figures = {(code, ""): Decimal(value) for code, value in figures.items()}
    for kind, values in (("regulations", regulations), ("normative_docs", normative)):
        for suffix, value in zip(("issued", "repealed", "in_force"), values, strict=True):
            found[(f"v2021.{kind}.{suffix}", "")] = Decimal(value)
    found[("v2021.admin_fees.amount", "")] = fee
    return found


def _items(rng: random.Random, chain: Chain, kind: str, top: int) -> tuple[int, int, int]:
    previous = chain.items.get(kind, scaled(rng, top // 10 + 1) if top else 0)
    change = rng.randint(-min(previous, 8), 8) if previous and rng.random() < 0.5 else 0
    chain.items[kind] = previous + change
    return previous, change, scaled(rng, top, 0.3) if previous + change else 0


def v2019_table2(rng: random.Random, p: Profile, government: bool) -> Figures:
    made = scaled(rng, p.normative, 0.3)
    found: Figures = {}
    regulations = (0, 0, 0) if not government else (rng.randint(0, 1), 0, rng.randint(0, 6))
    normative = (made, made, made + rng.randint(0, 40) * (p.normative > 0))
    for kind, values in (("regulations", regulations), ("normative_docs", normative)):
        for suffix, value in zip(("made", "published", "total_public"), values, strict=True):
            found[(f"v2019.{kind}.{suffix}", "")] = Decimal(value)
    return found


def v2019_items(rng: random.Random, p: Profile, chain: Chain) -> Figures:
    found: Figures = {}
    tops = {
        "licensing": p.licensing,
        "other_services": p.licensing // 3,
        "penalty": p.penalty,
        "coercion": p.penalty // 10,
    }
    for kind, top in tops.items():
        for suffix, value in zip(
            ("prev_items", "change", "decisions"), _items(rng, chain, kind, top), strict=True
        ):
            found[(f"v2019.{kind}.{suffix}", "")] = Decimal(value)
    previous, change, _ = _items(rng, chain, "admin_fees", 40 if p.licensing else 0)
    found[("v2019.admin_fees.prev_items", "")] = Decimal(previous)
    found[("v2019.admin_fees.change", "")] = Decimal(change)
    items = scaled(rng, 40, 0.4)
    found[("v2019.procurement.items", "")] = Decimal(items)
    found[("v2019.procurement.amount", "")] = money(rng, 2, 80000) * items if items else Decimal(0)
    return found


def new_figures(rng: random.Random, template: str, agency: Agency, chain: Chain) -> Figures:
    p = profile_of(agency)
    government = agency.kind == "gov_office" and agency.county is None
    if template == "v2021":
        table2 = v2021_table2(rng, p, chain, government)
    else:
        table2 = {**v2019_table2(rng, p, government), **v2019_items(rng, p, chain)}
    requests = table3(rng, template, p, chain)
    workload = requests[("req.received", "total")] + requests[("req.carried_in", "total")]
    return {**table2, **requests, **table4(rng, p, workload)}


OLD_ANSWERS = (
    "already_public",
    "granted",
    "partial",
    "denied",
    "not_this_agency",
    "not_exist",
    "amend",
    "redirected",
)
OLD_DENIALS = (
    "state_secret",
    "commercial_secret",
    "privacy",
    "security_stability",
    "not_gov_info",
    "other_legal",
)


def _old_proactive(rng: random.Random, p: Profile) -> dict[str, int]:
    total = scaled(rng, p.proactive) + 5
    website = total if rng.random() < 0.7 else total - rng.randint(0, total // 5)
    gazette = rng.randint(0, total // 10) if p.normative > 2 else 0
    weibo = rng.randint(0, total // 3) if rng.random() < 0.4 else 0
    wechat = rng.randint(0, total // 3) if rng.random() < 0.5 else 0
    other = max(0, total - website - gazette - weibo - wechat) + (
        rng.randint(0, 20) if rng.random() < 0.3 else 0
    )
    normative = min(total, scaled(rng, p.normative, 0.4))
    press = scaled(rng, 3, 0.6)
    interviews = scaled(rng, 2, 0.7)
    return {
        "proactive.total": total,
        "proactive.normative_docs": normative,
        "proactive.normative_docs_issued": normative + rng.randint(0, 2) * (normative > 0),
        "proactive.channel.gazette": gazette,
        "proactive.channel.website": website,
        "proactive.channel.weibo": weibo,
        "proactive.channel.wechat": wechat,
        "proactive.channel.other": other,
        "response.hotspots": scaled(rng, 6, 0.5),
        "response.press_conferences": press,
        "response.press_conferences_heads": rng.randint(0, press),
        "response.online_interviews": interviews,
        "response.online_interviews_heads": rng.randint(0, interviews),
        "response.interpretations": scaled(rng, 12, 0.4),
        "response.weibo_wechat": scaled(rng, 20, 0.6),
        "response.other": scaled(rng, 5, 0.7),
    }


def _old_requests(rng: random.Random, p: Profile) -> dict[str, int]:
    received = requests(rng, p)
    closed = max(0, received + rng.choice((0, 0, 0, 1, -1)))
    extended = rng.randint(0, closed // 5)
    answers = split(rng, closed, OLD_ANSWERS, (15, 35, 8, 8, 14, 12, 4, 4))
    denials = split(rng, answers["denied"], OLD_DENIALS, (1, 2, 4, 1, 3, 2))
    found = {
        "requests.received": received,
        "requests.closed": closed,
        "requests.closed.on_time": closed - extended,
        "requests.closed.extended": extended,
        "requests.answered": closed,
    }
    channels = split(rng, received, ("in_person", "fax", "online", "letter"), (30, 2, 50, 18))
    found.update(
        {f"requests.received.{name}": channels[name] for name in ("in_person", "fax", "online", "letter")}
    )
    found.update({f"requests.answered.{name}": answers[name] for name in OLD_ANSWERS})
    found.update({f"requests.answered.denied.{name}": denials[name] for name in OLD_DENIALS})
    return found


def _old_disputes(rng: random.Random, p: Profile) -> dict[str, int]:
    found: dict[str, int] = {}
    for kind in ("reconsideration", "litigation"):
        total = scaled(rng, 4) if rng.random() < p.disputes * 0.6 else 0
        parts = split(rng, total, ("upheld", "corrected", "other"), (6, 1, 2))
        found[f"{kind}.total"] = total
        found.update({f"{kind}.{name}": parts[name] for name in ("upheld", "corrected", "other")})
    found["complaints"] = scaled(rng, 3, 0.7)
    return found


def _old_org(rng: random.Random) -> dict[str, int]:
    full_time = rng.choice((0, 0, 1, 1, 2))
    part_time = rng.randint(0 if full_time else 1, 4)
    classes = scaled(rng, 3, 0.4)
    return {
        "org.bodies": rng.choice((0, 1, 1, 1)),
        "org.reading_points": rng.randint(0, 3),
        "staff.total": full_time + part_time,
        "staff.full_time": full_time,
        "staff.part_time": part_time,
        "training.meetings": scaled(rng, 4, 0.3),
        "training.classes": classes,
        "training.trainees": classes * rng.randint(8, 60),
    }


def old_figures(rng: random.Random, agency: Agency) -> Figures:
    p = profile_of(agency)
    counts = {**_old_proactive(rng, p), **_old_requests(rng, p), **_old_disputes(rng, p), **_old_org(rng)}
    found: Figures = {(f"old.{name}", ""): Decimal(value) for name, value in counts.items()}
    found[("old.fees", "")] = money(rng, 2, 1) if rng.random() < 0.05 * (p.requests > 5) else Decimal(0)
    found[("old.org.budget", "")] = money(rng, rng.choice((0, 1, 2)), 8) if rng.random() < 0.5 else Decimal(0)
    return found
