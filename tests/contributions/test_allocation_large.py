"""A payment against a large invoice is allocated set-based (issue 10, item 3): Rp 1,000 against a
200,000-line sponsor invoice ran past the 300 s worker timeout because the allocation's update
re-ran the invoice's running total for every line. The allocation is one ``UPDATE … FROM`` joined
by hash on PostgreSQL, writes only the lines whose paid amount changes, and its query count does
not grow with the invoice."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from lindung.contributions import billing, payments
from lindung.contributions.allocation import allocation_statement, hash_joins
from lindung.contributions.coverage import coverage_on
from lindung.contributions.models import Invoice, InvoiceLine

D = dt.date
pytestmark = pytest.mark.django_db


def _invoice(make_agreement, make_workers, n):
    agreement = make_agreement(billing="monthly")
    workers = make_workers(n, agreement=agreement)
    billing.run_billing(period=D(2023, 10, 1), today=D(2023, 10, 1))
    return Invoice.objects.get(period_start=D(2023, 10, 1)), sorted(workers, key=lambda w: w.kpj_number)


def _plan_nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _plan_nodes(child)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan of the statement is PostgreSQL's (EXPLAIN FORMAT JSON)")
def test_the_allocation_is_planned_without_a_per_line_loop(make_agreement, make_workers):
    """Just billed, the invoice's lines are not in the statistics yet: that is when the planner
    chose a nested loop re-running the running total per line (or a merge on the month alone)."""
    invoice, _ = _invoice(make_agreement, make_workers, 300)
    invoice.paid_amount = 1_000
    sql, params = allocation_statement(invoice)
    with connection.cursor() as cur, hash_joins(cur):
        cur.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        raw = cur.fetchone()[0]
    plan = (raw if isinstance(raw, list) else json.loads(raw))[0]["Plan"]
    nodes = [n["Node Type"] for n in _plan_nodes(plan)]
    assert "Hash Join" in nodes, nodes
    assert "Nested Loop" not in nodes and "Merge Join" not in nodes, nodes
    assert not any(n.get("Subplan Name") or n.get("Parent Relationship") == "SubPlan" for n in _plan_nodes(plan)), nodes


def test_a_payment_on_a_large_invoice_writes_only_the_lines_it_covers(make_agreement, make_workers):
    invoice, workers = _invoice(make_agreement, make_workers, 1_500)  # 3,000 lines
    assert invoice.line_count == 3_000
    with CaptureQueriesContext(connection) as small:
        payments.record_payment(amount=1_000, paid_on=D(2023, 10, 5), invoice=invoice, bank_reference="SMALL")
    assert not InvoiceLine.objects.filter(invoice=invoice, paid_amount__gt=0).exists()
    # Ten participant-months and a bit: the first ten workers by KPJ number, both programmes.
    with CaptureQueriesContext(connection) as more:
        payments.record_payment(amount=10 * 16_800 + 500, paid_on=D(2023, 10, 6), invoice=invoice, bank_reference="MORE")
    paid = set(InvoiceLine.objects.filter(invoice=invoice, paid_amount=F("amount")).values_list("participant_id", flat=True))
    assert paid == {w.pk for w in workers[:10]}  # 1,000 + 168,500 covers 10 × 16,800, not 11
    assert len(more.captured_queries) <= len(small.captured_queries) < 30  # nothing per line of the 3,000
    assert coverage_on(workers[9], D(2023, 10, 20)).status == "covered"
    assert coverage_on(workers[10], D(2023, 10, 20)).status != "covered"
    # The rest pays every line; the invoice is paid.
    invoice.refresh_from_db()
    payments.record_payment(amount=invoice.outstanding, paid_on=D(2023, 10, 7), invoice=invoice, bank_reference="REST")
    invoice.refresh_from_db()
    assert invoice.status == "paid" and InvoiceLine.objects.filter(invoice=invoice, paid_amount=F("amount")).count() == 3_000
    assert coverage_on(workers[-1], D(2023, 10, 20)).status == "covered"


def test_matching_a_queued_payment_to_a_large_invoice_allocates_it_the_same_way(make_agreement, make_workers):
    invoice, workers = _invoice(make_agreement, make_workers, 1_500)
    queued = payments.record_payment(amount=100 * 16_800, paid_on=D(2023, 10, 5), reference="tanpa nomor", bank_reference="Q")
    assert queued.status == "unmatched"
    payments.match_payment(payment=queued, invoice=invoice)
    paid = set(InvoiceLine.objects.filter(invoice=invoice, paid_amount=F("amount")).values_list("participant_id", flat=True))
    assert paid == {w.pk for w in workers[:100]}
