"""The money invariants of contributions are held by the database (issue 8, item 7): whatever code
writes the tables, a line cannot be billed twice on an invoice, nothing is paid beyond what is due,
an allocation has exactly one source, and programme and segment come from their choices."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from lindung.contributions import billing, payments
from lindung.contributions.models import Allocation, BillingPrice, Invoice, InvoiceLine, PayerCredit

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(make_agreement, make_workers):
    agreement = make_agreement(billing="monthly")
    workers = make_workers(2, agreement=agreement)
    billing.run_billing(period=D(2023, 10, 1), today=D(2023, 10, 1))
    return Invoice.objects.get(period_start=D(2023, 10, 1)), workers


def _refused(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_a_line_cannot_be_billed_twice_on_an_invoice(invoice):
    inv, _workers = invoice
    line = InvoiceLine.objects.filter(invoice=inv).first()
    _refused(lambda: InvoiceLine.objects.create(invoice=inv, participant_id=line.participant_id, program=line.program, period=line.period, amount=1))
    # The same participant-month of another programme, or on another invoice, is fine.
    other = Invoice.objects.create(
        number="INV-X", payer_type="sponsor", payer_key="x", segment="BPU", period_start=inv.period_start, period_end=inv.period_end,
        issue_date=inv.issue_date, due_date=inv.due_date,
    )  # fmt: skip
    InvoiceLine.objects.create(invoice=other, participant_id=line.participant_id, program=line.program, period=line.period, amount=1)


def test_a_line_is_never_paid_beyond_its_amount(invoice):
    inv, _ = invoice
    line = InvoiceLine.objects.filter(invoice=inv).first()
    _refused(lambda: InvoiceLine.objects.filter(pk=line.pk).update(paid_amount=line.amount + 1))
    _refused(lambda: InvoiceLine.objects.filter(pk=line.pk).update(paid_amount=-1))
    InvoiceLine.objects.filter(pk=line.pk).update(paid_amount=line.amount)
    # A credit line is settled as issued: amount ≤ paid ≤ 0.
    credit = InvoiceLine.objects.create(invoice=inv, participant_id=None, program="JKK", period=inv.period_start, amount=-500, paid_amount=-500)
    _refused(lambda: InvoiceLine.objects.filter(pk=credit.pk).update(paid_amount=-501))
    _refused(lambda: InvoiceLine.objects.filter(pk=credit.pk).update(paid_amount=1))


def test_an_invoice_is_never_paid_beyond_its_total_and_fine(invoice):
    inv, _ = invoice
    _refused(lambda: Invoice.objects.filter(pk=inv.pk).update(paid_amount=inv.total + 1))
    Invoice.objects.filter(pk=inv.pk).update(fine_amount=10, paid_amount=inv.total + 10)
    # Paying more through the service makes the rest the payer's credit, never an overpaid invoice.
    Invoice.objects.filter(pk=inv.pk).update(fine_amount=0, paid_amount=0)
    payments.record_payment(amount=inv.total + 5_000, paid_on=D(2023, 10, 5), invoice=inv, bank_reference="OVER")
    inv.refresh_from_db()
    assert inv.paid_amount == inv.total and PayerCredit.objects.get(kind="overpayment").amount == 5_000


def test_an_allocation_has_exactly_one_source(invoice):
    inv, _ = invoice
    payment = payments.record_payment(amount=1_000, paid_on=D(2023, 10, 5), invoice=inv, bank_reference="ONE")
    credit = PayerCredit.objects.create(payer_key=inv.payer_key, kind="applied", amount=0, invoice=inv)
    _refused(lambda: Allocation.objects.create(invoice=inv, payment=payment, credit=credit, amount=1, applied_on=D(2023, 10, 5)))
    _refused(lambda: Allocation.objects.create(invoice=inv, amount=1, applied_on=D(2023, 10, 5)))
    Allocation.objects.create(invoice=inv, credit=credit, amount=1, applied_on=D(2023, 10, 5))


def test_programme_and_segment_come_from_their_choices(invoice):
    inv, _ = invoice
    line = InvoiceLine.objects.filter(invoice=inv).first()
    _refused(lambda: InvoiceLine.objects.filter(pk=line.pk).update(program="XYZ"))
    _refused(lambda: Invoice.objects.filter(pk=inv.pk).update(segment="ABC"))
    price = BillingPrice.objects.first()
    _refused(lambda: BillingPrice.objects.filter(pk=price.pk).update(program="JKP"))
    _refused(lambda: BillingPrice.objects.filter(pk=price.pk).update(segment="X"))


@pytest.mark.django_db(transaction=True)
def test_migration_fits_existing_data_without_losing_a_rupiah(make_agreement, make_workers):
    before = [("contributions", "0006_refund_once_per_payer_month")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        apps = executor.loader.project_state(before).apps
        OldInvoice, OldLine = apps.get_model("contributions", "Invoice"), apps.get_model("contributions", "InvoiceLine")
        OldPayment, OldCredit = apps.get_model("contributions", "ContributionPayment"), apps.get_model("contributions", "PayerCredit")
        OldAllocation = apps.get_model("contributions", "Allocation")
        inv = OldInvoice.objects.create(
            number="INV-OLD", payer_type="sponsor", payer_key="sponsor:1", segment="BPU", period_start=D(2023, 10, 1),
            period_end=D(2023, 10, 1), issue_date=D(2023, 10, 1), due_date=D(2023, 10, 15), total=30_000, paid_amount=31_000,
            line_count=3,
        )  # fmt: skip
        for amount, paid in [(10_000, 10_000), (10_000, 4_000), (10_000, 12_000)]:  # twice the same line, one overpaid
            OldLine.objects.create(invoice=inv, participant_id=7, program="JKK", period=D(2023, 10, 1), amount=amount, paid_amount=paid)
        pay = OldPayment.objects.create(amount=31_000, paid_on=D(2023, 10, 5), status="matched")
        credit = OldCredit.objects.create(payer_key="sponsor:1", kind="applied", amount=0)
        OldAllocation.objects.create(invoice=inv, payment=pay, credit=credit, amount=30_000, applied_on=D(2023, 10, 5))
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    inv = Invoice.objects.get(number="INV-OLD")
    (line,) = InvoiceLine.objects.filter(invoice=inv)
    assert (line.amount, line.paid_amount, inv.line_count) == (30_000, 26_000, 1)
    assert inv.paid_amount == 30_000 and PayerCredit.objects.get(kind="overpayment", invoice=inv).amount == 1_000
    alloc = Allocation.objects.get(invoice=inv)
    assert alloc.payment_id is not None and alloc.credit_id is None
