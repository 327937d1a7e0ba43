import datetime as dt

import pytest

from lindung.contributions import billing, payments, selectors
from lindung.contributions.coverage import coverage_on
from lindung.contributions.models import Invoice, InvoiceLine
from lindung.core.errors import ServiceError
from lindung.core.models import AuditEvent
from lindung.membership.models import Participant

D = dt.date
pytestmark = pytest.mark.django_db


def test_dumai_quarter_is_252_million(make_agreement, make_workers):
    agreement = make_agreement()
    make_workers(5000, agreement=agreement)
    summary = billing.run_billing(period=D(2023, 10, 1), today=D(2023, 10, 1))
    assert summary.as_dict() == {"invoices": 1, "lines": 30000, "total": 252_000_000, "created": 1}
    invoice = Invoice.objects.get()
    assert (invoice.period_start, invoice.period_end, invoice.due_date) == (D(2023, 10, 1), D(2023, 12, 1), D(2023, 10, 15))
    assert invoice.total == 5000 * 16_800 * 3
    assert InvoiceLine.objects.filter(program="JKK").count() == 15000
    assert set(InvoiceLine.objects.values_list("amount", flat=True)) == {10_000, 6_800}
    # Billing any month of the quarter again creates nothing.
    again = billing.run_billing(period=D(2023, 11, 1), today=D(2023, 11, 1))
    assert again.as_dict() == {"invoices": 1, "lines": 30000, "total": 252_000_000, "created": 0}
    assert Invoice.objects.count() == 1
    assert AuditEvent.objects.filter(action="contributions.billing_run").count() == 2


def test_monthly_agreement_and_join_mid_month(make_agreement, make_workers):
    agreement = make_agreement(number="PKS-M", billing="monthly")
    make_workers(3, agreement=agreement)
    make_workers(2, agreement=agreement, start=D(2023, 10, 20))
    s = billing.run_billing(period=D(2023, 10, 1), today=D(2023, 10, 1))
    assert s.as_dict() == {"invoices": 1, "lines": 10, "total": 5 * 16_800, "created": 1}


def test_correction_run_adds_adjustment_lines_without_editing_the_issued_invoice(make_agreement, make_workers):
    agreement = make_agreement()
    workers = make_workers(10, agreement=agreement)
    billing.run_billing(period=D(2023, 10, 1), today=D(2023, 10, 1))
    issued = Invoice.objects.get()
    # A new joiner from November and a worker who left at the end of October.
    make_workers(1, agreement=agreement, start=D(2023, 11, 1))
    leaver = workers[0]
    leaver.end_date = D(2023, 10, 31)
    leaver.status = "ended"
    leaver.exit_reason = "moved"
    leaver.save()
    leaver.sponsorships.update(end_date=D(2023, 10, 31))
    assert billing.run_billing(period=D(2023, 10, 1), today=D(2023, 11, 2)).created == 0  # a plain rerun changes nothing
    s = billing.run_billing(period=D(2023, 10, 1), correction=True, today=D(2023, 11, 2))
    assert s.created == 2
    issued.refresh_from_db()
    assert issued.total == 10 * 3 * 16_800
    adjustment = Invoice.objects.get(kind="adjustment")
    credit_note = Invoice.objects.get(kind="credit_note")
    assert adjustment.total == 2 * 16_800 and credit_note.total == -2 * 16_800
    assert selectors.credit_balance(issued.payer_key) == 0  # the credit went straight to the open invoice
    assert billing.run_billing(period=D(2023, 10, 1), correction=True, today=D(2023, 11, 3)).created == 0


def test_self_paying_and_prepayment(make_workers):
    (worker,) = make_workers(1, start=D(2024, 1, 1))
    invoice = billing.prepay(participant=worker, first_month=D(2024, 1, 1), months=3, today=D(2024, 1, 2))
    assert invoice.total == 3 * 16_800
    s = billing.run_billing(period=D(2024, 2, 1), today=D(2024, 2, 1))
    assert s.created == 0  # February is prepaid
    s = billing.run_billing(period=D(2024, 4, 1), today=D(2024, 4, 1))
    assert s.created == 1
    april = Invoice.objects.get(period_start=D(2024, 4, 1))
    assert april.total == 16_800 and april.due_date == D(2024, 4, 15) and april.virtual_account.startswith("88023")


def test_self_paying_cancelled_months_count_as_not_billed(make_workers):
    """A cancelled self-paying invoice (or prepayment) nets its months out: the next run bills them
    again on a new sequence number, a prepayment may cover them, and a rerun bills nothing twice."""
    (worker,) = make_workers(1, start=D(2024, 1, 1))
    billing.run_billing(period=D(2024, 1, 1), today=D(2024, 1, 1))
    january = Invoice.objects.get(period_start=D(2024, 1, 1), kind="regular")
    billing.cancel_invoice(invoice=january, reason="Wrong declared income", today=D(2024, 1, 3))
    s = billing.run_billing(period=D(2024, 1, 1), today=D(2024, 1, 4))
    assert s.created == 1
    again = Invoice.objects.get(period_start=D(2024, 1, 1), kind="regular", status="issued")
    assert again.sequence == 3 and again.number.endswith("-3") and again.total == 16_800  # 1 cancelled, 2 its note
    assert billing.run_billing(period=D(2024, 1, 1), today=D(2024, 1, 5)).created == 0
    with pytest.raises(ServiceError) as exc:
        billing.prepay(participant=worker, first_month=D(2024, 1, 1), months=3, today=D(2024, 1, 5))
    assert exc.value.code == "already_billed"  # January is billed again
    prepaid = billing.prepay(participant=worker, first_month=D(2024, 2, 1), months=3, today=D(2024, 1, 5))
    billing.cancel_invoice(invoice=prepaid, reason="Paid in cash at the branch instead", today=D(2024, 1, 6))
    redo = billing.prepay(participant=worker, first_month=D(2024, 2, 1), months=3, today=D(2024, 1, 7))
    assert redo.total == 3 * 16_800 and redo.sequence == 3


def test_employer_invoice_uses_wage_report_and_risk_class(employer, make_workers):
    from lindung.membership.models import WageReport

    workers = make_workers(2, segment="PU", wage=5_000_000, employer=employer, start=D(2024, 1, 1))
    WageReport.objects.create(employer=employer, participant=workers[0], period=D(2024, 3, 1), wage=6_000_000)
    s = billing.run_billing(period=D(2024, 3, 1), employer=employer, today=D(2024, 4, 1))
    invoice = Invoice.objects.get()
    # low risk 0.54% + JKM 0.30% = 0.84% of wage
    assert invoice.total == 5_000_000 * 84 // 10000 + 6_000_000 * 84 // 10000
    assert invoice.due_date == D(2024, 4, 15) and s.created == 1


def test_partial_payment_covers_whole_participant_months_oldest_first(make_agreement, make_workers):
    agreement = make_agreement()
    workers = make_workers(3, agreement=agreement)
    billing.run_billing(period=D(2023, 10, 1), today=D(2023, 10, 1))
    invoice = Invoice.objects.get()
    # Enough for the three workers' October plus half of one November month.
    payments.record_payment(amount=3 * 16_800 + 8_000, paid_on=D(2023, 10, 10), reference=invoice.number, bank_reference="B1")
    invoice.refresh_from_db()
    assert invoice.status == "partly_paid" and invoice.paid_amount == 3 * 16_800 + 8_000
    assert [coverage_on(w, D(2023, 10, 20)).status for w in workers] == ["covered"] * 3
    assert coverage_on(workers[0], D(2023, 11, 5)).status == "grace"
    payments.record_payment(amount=8_800, paid_on=D(2023, 10, 11), reference=f"VA {invoice.virtual_account}", bank_reference="B2")
    assert coverage_on(workers[0], D(2023, 11, 5)).status == "covered"
    assert coverage_on(workers[1], D(2023, 11, 5)).status == "grace"


def test_overpayment_becomes_credit_for_the_next_invoice(make_agreement, make_workers):
    agreement = make_agreement(billing="monthly", number="PKS-M")
    make_workers(2, agreement=agreement)
    billing.run_billing(period=D(2023, 10, 1), today=D(2023, 10, 1))
    oct_inv = Invoice.objects.get()
    payments.record_payment(amount=50_000, paid_on=D(2023, 10, 5), reference=oct_inv.number, bank_reference="OVER")
    assert selectors.credit_balance(oct_inv.payer_key) == 50_000 - 33_600
    billing.run_billing(period=D(2023, 11, 1), today=D(2023, 11, 1))
    nov = Invoice.objects.get(period_start=D(2023, 11, 1))
    assert nov.paid_amount == 16_400 and nov.status == "partly_paid"
    assert selectors.credit_balance(oct_inv.payer_key) == 0


def test_construction_project_billed_once_on_contract_value_and_covers_its_workers(employer, branch, make_workers):
    from lindung.membership.models import Project

    project = Project.objects.create(
        contractor=employer,
        number="PRJ-1",
        name="Jalan Sudirman",
        contract_value=1_000_000_000,
        start_date=D(2024, 2, 10),
        end_date=D(2024, 8, 31),
        branch=branch,
    )
    worker = make_workers(2, segment="JAKON", start=D(2024, 2, 10), project=project)[0]
    s = billing.run_billing(period=D(2024, 2, 1), today=D(2024, 2, 10))
    assert s.created == 1
    invoice = Invoice.objects.get(project=project)
    assert invoice.total == 1_750_000 and invoice.lines.filter(participant__isnull=True).count() == 2
    assert billing.run_billing(period=D(2024, 3, 1), today=D(2024, 3, 1)).created == 0
    assert coverage_on(worker, D(2024, 3, 1)).status == "grace"
    payments.record_payment(amount=invoice.total, paid_on=D(2024, 2, 20), reference=invoice.virtual_account, bank_reference="JK1")
    assert coverage_on(worker, D(2024, 6, 1)).status == "covered"
    assert coverage_on(worker, D(2024, 9, 1)).status == "not_covered"
    from lindung.accounts.models import User
    from lindung.contributions import selectors

    (row,) = selectors.reconciliation(user=User.objects.create_superuser("recon", password="x"), start=D(2024, 1, 1), end=D(2024, 12, 31))
    assert (row["payer_type"], row["payer"], row["paid"]) == ("project", "PRJ-1", 1_750_000)  # the project, not its contractor


def test_employer_correction_run_bills_wage_changes_joiners_and_leavers(employer, make_workers):
    from lindung.contributions.models import InvoiceLine
    from lindung.membership.models import WageReport

    workers = make_workers(2, segment="PU", wage=5_000_000, employer=employer, start=D(2024, 1, 1))
    billing.run_billing(period=D(2024, 3, 1), employer=employer, today=D(2024, 3, 20))
    issued = Invoice.objects.get()
    assert issued.total == 2 * 42_000  # 0.84% of 5,000,000
    # A late wage report raises one wage, a worker joins in March, the other left in February.
    WageReport.objects.create(employer=employer, participant=workers[0], period=D(2024, 3, 1), wage=6_000_000)
    (joiner,) = make_workers(1, segment="PU", wage=5_000_000, employer=employer, start=D(2024, 3, 10))
    Participant.objects.filter(pk=workers[1].pk).update(end_date=D(2024, 2, 29))
    assert billing.run_billing(period=D(2024, 3, 1), employer=employer, today=D(2024, 3, 25)).created == 0  # plain rerun: nothing new
    s = billing.run_billing(period=D(2024, 3, 1), employer=employer, correction=True, today=D(2024, 3, 25))
    assert s.created == 2
    adjustment = Invoice.objects.get(kind="adjustment")
    credit_note = Invoice.objects.get(kind="credit_note")
    assert adjustment.total == 50_400 - 42_000 + 42_000  # wage increase + the joiner
    assert credit_note.total == -42_000  # the leaver
    assert set(InvoiceLine.objects.filter(invoice=adjustment).values_list("participant_id", flat=True)) == {workers[0].pk, joiner.pk}
    issued.refresh_from_db()
    assert issued.total == 2 * 42_000 and issued.line_count == 4  # the issued invoice is never edited
    assert issued.paid_amount == 42_000  # the credit note's credit went to the open invoice
    assert billing.run_billing(period=D(2024, 3, 1), employer=employer, correction=True, today=D(2024, 3, 26)).created == 0


def test_a_clashing_concurrent_run_is_refused_whole(make_agreement, make_workers):
    from lindung.contributions.models import BillingRun
    from lindung.core.errors import ServiceError

    agreement = make_agreement()
    make_workers(2, agreement=agreement)
    make_workers(1)  # a self-paying worker, billed in the same run
    # What a run committed a moment earlier would have written under the same invoice number.
    Invoice.objects.create(
        number=billing.invoice_number(D(2023, 10, 1), "sponsor", agreement.pk),
        payer_type="sponsor",
        payer_key="other:1",
        segment="BPU",
        period_start=D(2023, 10, 1),
        period_end=D(2023, 10, 1),
        issue_date=D(2023, 10, 1),
        due_date=D(2023, 10, 15),
    )
    with pytest.raises(ServiceError) as exc:
        billing.run_billing(period=D(2023, 10, 1), today=D(2023, 10, 1))
    assert exc.value.code == "billing_conflict" and exc.value.status == 409
    assert Invoice.objects.count() == 1 and InvoiceLine.objects.count() == 0 and BillingRun.objects.count() == 0


def test_cancelled_invoice_is_netted_out_and_a_correction_bills_again(make_agreement, make_workers, employer):
    from lindung.contributions.statuses import refresh_statuses
    from lindung.core.errors import ServiceError

    agreement = make_agreement(billing="monthly")
    workers = make_workers(2, agreement=agreement)
    billing.run_billing(period=D(2023, 10, 1), today=D(2023, 10, 1))
    invoice = Invoice.objects.get()
    with pytest.raises(ServiceError):
        billing.cancel_invoice(invoice=invoice, reason=" ")
    note = billing.cancel_invoice(invoice=invoice, reason="Issued to the wrong agreement", today=D(2023, 10, 3))
    invoice.refresh_from_db()
    assert invoice.status == "cancelled" and invoice.outstanding == 0 and invoice.total == 2 * 16_800  # the invoice itself is not edited
    assert note.kind == "credit_note" and note.total == -2 * 16_800
    assert AuditEvent.objects.filter(action="contributions.cancel_invoice").count() == 1
    with pytest.raises(ServiceError):
        billing.cancel_invoice(invoice=invoice, reason="again")
    # Nothing is billed for October now: no grace, no credit for the payer.
    assert refresh_statuses(on=D(2023, 11, 1))["active_to_grace"] == 0
    assert selectors.credit_balance(invoice.payer_key) == 0
    # Money sent to the cancelled invoice becomes the payer's credit, with no fine.
    payments.record_payment(amount=1_000, paid_on=D(2023, 10, 5), reference=invoice.number, bank_reference="TO-CANCELLED")
    assert selectors.credit_balance(invoice.payer_key) == 1_000
    s = billing.run_billing(period=D(2023, 10, 1), correction=True, today=D(2023, 10, 6))
    again = Invoice.objects.get(kind="adjustment")
    assert s.created == 1 and again.total == 2 * 16_800 and again.paid_amount == 1_000  # the credit carried
    payments.record_payment(amount=again.outstanding, paid_on=D(2023, 10, 10), invoice=again, bank_reference="REBILLED")
    assert coverage_on(workers[0], D(2023, 10, 20)).status == "covered"
    paid = payments.record_payment(amount=100, paid_on=D(2023, 10, 11), invoice=again, bank_reference="EXTRA")
    with pytest.raises(ServiceError):
        billing.cancel_invoice(invoice=again, reason="paid already")
    assert paid.status == "matched"


def test_sponsored_and_self_paying_workers_at_the_same_wage_are_billed_in_one_run(make_agreement, make_workers):
    """Both segments price the BPU combination at Rp 1,000,000 in the same run: it was priced twice,
    the self-paying insert joined both prices and hit the one-line-per-month constraint, and the
    whole run was refused as if another run had clashed with it."""
    agreement = make_agreement(billing="monthly")
    make_workers(2, agreement=agreement)
    self_paying = make_workers(2)
    s = billing.run_billing(period=D(2023, 10, 1), today=D(2023, 10, 1))
    assert s.created == 3
    for worker in self_paying:
        invoice = Invoice.objects.get(participant=worker)
        assert invoice.total == 16_800 and invoice.line_count == 2
    assert Invoice.objects.get(payer_type="sponsor").total == 2 * 16_800
