"""The report's queries keep their figures and their plans. The covered workers, the arrears, the
enrolled and the new are checked against the queries they replaced (kept here as the oracle) on a
programme with part, late and cancelled payments and a worker who left and came back, over every
month, quarter and year; and no query of the report runs a subquery once per row (SQLite's
``CORRELATED`` subqueries, PostgreSQL's plain ``SubPlan``), which made the page wait 58 s on SQLite
with the Dumai demo."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.test.utils import CaptureQueriesContext

from lindung.reports import selectors
from lindung.reports.periods import parse_period

pytestmark = pytest.mark.django_db
D = dt.date
CODES = [f"{y}-{m:02d}" for y in (2023, 2024) for m in range(1, 13) if (y, m) >= (2023, 10)]
CODES += ["2023-Q4", "2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2023", "2024"]


def _covered_oracle(sponsor_id, period) -> int:
    """The covered workers as the report counted them before (correlated EXISTS probes)."""
    from lindung.contributions.models import Invoice, InvoiceLine
    from lindung.membership.models import SponsorshipPeriod

    end = period.end
    open_at_end = (
        SponsorshipPeriod.objects.filter(sponsor_id=sponsor_id, start_date__lte=end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=end))
        .values("participant_id")
    )
    month_lines = InvoiceLine.objects.filter(invoice__sponsor_id=sponsor_id, period=period.last_month).exclude(
        invoice__status=Invoice.Status.CANCELLED
    )
    return (
        month_lines.filter(program="JKK", kind=InvoiceLine.Kind.REGULAR, amount__gt=0)
        .filter(Exists(open_at_end.filter(participant_id=OuterRef("participant_id"))))
        .exclude(Exists(month_lines.filter(participant_id=OuterRef("participant_id")).exclude(paid_amount=F("amount"))))
        .count()
    )


def _enrolled_new_oracle(sponsor_id, period) -> tuple[int, int]:
    """Enrolled and new as counted before (two passes over the sponsorship periods)."""
    from django.db.models import Max, Min, Value

    from lindung.membership.models import SponsorshipPeriod

    periods = SponsorshipPeriod.objects.filter(sponsor_id=sponsor_id)
    enrolled = (
        periods.filter(start_date__lte=period.end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=period.end))
        .values("participant_id")
        .distinct()
        .count()
    )
    spans = periods.values("participant_id").annotate(first=Min("start_date"), last=Max(Coalesce("end_date", Value(selectors.FAR))))
    return enrolled, spans.filter(first__gte=period.start, first__lte=period.end).count()


def _arrears_oracle(sponsor_id, period) -> tuple[int, int]:
    """The arrears on the period's last day as counted before (a subquery per invoice)."""
    from lindung.contributions.models import Allocation, Invoice

    end = period.end
    applied_by_end = (
        Allocation.objects.filter(invoice_id=OuterRef("pk"), applied_on__lte=end)
        .order_by()
        .values("invoice_id")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    r = (
        Invoice.objects.filter(sponsor_id=sponsor_id, due_date__lte=end, total__gt=0)
        .exclude(status=Invoice.Status.CANCELLED)
        .exclude(kind=Invoice.Kind.CREDIT_NOTE)
        .annotate(short=F("total") - Coalesce(Subquery(applied_by_end), 0))
        .aggregate(amount=Coalesce(Sum("short", filter=Q(short__gt=0)), 0), invoices=Count("id", filter=Q(short__gt=0)))
    )
    return r["amount"], r["invoices"]


@pytest.fixture
def history(programme):
    """Beyond the programme: Q1 2024 paid in part after the quarter, Q2 paid in full, Q3 cancelled,
    a worker who left in January and came back in May, and one more worker from February."""
    from lindung.contributions.billing import run_billing
    from lindung.contributions.models import Invoice
    from lindung.contributions.payments import record_payment
    from lindung.membership.models import SponsorshipPeriod
    from tests.factories import SponsoredParticipantFactory

    dumai = programme["dumai"]
    agreement = programme["workers"][0].agreement
    back = programme["workers"][3]
    SponsorshipPeriod.objects.filter(participant=back).update(end_date=D(2024, 1, 31), end_reason="ended_by_sponsor")
    SponsorshipPeriod.objects.create(participant=back, agreement=agreement, sponsor=dumai, start_date=D(2024, 5, 1))
    SponsoredParticipantFactory(agreement=agreement, start_date=D(2024, 2, 1))
    run_billing(period=D(2024, 1, 1), sponsor=dumai, today=D(2024, 1, 1))
    q1 = Invoice.objects.get(sponsor=dumai, period_start=D(2024, 1, 1))
    record_payment(amount=q1.total // 2 + 7_000, paid_on=D(2024, 4, 16), invoice=q1)
    run_billing(period=D(2024, 4, 1), sponsor=dumai, today=D(2024, 4, 1))
    q2 = Invoice.objects.get(sponsor=dumai, period_start=D(2024, 4, 1))
    record_payment(amount=q2.total, paid_on=D(2024, 5, 5), invoice=q2)
    run_billing(period=D(2024, 7, 1), sponsor=dumai, today=D(2024, 7, 1))
    Invoice.objects.filter(sponsor=dumai, period_start=D(2024, 7, 1)).update(status=Invoice.Status.CANCELLED)
    return programme


def test_the_covered_workers_and_the_arrears_equal_the_former_queries(history):
    sponsor_id = history["dumai"].pk
    covered, arrears = set(), set()
    for code in CODES:
        period = parse_period(code)
        m, c = selectors._membership(sponsor_id, period), selectors._contributions(sponsor_id, period)
        assert m.covered_at_end == _covered_oracle(sponsor_id, period), code
        assert (m.enrolled_at_end, m.new) == _enrolled_new_oracle(sponsor_id, period), code
        assert (c.arrears_at_end, c.invoices_in_arrears) == _arrears_oracle(sponsor_id, period), code
        covered.add(m.covered_at_end)
        arrears.add(c.arrears_at_end)
    # the data set reaches every case: months covered in full, in part and not at all, arrears
    # before and after the part payment
    assert {0, 4} <= covered and len(covered) >= 3, covered
    assert 0 in arrears and len(arrears) >= 3, arrears


def _plans(sqls: list[str]) -> list[str]:
    plans = []
    with connection.cursor() as cur:
        for sql in sqls:
            if connection.vendor == "sqlite":
                cur.execute("EXPLAIN QUERY PLAN " + sql)
                plans.append("\n".join(row[3] for row in cur.fetchall()))
            else:
                cur.execute("EXPLAIN " + sql)
                plans.append("\n".join(row[0] for row in cur.fetchall()))
    return plans


def test_no_query_of_the_report_runs_a_subquery_per_row(history):
    for code in ("2024-Q1", "2024", "2024-03"):
        with CaptureQueriesContext(connection) as ctx:
            selectors.build_report(history["dumai"], parse_period(code))
        sqls = [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
        assert len(sqls) >= 10
        for sql, plan in zip(sqls, _plans(sqls), strict=True):
            if connection.vendor == "sqlite":
                assert "CORRELATED" not in plan, (sql, plan)
            else:
                per_row = [line for line in plan.splitlines() if "SubPlan" in line and "hashed SubPlan" not in line]
                assert not per_row, (sql, plan)


def test_a_participants_periods_with_a_sponsor_are_found_by_one_index(history):
    """The open memberships probed by participant and sponsor (PostgreSQL's nested loop before its
    statistics are gathered) read one index, not the participant's index ANDed with every period of
    the sponsor — 16 s on the PostgreSQL Dumai demo before ANALYZE."""
    worker, sponsor_id = history["workers"][0], history["dumai"].pk
    sql = f"SELECT id FROM membership_sponsorshipperiod WHERE participant_id = {worker.pk} AND sponsor_id = {sponsor_id}"
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":  # the tables are small enough for a sequential scan
            cur.execute("SET LOCAL enable_seqscan = off")
            cur.execute("SET LOCAL enable_bitmapscan = off")
    assert "membership_sp_sponsor_idx" in _plans([sql])[0]
