"""A payment writes only the participant-months its money changes (issue 10, item 3): each invoice
line carries its place in the allocation order (``InvoiceLine.alloc_cum``, the running total of the
invoice's participant-months up to its own, written by the billing insert), so recording money
reads the range of the (invoice, alloc_cum) index between what was paid before and what is paid
now — not the whole invoice. The order with credit notes (cancelled participant-months first) and
lines written without a place fall back to the full statement, which must agree with the range
path everywhere (the property test at the end)."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lindung.contributions import billing, payments
from lindung.contributions.allocation import allocation_statement, range_statement, rank_lines
from lindung.contributions.models import Invoice, InvoiceLine
from lindung.membership.models import Participant

D = dt.date
pytestmark = pytest.mark.django_db
OCT, NOV, DEC = D(2023, 10, 1), D(2023, 11, 1), D(2023, 12, 1)


def _expected_cum(lines, kpj):
    """The allocation order written out by hand: participant-months by month, then KPJ number;
    each line gets the running total up to and including its participant-month."""
    months = {}
    for line in lines:
        key = (line.period, kpj[line.participant_id], line.participant_id)
        months[key] = months.get(key, 0) + max(0, line.amount)
    cum, running = {}, 0
    for key in sorted(months):
        running += months[key]
        cum[(key[0], key[2])] = running
    return {line.pk: cum[(line.period, line.participant_id)] for line in lines}


def test_billing_writes_each_lines_place_in_the_allocation_order(make_agreement, make_workers, employer):
    agreement = make_agreement()  # quarterly: three months on one invoice
    sponsored = make_workers(4, agreement=agreement)
    make_workers(3, segment="PU", wage=5_000_000, employer=employer, start=OCT)
    make_workers(2)  # self-paying: one invoice each
    # KPJ order unlike the order of creation, so the order cannot come from the ids.
    _reorder_kpj(sponsored, [3, 0, 2, 1])
    billing.run_billing(period=OCT, today=OCT)
    invoices = Invoice.objects.filter(period_start=OCT)
    assert {i.payer_type for i in invoices} == {"sponsor", "employer", "self"}
    kpj = dict(Participant.objects.values_list("pk", "kpj_number"))
    for invoice in invoices:
        lines = list(InvoiceLine.objects.filter(invoice=invoice))
        assert lines and {ln.pk: ln.alloc_cum for ln in lines} == _expected_cum(lines, kpj), invoice.payer_type
    quarter = invoices.get(payer_type="sponsor")
    assert InvoiceLine.objects.filter(invoice=quarter).values("alloc_cum").distinct().count() == 12  # 4 workers × 3 months
    assert max(InvoiceLine.objects.filter(invoice=quarter).values_list("alloc_cum", flat=True)) == quarter.total


def _reorder_kpj(workers, order):
    """Give ``workers`` KPJ numbers in the order ``order`` (a permutation of their positions)."""
    for w, k in zip(workers, order, strict=True):
        w.kpj_number = f"77{k:09d}"
    Participant.objects.bulk_update(workers, ["kpj_number"])


@pytest.fixture
def large_invoice(make_agreement, make_workers):
    agreement = make_agreement(billing="monthly")
    workers = make_workers(1_500, agreement=agreement)  # 3,000 lines
    billing.run_billing(period=OCT, today=OCT)
    return Invoice.objects.get(period_start=OCT), sorted(workers, key=lambda w: w.kpj_number)


def test_a_payment_reads_only_the_range_its_money_changes(large_invoice):
    invoice, workers = large_invoice
    with CaptureQueriesContext(connection) as small:
        payments.record_payment(amount=1_000, paid_on=D(2023, 10, 5), invoice=invoice, bank_reference="SMALL")
    with CaptureQueriesContext(connection) as more:
        payments.record_payment(amount=10 * 16_800, paid_on=D(2023, 10, 6), invoice=invoice, bank_reference="MORE")
    statements = [q["sql"] for q in small.captured_queries + more.captured_queries]
    # No statement reads the invoice whole: no running total is computed, the lines are not
    # joined to their participants; the update names the range between the two paid amounts.
    assert not [s for s in statements if "OVER (" in s or "membership_participant" in s]
    updates = [s for s in more.captured_queries if s["sql"].lstrip().startswith("UPDATE contributions_invoiceline")]
    assert len(updates) == 1 and "alloc_cum > 1000 AND alloc_cum <= 169000" in updates[0]["sql"]
    paid = set(InvoiceLine.objects.filter(invoice=invoice, paid_amount=F("amount")).values_list("participant_id", flat=True))
    assert paid == {w.pk for w in workers[:10]}
    assert InvoiceLine.objects.filter(invoice=invoice, paid_amount__gt=0).count() == 20


def test_the_range_is_read_from_the_index(large_invoice):
    """The database plans the range statement as a search of the (invoice, alloc_cum) index: on
    PostgreSQL an index scan that reads the 20 lines of ten participant-months, on SQLite a
    search bounded by the invoice and both ends of the range."""
    invoice, _ = large_invoice
    sql, params = range_statement(invoice.pk, 1_000, 1_000 + 10 * 16_800)
    with transaction.atomic():
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute("ANALYZE contributions_invoiceline")
                cur.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
                raw = cur.fetchone()[0]
                plan = (raw if isinstance(raw, list) else json.loads(raw))[0]["Plan"]
                scans = [n for n in _nodes(plan) if n.get("Index Name") == "contrib_line_alloc_idx"]
                assert scans and all(n["Actual Rows"] <= 20 for n in scans), plan
                assert not [n for n in _nodes(plan) if n["Node Type"] == "Seq Scan"], plan
            else:
                cur.execute("EXPLAIN QUERY PLAN " + sql, params)
                detail = " ".join(str(row[-1]) for row in cur.fetchall())
                assert "USING INDEX contrib_line_alloc_idx (invoice_id=? AND alloc_cum>? AND alloc_cum<?)" in detail, detail
        transaction.set_rollback(True)


def _nodes(plan):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def test_a_small_invoice_is_paid_in_a_dozen_queries(make_agreement, make_workers):
    """The demo and an employer's month pay many small invoices one by one: a payment costs the
    same few statements whatever the database (no planner settings around a range update)."""
    agreement = make_agreement(billing="monthly")
    make_workers(3, agreement=agreement)
    billing.run_billing(period=OCT, today=OCT)
    invoice = Invoice.objects.get(period_start=OCT)
    with CaptureQueriesContext(connection) as q:
        payments.record_payment(amount=invoice.total, paid_on=D(2023, 10, 5), invoice=invoice, bank_reference="ALL")
    assert len(q.captured_queries) <= 12, [x["sql"][:80] for x in q.captured_queries]
    assert InvoiceLine.objects.filter(invoice=invoice, paid_amount=F("amount")).count() == 6


def test_a_credit_note_after_a_payment_puts_the_cancelled_months_first(make_agreement, make_workers):
    """Five of twelve participant-months paid (October's four, then November's first by KPJ
    number); the last worker by KPJ number dies in October, and the correction run's credit note
    for his unpaid November and December is applied to the quarter: those two come first now, and
    the cash covers the same living participant-months as before, then goes on in order."""
    from lindung.membership.status import change_status

    agreement = make_agreement()
    workers = make_workers(4, agreement=agreement)
    _reorder_kpj(workers, [2, 0, 3, 1])
    by_kpj = sorted(workers, key=lambda w: w.kpj_number)
    billing.run_billing(period=OCT, today=OCT)
    q4 = Invoice.objects.get(period_start=OCT)
    payments.record_payment(amount=5 * 16_800, paid_on=D(2023, 10, 12), invoice=q4, bank_reference="FIVE")
    assert _covered(q4) == {(w.pk, OCT) for w in by_kpj} | {(by_kpj[0].pk, NOV)}
    change_status(by_kpj[3], to="ended", effective_date=D(2023, 10, 20), reason="death")
    billing.run_billing(period=OCT, correction=True, today=D(2023, 10, 25))
    note = Invoice.objects.get(kind="credit_note")
    assert note.total == -2 * 16_800
    q4.refresh_from_db()
    assert q4.paid_amount == 7 * 16_800  # the cash and the credit note's credit
    cancelled = {(by_kpj[3].pk, NOV), (by_kpj[3].pk, DEC)}
    assert _covered(q4) == {(w.pk, OCT) for w in by_kpj} | {(by_kpj[0].pk, NOV)} | cancelled
    payments.record_payment(amount=16_800 + 100, paid_on=D(2023, 10, 26), invoice=q4, bank_reference="ONE")
    assert _covered(q4) == {(w.pk, OCT) for w in by_kpj} | {(by_kpj[0].pk, NOV), (by_kpj[1].pk, NOV)} | cancelled
    q4.refresh_from_db()
    payments.record_payment(amount=q4.outstanding, paid_on=D(2023, 10, 27), invoice=q4, bank_reference="REST")
    assert len(_covered(q4)) == 12
    assert not list(_changes(q4))  # the full statement finds nothing to change


def _covered(invoice):
    """The participant-months of ``invoice`` whose lines are all paid."""
    lines = InvoiceLine.objects.filter(invoice=invoice, amount__gt=0).values_list("participant_id", "period", "amount", "paid_amount")
    months = {}
    for pid, period, amount, paid in lines:
        months.setdefault((pid, period), []).append(amount == paid)
    return {key for key, flags in months.items() if all(flags)}


def _changes(invoice):
    """Run the full allocation statement for ``invoice`` in a savepoint rolled back and yield the
    lines it would change (nothing when the lines already follow the rule)."""
    invoice.refresh_from_db()
    before = dict(InvoiceLine.objects.filter(invoice=invoice).values_list("pk", "paid_amount"))
    with transaction.atomic():
        sql, params = allocation_statement(invoice)
        with connection.cursor() as cur:
            cur.execute(sql, params)
        after = dict(InvoiceLine.objects.filter(invoice=invoice).values_list("pk", "paid_amount"))
        transaction.set_rollback(True)
    yield from (pk for pk in before if before[pk] != after[pk])


# The property: on random invoices (participants whose KPJ order is not their id order, one to
# three programmes, amounts including zero), with or without their places written when the lines
# are, with credit notes cancelling some participant-months before or between payments, every
# sequence of payments leaves the lines as the rule written out in Python says, and as the full
# statement would leave them.

_counter = itertools.count()
_line = st.tuples(st.integers(0, 5), st.sampled_from([OCT, NOV, DEC]), st.sampled_from(["JKK", "JKM", "JHT"]), st.integers(0, 9_000))


@pytest.fixture
def six_workers(make_workers):
    workers = make_workers(6)
    _reorder_kpj(workers, [4, 1, 5, 0, 3, 2])
    return workers


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    lines=st.lists(_line, min_size=1, max_size=24, unique_by=lambda x: x[:3]),
    ranked=st.booleans(),
    cancelled=st.lists(st.tuples(st.integers(0, 5), st.sampled_from([OCT, NOV, DEC])), max_size=4, unique=True),
    credit_after=st.integers(0, 4),
    amounts=st.lists(st.integers(1, 40_000), min_size=1, max_size=5),
)
def test_the_range_path_and_the_full_statement_agree(six_workers, lines, ranked, cancelled, credit_after, amounts):
    n = next(_counter)
    invoice = Invoice.objects.create(
        number=f"INV-PROP-{n}", payer_type="sponsor", payer_key=f"prop:{n}", segment="BPU", period_start=OCT, period_end=DEC,
        issue_date=OCT, due_date=D(2099, 1, 1),
    )  # fmt: skip
    made = InvoiceLine.objects.bulk_create(
        [InvoiceLine(invoice=invoice, participant=six_workers[w], program=prog, period=m, amount=a) for w, m, prog, a in lines]
    )
    invoice.total, invoice.line_count = sum(ln.amount for ln in made), len(made)
    invoice.save(update_fields=["total", "line_count"])
    if ranked:
        rank_lines(invoice)
    kpj = {w.pk: w.kpj_number for w in six_workers}
    credited = set()
    for i, amount in enumerate(amounts):
        if i == credit_after and cancelled:
            _credit_note(invoice, [(six_workers[w], m) for w, m in cancelled], n)
            credited = {(six_workers[w].pk, m) for w, m in cancelled}
        invoice.refresh_from_db()
        if invoice.outstanding == 0:
            break
        payments.record_payment(amount=amount, paid_on=D(2023, 10, 5), invoice=invoice)
        invoice.refresh_from_db()
        assert _covered(invoice) == _by_the_rule(made, kpj, credited, min(invoice.paid_amount, invoice.total))
        assert not list(_changes(invoice))


def _credit_note(invoice, cancelled, n):
    note = Invoice.objects.create(
        number=f"INV-PROP-{n}-CN", kind="credit_note", payer_type="sponsor", payer_key=invoice.payer_key, segment="BPU",
        period_start=OCT, period_end=DEC, sequence=2, issue_date=OCT, due_date=OCT, status="paid",
    )  # fmt: skip
    InvoiceLine.objects.bulk_create(
        [InvoiceLine(invoice=note, participant=p, program="JKK", period=m, amount=-1, paid_amount=-1, kind="adjustment") for p, m in cancelled]
    )


def _by_the_rule(lines, kpj, credited, available):
    """The participant-months covered, by the rule as docs/contributions.md states it: cancelled
    ones first, then oldest month, then KPJ number; whole participant-months while the money lasts."""
    months = {}
    for line in lines:
        if line.amount > 0:
            key = (line.participant_id, line.period)
            months[key] = months.get(key, 0) + line.amount
    order = sorted(months, key=lambda k: (k not in credited, k[1], kpj[k[0]], k[0]))
    covered, running = set(), 0
    for key in order:
        running += months[key]
        if running > available:
            break
        covered.add(key)
    return covered
