"""Reads of the reports context: a sponsor's programme report for a period.

Every figure is one set-based aggregate in the database (``COUNT``/``SUM`` … ``GROUP BY``), never a
loop over rows in Python, so the report costs the same dozen queries for 50 workers as for a million
(``bench/bench_reports.py``). The report starts from ``SponsorReport.objects.visible_to(user)``: a
sponsor user reads only its own sponsor, branch staff the sponsors of their branch, administrators
and auditors every sponsor; any other sponsor is ``NotFound`` (404). Once the sponsor is visible its
figures are aggregated over all of the sponsor's rows — a claim transferred to another branch still
counts in its sponsor's programme — and the report holds counts and amounts only, never a person."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.db.models import CharField, Count, F, Max, Min, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from lindung.claims.models import Claim, ClaimProgram, ClaimStatus
from lindung.contributions.models import ContributionPayment, Invoice, InvoiceLine
from lindung.core.errors import NotFound
from lindung.core.workflow.models import Decision
from lindung.membership.models import Participant, SponsorshipPeriod
from lindung.payouts.models import HandoverCase, OrderGroup, Settlement
from lindung.reports.models import SponsorReport
from lindung.reports.periods import Period

PROGRAMMES = (ClaimProgram.JKM.value, ClaimProgram.JKK.value)
FAR = dt.date(9999, 12, 31)


@dataclass
class Membership:
    enrolled_at_end: int = 0  # sponsored by the sponsor on the period's last day
    covered_at_end: int = 0  # the period's last month paid on the ledger (as it stands today)
    new: int = 0  # first sponsored by the sponsor within the period
    ended: int = 0  # left the sponsor's programme within the period (and not back)
    ended_by_reason: dict[str, int] = field(default_factory=dict)


@dataclass
class Contributions:
    billed: int = 0  # the invoice lines of the period's months (credit notes netted)
    paid: int = 0  # of that, paid to this day
    outstanding: int = 0  # billed − paid
    received: int = 0  # contribution payments received within the period
    arrears_at_end: int = 0  # due on or before the period's end and unpaid on that day
    invoices_in_arrears: int = 0
    worker_months: int = 0  # participant-months billed (their work-accident lines)


@dataclass
class ClaimFigures:
    program: str
    reported: int = 0  # cases whose death or accident falls in the period
    reported_to_date: int = 0  # … since the programme began, to the period's end
    decided: int = 0  # approved in the period
    decided_amount: int = 0  # the frozen benefit of those approved
    rejected: int = 0
    paid: int = 0  # claims with a cash-benefit transfer confirmed by the bank in the period
    paid_amount: int = 0
    decided_to_date: int = 0
    decided_amount_to_date: int = 0
    paid_to_date: int = 0
    paid_amount_to_date: int = 0


@dataclass
class Scholarships:
    paid: int = 0  # school years paid (transfers confirmed) in the period
    amount: int = 0
    children: int = 0


@dataclass
class Handover:
    date: dt.date
    title: str
    place: str
    cases: int
    total: int
    paid: int = 0
    awaiting: int = 0


@dataclass
class ProgrammeReport:
    sponsor: SponsorReport = field(repr=False, compare=False)
    sponsor_id: int
    sponsor_code: str
    sponsor_name: str
    period: Period
    as_of: dt.date
    membership: Membership
    contributions: Contributions
    claims: list[ClaimFigures]
    scholarships: Scholarships
    handovers: list[Handover]

    @property
    def handover_cases(self) -> int:
        return sum(h.cases for h in self.handovers)

    @property
    def handover_total(self) -> int:
        return sum(h.total for h in self.handovers)

    @property
    def cases(self) -> int:
        return self.claims_total("reported")

    @property
    def cases_to_date(self) -> int:
        return self.claims_total("reported_to_date")

    def claims_total(self, attr: str) -> int:
        return sum(getattr(c, attr) for c in self.claims)

    def as_dict(self) -> dict:
        return {
            "sponsor": {"code": self.sponsor_code, "name": self.sponsor_name},
            "period": {"code": self.period.code, "kind": self.period.kind, "start": self.period.start, "end": self.period.end},
            "as_of": self.as_of,
            "membership": asdict(self.membership),
            "contributions": asdict(self.contributions),
            "claims": [asdict(c) for c in self.claims],
            "scholarships": asdict(self.scholarships),
            "handovers": [asdict(h) for h in self.handovers],
            "handover_totals": {"events": len(self.handovers), "cases": self.handover_cases, "total": self.handover_total},
        }


# --------------------------------------------------------------------------------------- sponsors
def report_sponsors(*, user) -> QuerySet[SponsorReport]:
    """The sponsors whose report the user may read."""
    return SponsorReport.objects.visible_to(user).order_by("name", "code")


def report_sponsor(*, user, code: str) -> SponsorReport:
    found = SponsorReport.objects.visible_to(user).filter(code=code).first()
    if found is None:
        raise NotFound()
    return found


# --------------------------------------------------------------------------------------- the report
def programme_report(*, user, code: str, period: Period, today: dt.date | None = None) -> ProgrammeReport:
    """The programme report of one sponsor for one period (``NotFound`` outside the user's scope)."""
    sponsor = report_sponsor(user=user, code=code)
    return build_report(sponsor, period, today=today)


def build_report(sponsor, period: Period, *, today: dt.date | None = None) -> ProgrammeReport:
    """The figures of ``sponsor`` for ``period`` (no scope check: callers pass a visible sponsor)."""
    return ProgrammeReport(
        sponsor=sponsor,
        sponsor_id=sponsor.pk,
        sponsor_code=sponsor.code,
        sponsor_name=sponsor.name,
        period=period,
        as_of=today or timezone.localdate(),
        membership=_membership(sponsor.pk, period),
        contributions=_contributions(sponsor.pk, period),
        claims=_claims(sponsor.pk, period),
        scholarships=_scholarships(sponsor.pk, period),
        handovers=_handovers(sponsor.pk, period),
    )


def _membership(sponsor_id: int, period: Period) -> Membership:
    start, end = period.start, period.end
    periods = SponsorshipPeriod.objects.filter(sponsor_id=sponsor_id)
    open_on_end = Q(start_date__lte=end) & (Q(end_date__isnull=True) | Q(end_date__gte=end))
    open_at_end = periods.filter(open_on_end).values("participant_id")
    # one row per participant: first start and last end of their periods with this sponsor, and
    # whether one is open on the last day — enrolled and new counted in one pass over the periods
    spans = periods.values("participant_id").annotate(first=Min("start_date"), last=Max(Coalesce("end_date", Value(FAR))))
    counts = (
        spans.annotate(open=Count("id", filter=open_on_end))
        .order_by()
        .aggregate(
            enrolled=Count("participant_id", filter=Q(open__gt=0)),
            new=Count("participant_id", filter=Q(first__gte=start, first__lte=end)),
        )
    )
    enrolled, new = counts["enrolled"], counts["new"]
    ended_ids = spans.filter(last__gte=start, last__lte=end).values("participant_id")
    by_reason = dict(
        Participant.objects.filter(pk__in=ended_ids).values_list("exit_reason").annotate(n=Count("id")).order_by().values_list("exit_reason", "n")
    )
    # covered: enrolled at the end, billed for the period's last month (their work-accident line)
    # and no line of that month short of its amount (regular, adjustments, credits: a month is paid
    # when every line is, see contributions.coverage): the work-accident lines of the enrolled,
    # less those of the participants with a line short of its amount. Both sets are plain
    # (uncorrelated) IN lists, which SQLite builds once and PostgreSQL hashes into a semi-join; the
    # correlated EXISTS probes they replace ran once per line on SQLite, through the sponsorship
    # periods' sponsor index — 58 s on the Dumai demo (docs/benchmarks.md). PostgreSQL without
    # statistics probes the open memberships per line: the (participant, sponsor) index serves it.
    # A GROUP BY of the month's lines per participant is as fast on SQLite but five times slower on
    # PostgreSQL at a million workers (7.1 s against 1.4 s).
    month_lines = InvoiceLine.objects.filter(invoice__sponsor_id=sponsor_id, period=period.last_month).exclude(
        invoice__status=Invoice.Status.CANCELLED
    )
    billed_enrolled = month_lines.filter(program="JKK", kind=InvoiceLine.Kind.REGULAR, amount__gt=0, participant_id__in=open_at_end)
    short = month_lines.exclude(paid_amount=F("amount")).values("participant_id")
    covered = billed_enrolled.count() - billed_enrolled.filter(participant_id__in=short).count()
    return Membership(
        enrolled_at_end=enrolled,
        covered_at_end=covered,
        new=new,
        ended=sum(by_reason.values()),
        ended_by_reason={k or "other": v for k, v in sorted(by_reason.items())},
    )


def _contributions(sponsor_id: int, period: Period) -> Contributions:
    start, end = period.start, period.end
    lines = InvoiceLine.objects.filter(invoice__sponsor_id=sponsor_id, period__gte=start, period__lte=end).exclude(
        invoice__status=Invoice.Status.CANCELLED
    )
    # one JKK line per worker and month: every sponsored (BPU) membership has the work-accident
    # programme (PP 44/2015), so its lines count the worker-months without a DISTINCT over every
    # line of the period (a sort of millions of pairs on a large sponsor); counted in the same
    # scan as the sums
    billed = lines.aggregate(
        billed=Coalesce(Sum("amount"), 0),
        paid=Coalesce(Sum("paid_amount"), 0),
        worker_months=Count("id", filter=Q(amount__gt=0, program="JKK", kind=InvoiceLine.Kind.REGULAR)),
    )
    worker_months = billed["worker_months"]
    received = ContributionPayment.objects.filter(sponsor_id=sponsor_id, paid_on__gte=start, paid_on__lte=end).aggregate(
        s=Coalesce(Sum("amount"), 0)
    )["s"]
    # arrears on the period's last day: what was due by then minus what had been applied by then,
    # per invoice in one GROUP BY over its allocations (a LEFT JOIN), not a subquery per invoice
    arrears = (
        Invoice.objects.filter(sponsor_id=sponsor_id, due_date__lte=end, total__gt=0)
        .exclude(status=Invoice.Status.CANCELLED)
        .exclude(kind=Invoice.Kind.CREDIT_NOTE)
        .values("pk")
        .annotate(short=F("total") - Coalesce(Sum("allocations__amount", filter=Q(allocations__applied_on__lte=end)), 0))
        .order_by()
        .aggregate(amount=Coalesce(Sum("short", filter=Q(short__gt=0)), 0), invoices=Count("pk", filter=Q(short__gt=0)))
    )
    return Contributions(
        billed=billed["billed"],
        paid=billed["paid"],
        outstanding=billed["billed"] - billed["paid"],
        received=received,
        arrears_at_end=arrears["amount"],
        invoices_in_arrears=arrears["invoices"],
        worker_months=worker_months,
    )


def _claims(sponsor_id: int, period: Period) -> list[ClaimFigures]:
    start, end = period.start, period.end
    claims = Claim.objects.filter(sponsor_id=sponsor_id)
    decided = Q(decided_on__isnull=False) & ~Q(status=ClaimStatus.REJECTED)
    rows = {
        r["program"]: r
        for r in claims.values("program")
        .annotate(
            reported=Count("id", filter=Q(event_date__gte=start, event_date__lte=end)),
            reported_to_date=Count("id", filter=Q(event_date__lte=end)),
            decided=Count("id", filter=decided & Q(decided_on__gte=start, decided_on__lte=end)),
            decided_amount=Coalesce(Sum("benefit_total", filter=decided & Q(decided_on__gte=start, decided_on__lte=end)), 0),
            decided_to_date=Count("id", filter=decided & Q(decided_on__lte=end)),
            decided_amount_to_date=Coalesce(Sum("benefit_total", filter=decided & Q(decided_on__lte=end)), 0),
        )
        .order_by()
    }
    first, after = _day_start(start), _day_start(end + dt.timedelta(days=1))
    rejections = Decision.objects.filter(workflow="claims.claim", transition="reject", at__gte=first, at__lt=after).values("object_id")
    rejected = dict(
        claims.annotate(sid=Cast("pk", CharField(max_length=64)))
        .filter(sid__in=rejections)
        .values_list("program")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("program", "n")
    )
    settled = Settlement.objects.filter(order__claim__sponsor_id=sponsor_id, order__group=OrderGroup.BENEFIT, paid_on__lte=end)
    in_period = Q(paid_on__gte=start)
    paid = {
        r["order__claim__program"]: r
        for r in settled.values("order__claim__program")
        .annotate(
            paid=Count("order__claim_id", filter=in_period, distinct=True),
            paid_amount=Coalesce(Sum("amount", filter=in_period), 0),
            paid_to_date=Count("order__claim_id", distinct=True),
            paid_amount_to_date=Coalesce(Sum("amount"), 0),
        )
        .order_by()
    }
    out = []
    for program in PROGRAMMES:
        r, p = rows.get(program, {}), paid.get(program, {})
        out.append(
            ClaimFigures(
                program=program,
                reported=r.get("reported", 0),
                reported_to_date=r.get("reported_to_date", 0),
                decided=r.get("decided", 0),
                decided_amount=r.get("decided_amount", 0),
                decided_to_date=r.get("decided_to_date", 0),
                decided_amount_to_date=r.get("decided_amount_to_date", 0),
                rejected=rejected.get(program, 0),
                paid=p.get("paid", 0),
                paid_amount=p.get("paid_amount", 0),
                paid_to_date=p.get("paid_to_date", 0),
                paid_amount_to_date=p.get("paid_amount_to_date", 0),
            )
        )
    return out


def _scholarships(sponsor_id: int, period: Period) -> Scholarships:
    figures = Settlement.objects.filter(
        order__sponsor_id=sponsor_id, order__group=OrderGroup.SCHOLARSHIP, paid_on__gte=period.start, paid_on__lte=period.end
    ).aggregate(
        paid=Count("id"),
        amount=Coalesce(Sum("amount"), 0),
        children=Count("order__scholarship_year__schedule_id", distinct=True),
    )
    return Scholarships(**figures)


def _handovers(sponsor_id: int, period: Period) -> list[Handover]:
    """The hand-over events of the period with the sponsor's cases (a shared event counts only
    this sponsor's cases and amounts)."""
    rows = (
        HandoverCase.objects.filter(claim__sponsor_id=sponsor_id, event__date__gte=period.start, event__date__lte=period.end)
        .values("event_id", "event__date", "event__title", "event__place")
        .annotate(
            cases=Count("id"),
            total=Coalesce(Sum("amount"), 0),
            paid=Count("id", filter=Q(mark=HandoverCase.Mark.PAID)),
        )
        .order_by("event__date", "event_id")
    )
    return [
        Handover(
            date=r["event__date"],
            title=r["event__title"],
            place=r["event__place"],
            cases=r["cases"],
            total=r["total"],
            paid=r["paid"],
            awaiting=r["cases"] - r["paid"],
        )
        for r in rows
    ]


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


__all__ = ["ProgrammeReport", "build_report", "programme_report", "report_sponsor", "report_sponsors"]
