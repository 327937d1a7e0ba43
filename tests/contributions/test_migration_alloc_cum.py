"""Migration 0010 gives the lines of invoices billed before it their place in the allocation order
(``InvoiceLine.alloc_cum``), set-based, for the invoices that can still be paid and whose lines
follow the order; a payment on them then reads only its range. The others stay without one and get
it (or the full statement) at their next payment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from lindung.contributions import payments
from lindung.contributions.models import Invoice, InvoiceLine
from lindung.membership.models import Participant

D = dt.date
OCT, NOV = D(2023, 10, 1), D(2023, 11, 1)
BEFORE = [("contributions", "0009_line_indexes_lean")]
AFTER = [("contributions", "0010_line_alloc_cum")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_the_latest_schema():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_existing_open_invoices_get_their_places(back_to_the_latest_schema, make_workers):
    workers = make_workers(2)
    # KPJ order opposite to the ids: the second worker comes first.
    for w, kpj in zip(workers, ["77000000002", "77000000001"], strict=True):
        w.kpj_number = kpj
    Participant.objects.bulk_update(workers, ["kpj_number"])
    first, second = workers[1], workers[0]
    old = _migrate(BEFORE)
    OldInvoice, OldLine = old.get_model("contributions", "Invoice"), old.get_model("contributions", "InvoiceLine")

    def invoice(name, status="issued", paid=0, kind="regular", sequence=1, payer=None):
        return OldInvoice.objects.create(
            number=f"INV-{name}-{sequence}", kind=kind, payer_type="sponsor", payer_key=payer or f"p:{name}", segment="BPU",
            period_start=OCT, period_end=NOV, sequence=sequence, issue_date=OCT, due_date=D(2099, 1, 1), total=4 * 16_800,
            paid_amount=paid, status=status,
        )  # fmt: skip

    def lines(inv, paid_months=()):
        for month in (OCT, NOV):
            for w in workers:
                for program, amount in (("JKK", 10_000), ("JKM", 6_800)):
                    paid = amount if (w.pk, month) in paid_months else 0
                    OldLine.objects.create(invoice=inv, participant_id=w.pk, program=program, period=month, amount=amount, paid_amount=paid)

    unpaid, partly, inconsistent, paid, credited = (
        invoice("A"),
        invoice("B", "partly_paid", 16_800),
        invoice("C", "partly_paid", 16_800),
        invoice("D", "paid", 4 * 16_800),
        invoice("E"),
    )
    lines(unpaid)
    lines(partly, {(first.pk, OCT)})
    lines(inconsistent)  # 16,800 paid on the invoice, but its lines say nothing is
    lines(paid, {(w.pk, m) for w in workers for m in (OCT, NOV)})
    lines(credited)
    note = invoice("E", "paid", kind="credit_note", sequence=2, payer="p:E")
    OldLine.objects.create(invoice=note, participant_id=second.pk, program="JKK", period=NOV, amount=-10_000, paid_amount=-10_000)
    _migrate(AFTER)

    expected = {(first.pk, OCT): 16_800, (second.pk, OCT): 2 * 16_800, (first.pk, NOV): 3 * 16_800, (second.pk, NOV): 4 * 16_800}
    for inv in (unpaid, partly):
        got = {(ln.participant_id, ln.period): ln.alloc_cum for ln in InvoiceLine.objects.filter(invoice_id=inv.pk)}
        assert got == expected, inv.number
    for inv in (inconsistent, paid, credited):
        assert not InvoiceLine.objects.filter(invoice_id=inv.pk, alloc_cum__isnull=False).exists(), inv.number

    # A payment on a migrated invoice reads its range only; the inconsistent one is put right
    # (every line given its place and allocated again) by its next payment.
    partly = Invoice.objects.get(pk=partly.pk)
    payments.record_payment(amount=16_800, paid_on=D(2023, 10, 5), invoice=partly)
    assert _covered(partly) == {(first.pk, OCT), (second.pk, OCT)}
    inconsistent = Invoice.objects.get(pk=inconsistent.pk)
    payments.record_payment(amount=16_800, paid_on=D(2023, 10, 5), invoice=inconsistent)
    assert _covered(inconsistent) == {(first.pk, OCT), (second.pk, OCT)}
    assert not InvoiceLine.objects.filter(invoice_id=inconsistent.pk, alloc_cum__isnull=True).exists()


def _covered(invoice):
    months = {}
    for pid, period, amount, paid in InvoiceLine.objects.filter(invoice=invoice).values_list("participant_id", "period", "amount", "paid_amount"):
        months.setdefault((pid, period), []).append(paid == amount)
    return {k for k, v in months.items() if all(v)}
