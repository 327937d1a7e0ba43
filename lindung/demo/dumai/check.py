"""``lindung demo dumai --check``: every published figure of the Dumai story beside what the system
computed from the data the replay wrote, and the agreement of the three answers a user sees about
a worker today (participant page, coverage answer, card).

A figure is published for the real programme's 5,000 workers; with ``--workers N`` the figures
that scale with the roster are expected at ``N / 5,000`` of their published value (shown so)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, Sum
from django.utils import timezone

from lindung.claims.models import Claim, ClaimStatus
from lindung.contributions.models import ContributionPayment, Invoice, InvoiceLine
from lindung.demo.base import DUMAI_SPONSOR
from lindung.demo.dumai import build
from lindung.demo.dumai.story import (
    DECLARED_INCOME,
    FIRST_QUARTER_BILLING,
    FIRST_WORKERS,
    HANDOVER_TOTAL,
    HANDOVER_WORDS,
    PREMIUM,
    PROGRAMME_START,
    STORY_DAY,
    TARGET_2024,
    agreement_number,
)
from lindung.membership.models import Participant, SponsorAgreement, SponsorshipPeriod
from lindung.rules import ContributionCase, calculate_contribution


@dataclass
class Figure:
    name: str
    published: object
    computed: object

    @property
    def ok(self) -> bool:
        return self.published == self.computed


@dataclass
class Report:
    figures: list[Figure] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def add(self, name: str, published, computed) -> None:
        self.figures.append(Figure(name, published, computed))

    @property
    def failures(self) -> int:
        return sum(not f.ok for f in self.figures)

    @property
    def ok(self) -> bool:
        return self.failures == 0

    def table(self) -> str:
        rows = [("figure", "published", "computed", "")] + [(f.name, _fmt(f.published), _fmt(f.computed), "✓" if f.ok else "✗") for f in self.figures]
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        lines = []
        for i, r in enumerate(rows):
            lines.append(f"{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]}")
            if i == 0:
                lines.append("-" * (sum(widths) + 7))
        lines += [f"  {p}" for p in self.problems[:20]]
        if len(self.problems) > 20:
            lines.append(f"  … and {len(self.problems) - 20} more")
        return "\n".join(lines)


def _fmt(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def run(*, today: dt.date | None = None, full_size: int | None = None) -> Report:
    """The figures table. ``full_size``: the city's size the ``--full`` layer was built for (its
    figures are shown whenever the layer is built; default 70,000)."""
    today = today or timezone.localdate()
    report = Report()
    workers = build.scenario_workers()
    scale = workers / FIRST_WORKERS

    def scaled(n: int) -> int:
        return round(n * scale)

    first = SponsorAgreement.objects.filter(sponsor__code=DUMAI_SPONSOR, number=agreement_number(2023)).first()
    enrolled = SponsorshipPeriod.objects.filter(agreement=first, start_date=PROGRAMME_START, import_batch__isnull=False).count() if first else 0
    report.add("workers enrolled from October 2023", scaled(FIRST_WORKERS), enrolled)
    report.add("cover start of the first roster", PROGRAMME_START, first.start_date if first else None)
    premium = calculate_contribution(ContributionCase(segment="BPU", on=PROGRAMME_START, programs=("JKK", "JKM"), wage=DECLARED_INCOME)).total
    report.add("premium per worker per month (rules engine)", PREMIUM, int(premium))
    q1 = Invoice.objects.filter(agreement=first, period_start=PROGRAMME_START, kind=Invoice.Kind.REGULAR).first() if first else None
    if q1 is not None:
        months = InvoiceLine.objects.filter(invoice=q1, amount__gt=0).values("participant_id", "period").distinct().count()
        report.add("premium billed per worker-month, first quarter", PREMIUM, q1.total // months if months else 0)
    report.add("first-quarter billing (Oct–Dec 2023)", scaled(FIRST_QUARTER_BILLING), q1.total if q1 else None)
    paid = ContributionPayment.objects.filter(sponsor__code=DUMAI_SPONSOR, paid_on__gte=PROGRAMME_START, paid_on__lte=STORY_DAY).aggregate(
        s=Sum("amount")
    )["s"]
    report.add("contributions paid Oct 2023 – 21 Mar 2024", scaled(FIRST_QUARTER_BILLING), paid or 0)
    _cases(report)
    on = dt.date(2024, 10, 1)
    sponsored = (
        SponsorshipPeriod.objects.filter(sponsor__code=DUMAI_SPONSOR, start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .count()
    )
    report.add("workers sponsored in 2024 (from 1 October)", scaled(TARGET_2024), sponsored)
    _scholarships(report, today)
    _today(report, today)
    from lindung.demo.dumai import full

    if full.is_built():
        _city(report, today, full_size or full.CITY_SIZE)
    return report


def _city(report: Report, today: dt.date, full_size: int) -> None:
    """The city-wide layer (``--full``): the city's participants of every segment, the non-ASN
    staff, its living participants covered today (the coverage answer, set-based), and for every
    participant of the layer the agreement of the page, the coverage answer and the card."""
    from lindung.demo.dumai import full
    from lindung.demo.dumai.consistency import compare

    report.add("participants of the city, all segments (--full-size)", full_size, Participant.objects.count())
    report.add(
        "  non-ASN staff of the city (5,300 of 70,000)",
        round(full_size * full.NON_ASN_SHARE),
        Participant.objects.filter(employer__npp=full.CITY_NPP).count(),
    )
    segments = full.counts()
    report.add("  segments present: PU, BPU, construction", "BPU, JAKON, PU", ", ".join(sorted(s for s in segments if segments[s])))
    layer = Participant.objects.filter(agreement__isnull=True)
    problems, checked, covered = compare(layer, today)
    alive = layer.exclude(status=Participant.Status.ENDED).count()
    report.add(f"  city-wide participants covered today ({today:%d-%m-%Y})", alive, covered)
    report.add("  city-wide participants whose page, coverage and card agree today", checked, checked - len(problems))
    report.problems += problems


def story_cases():
    """The 14 cases of the hand-over: deaths among the Dumai workers from October 2023 to 21 March 2024."""
    return Claim.objects.filter(sponsor__code=DUMAI_SPONSOR, event_date__gte=PROGRAMME_START, event_date__lte=STORY_DAY, outcome="death")


def status_on(claim: Claim, day: dt.date) -> str | None:
    """The claim's state at the end of ``day``, from its decisions (the workflow kernel's history)."""
    from lindung.claims.workflow import CLAIM

    last = None
    for decision in CLAIM.history(claim):
        if timezone.localdate(decision.at) <= day:
            last = decision.to_state
    return last


def _cases(report: Report) -> None:
    from lindung.claims import benefit

    cases = list(story_cases().select_related("participant"))
    on = {c.pk: status_on(c, STORY_DAY) for c in cases}
    transferred = [c for c in cases if c.transfers.filter(at__date__lte=STORY_DAY).exists()] if cases else []
    jkm = [c for c in cases if c.program == "JKM" and c not in transferred]
    jkk = [c for c in cases if c.program == "JKK"]
    paid = [c for c in jkm if on[c.pk] == ClaimStatus.READY and paid_by(c, STORY_DAY)]
    awaiting = [c for c in jkm if on[c.pk] == ClaimStatus.REPORTED]
    report.add("cases on 21 March 2024", 14, len(cases))
    report.add("  JKM deaths", 12, len(jkm))
    report.add("    paid (every order settled by the bank)", 4, len(paid))
    report.add("    awaiting their heirs' claim", 8, len(awaiting))
    report.add("  JKK death (work accident)", 1, len(jkk))
    report.add("  heir moved to North Sumatra (transferred)", 1, len(transferred))
    report.add("  paid claims submitted, verified, approved by 3 users", True, _maker_checker(paid))
    total = sum(c.benefit_total if c.benefit_total is not None else int(benefit.compute(c).total) for c in jkm)
    report.add("12 JKM benefits (claims, rules engine)", HANDOVER_TOTAL, total)
    from lindung.payouts import services as payouts
    from lindung.payouts.models import HandoverEvent

    event = HandoverEvent.objects.filter(date=STORY_DAY, branch__code="DUMAI").first()
    summary = payouts.event_summary(event) if event else {"count": 0, "total": 0, "total_in_words": "", "by_mark": {}}
    report.add("hand-over event on Thursday 21 March 2024", "Thursday", event.date.strftime("%A") if event else None)
    report.add("  officials: mayor, head of Disnaker, branch head", 3, len(event.officials) if event else 0)
    report.add("  cases on the hand-over list", 12, summary["count"])
    report.add("  of them paid", 4, summary["by_mark"].get("paid", {}).get("count", 0))
    report.add("  of them awaiting the heirs' claim", 8, summary["by_mark"].get("awaiting_claim", {}).get("count", 0))
    report.add("hand-over total", HANDOVER_TOTAL, summary["total"])
    report.add("hand-over total in words", HANDOVER_WORDS, summary["total_in_words"])


def paid_by(claim: Claim, day: dt.date) -> bool:
    """Every live payment order of the claim settled by the bank on or before ``day``."""
    from lindung.payouts.models import PaymentOrder

    orders = PaymentOrder.objects.filter(claim=claim).exclude(status__in=("cancelled", "reissued", "failed"))
    return orders.exists() and not orders.exclude(settlement__paid_on__lte=day).exists()


def _decisions(claim: Claim):
    from lindung.claims.workflow import CLAIM

    return list(CLAIM.history(claim))


def _maker_checker(claims: list[Claim]) -> bool:
    """Each claim opened by one user, verified by another and approved by a third."""
    if not claims:
        return False
    for claim in claims:
        by = {d.transition: d.actor_username for d in _decisions(claim)}
        if not (by.get("submit") and by.get("verify") and by.get("approve")) or len({by["submit"], by["verify"], by["approve"]}) != 3:
            return False
    return True


def scholarships_expected(today: dt.date) -> dict[int, tuple[int, int]]:
    """``{school year: (payments, amount)}`` as the rules give them: for every schedule of a decided
    claim, the rules engine's frozen schedule (``projected``: level and amount per school year) for
    each school year opened by ``today`` since the schedule was made."""
    from lindung.demo.dumai.scholarships import opened_years, projected
    from lindung.payouts.models import ScholarshipSchedule

    out: dict[int, list[int]] = {}
    for schedule in ScholarshipSchedule.objects.filter(claim__sponsor__code=DUMAI_SPONSOR).order_by("pk"):
        for year in opened_years(timezone.localdate(schedule.created_at), today):
            entry = projected(schedule, year)
            if entry is not None:
                counts = out.setdefault(year, [0, 0])
                counts[0] += 1
                counts[1] += int(entry["amount"])
    return {y: (n, amount) for y, (n, amount) in sorted(out.items())}


def scholarships_paid() -> dict[int, tuple[int, int]]:
    """``{school year: (payments, amount)}`` of the scholarship orders the bank paid."""
    from django.db.models import Count

    from lindung.payouts.models import OrderGroup, OrderStatus, PaymentOrder

    rows = (
        PaymentOrder.objects.filter(group=OrderGroup.SCHOLARSHIP, status=OrderStatus.PAID, claim__sponsor__code=DUMAI_SPONSOR)
        .values("scholarship_year__school_year")
        .annotate(n=Count("pk"), amount=Sum("amount"))
        .order_by("scholarship_year__school_year")
    )
    return {r["scholarship_year__school_year"]: (r["n"], int(r["amount"])) for r in rows}


def _scholarships(report: Report, today: dt.date) -> None:
    """Scholarships opened and paid in each school year from the first decided claim granting one."""
    from lindung.demo.dumai.scholarships import opened_years
    from lindung.payouts.models import ScholarshipSchedule, ScholarshipYear

    expected, paid = scholarships_expected(today), scholarships_paid()
    first = ScholarshipSchedule.objects.filter(claim__sponsor__code=DUMAI_SPONSOR).order_by("created_at").first()
    years = opened_years(timezone.localdate(first.created_at), today) if first else []
    opened = sorted(set(ScholarshipYear.objects.filter(schedule__claim__sponsor__code=DUMAI_SPONSOR).values_list("school_year", flat=True)))
    report.add("school years opened for scholarships", ", ".join(map(str, years)) or "none", ", ".join(map(str, opened)) or "none")
    for year in sorted(set(expected) | set(paid)):
        n, amount = expected.get(year, (0, 0))
        got = paid.get(year, (0, 0))
        report.add(f"  scholarships paid, school year {year}/{year + 1} (rules)", n, got[0])
        report.add(f"    amount, school year {year}/{year + 1}", amount, got[1])


def _today(report: Report, today: dt.date) -> None:
    from lindung.demo.dumai.consistency import disagreements

    active = Participant.objects.filter(sponsor__code=DUMAI_SPONSOR, status=Participant.Status.ACTIVE)
    alive = Participant.objects.filter(sponsor__code=DUMAI_SPONSOR).exclude(status=Participant.Status.ENDED).count()
    report.add(f"workers active today ({today:%d-%m-%Y})", alive, active.count())
    problems, checked = disagreements(today)
    report.add("workers whose page, coverage and card agree today", checked, checked - len(problems))
    report.problems += problems
