import datetime as dt

import pytest

from lindung.contributions import bank_statements, billing, payments, services
from lindung.contributions.coverage import coverage_on, paid_through
from lindung.contributions.models import Allocation, ArrearsSettlement, ContributionPayment, Invoice, Refund
from lindung.contributions.statuses import refresh_statuses
from lindung.core.errors import FileRejected, ServiceError
from lindung.core.models import AuditEvent
from lindung.membership.models import StatusChange

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def dumai(make_agreement, make_workers):
    agreement = make_agreement()
    workers = make_workers(4, agreement=agreement)
    billing.run_billing(period=D(2023, 10, 1), today=D(2023, 10, 1))
    billing.run_billing(period=D(2024, 1, 1), today=D(2024, 1, 1))
    q4 = Invoice.objects.get(period_start=D(2023, 10, 1))
    q1 = Invoice.objects.get(period_start=D(2024, 1, 1))
    return agreement, workers, q4, q1


def test_cover_is_explained_by_invoice_and_payment(dumai):
    _agreement, workers, q4, _q1 = dumai
    payments.record_payment(amount=q4.total, paid_on=D(2023, 10, 12), reference=f"PEMBAYARAN {q4.number}", bank_reference="BRK-001")
    q4.refresh_from_db()
    assert q4.status == "paid"
    result = coverage_on(workers[0], D(2023, 11, 20), program="JKM")
    assert result.status == "covered" and result.paid_through == D(2023, 12, 31)
    assert result.invoices == [q4.number] and result.payments == ["BRK-001"]
    assert result.reason.code == "paid" and "lunas" in result.reason.text_id
    assert paid_through(workers[0], "JKK") == D(2023, 12, 31)
    # January is billed but unpaid: grace (payable once the arrears are paid), then not covered after 3 months.
    jan = coverage_on(workers[0], D(2024, 1, 20))
    assert jan.status == "grace" and jan.reason.code == "arrears_unpaid" and jan.grace_ends == D(2024, 3, 31)
    assert coverage_on(workers[0], D(2024, 4, 2)).status == "not_covered"
    assert coverage_on(workers[0], D(2023, 9, 30)).reason.code == "before_start"


@pytest.mark.parametrize(
    ("policy", "status", "payable"),
    [("payable_after_arrears_paid", "grace", False), ("covered", "covered", True), ("not_covered", "not_covered", False)],
)
def test_grace_policy_is_configurable(dumai, monkeypatch, tmp_path, policy, status, payable):
    """The treatment of an event in the grace window is the parameter
    ``contribution.bpu.grace_event_policy``: changed in the parameter files, the cover answer follows."""
    import shutil

    from lindung.rules import deadlines
    from lindung.rules.params import BUILTIN_DIR, load_parameters

    _agreement, workers, q4, _q1 = dumai
    payments.record_payment(amount=q4.total, paid_on=D(2023, 10, 12), invoice=q4, bank_reference="Q4")
    target = tmp_path / "parameters"
    shutil.copytree(BUILTIN_DIR, target)
    path = target / "contributions.yaml"
    text = path.read_text()
    default = "2015-07-01: {value: payable_after_arrears_paid,"
    assert default in text
    path.write_text(text.replace(default, f"2015-07-01: {{value: {policy},"))
    changed = load_parameters(base_dir=target)
    assert changed.at(D(2024, 1, 20))["contribution.bpu.grace_event_policy"] == policy
    monkeypatch.setattr(deadlines, "load_parameters", lambda: changed)
    # January 2024 is billed and unpaid: 20 January lies in the grace window after December.
    result = coverage_on(workers[0], D(2024, 1, 20))
    assert (result.status, result.payable) == (status, payable)
    assert coverage_on(workers[0], D(2023, 12, 20)).status == "covered"  # paid months never depend on it


def test_daily_job_moves_to_grace_and_back_after_late_sponsor_settlement(dumai, users):
    _agreement, workers, q4, q1 = dumai
    payments.record_payment(amount=q4.total, paid_on=D(2023, 10, 12), reference=q4.number, bank_reference="Q4")
    assert refresh_statuses(on=D(2024, 1, 10))["active_to_grace"] == 0  # January not yet due
    moved = refresh_statuses(on=D(2024, 1, 20))
    assert moved["active_to_grace"] == 4
    assert StatusChange.objects.filter(to_status="grace").count() == 4
    # Sponsored workers are not lapsed: the budget arrives late and is settled.
    assert refresh_statuses(on=D(2024, 6, 1))["grace_to_ended"] == 0
    settlement = services.settle_arrears(
        invoice=q1,
        amount=q1.total,
        paid_on=D(2024, 5, 30),
        reason="APBD-P disbursed late",
        document_reference="SP2D 900/123/2024",
        actor=users["branch_head"],
        today=D(2024, 6, 1),
    )
    assert settlement.participants_restored == 4
    workers[0].refresh_from_db()
    assert workers[0].status == "active"
    assert coverage_on(workers[0], D(2024, 2, 14)).status == "covered"
    assert AuditEvent.objects.filter(action="contributions.settle_arrears").count() == 1
    with pytest.raises(ServiceError):
        services.settle_arrears(invoice=q1, amount=1, paid_on=D(2024, 6, 1), reason=" ", document_reference="", actor=None)


def test_self_paying_worker_lapses_after_three_unpaid_months(make_workers):
    (worker,) = make_workers(1, start=D(2024, 1, 1))
    for m in (1, 2, 3, 4, 5):
        billing.run_billing(period=D(2024, m, 1), today=D(2024, m, 1))
    jan = Invoice.objects.get(period_start=D(2024, 1, 1))
    payments.record_payment(amount=jan.total, paid_on=D(2024, 1, 5), reference=jan.virtual_account, bank_reference="S1")
    refresh_statuses(on=D(2024, 4, 20))
    worker.refresh_from_db()
    assert worker.status == "grace"
    moved = refresh_statuses(on=D(2024, 5, 2))
    worker.refresh_from_db()
    assert moved["grace_to_ended"] == 1 and worker.status == "ended" and worker.exit_reason == "lapsed"
    assert worker.end_date == D(2024, 4, 30)


def test_bank_statement_all_or_nothing_with_row_errors(dumai):
    _agreement, _workers, q4, q1 = dumai
    bad = (
        "date,amount,reference,bank_reference\n"
        f"2023-10-12,{q4.total},{q4.number},BNK-1\n"
        "2023-13-01,1000,x,BNK-2\n"
        "2023-10-12,12abc,x,BNK-3\n"
        "2023-10-12,1000,x,BNK-1\n"
        "2023-10-12,1000,x,\n"
    ).encode()
    with pytest.raises(FileRejected) as exc:
        bank_statements.import_bank_statement(content=bad, file_name="bad.csv")
    errs = [(e.row, e.field, e.code) for e in exc.value.errors]
    assert errs == [
        (3, "date", "invalid_date"),
        (4, "amount", "invalid_amount"),
        (5, "bank_reference", "duplicate_in_file"),
        (6, "bank_reference", "required"),
    ]
    assert ContributionPayment.objects.count() == 0 and Allocation.objects.count() == 0
    good = (
        f"date;amount;reference;bank_reference\n12/10/2023;{q4.total:,};TRF {q4.number};BNK-1\n".replace(",", ".")
        + "15/01/2024;5000;unknown transfer;BNK-9\n"
    ).encode()
    batch = bank_statements.import_bank_statement(content=good, file_name="ok.csv")
    assert (batch.rows, batch.matched, batch.unmatched) == (2, 1, 1)
    q4.refresh_from_db()
    assert q4.status == "paid"
    # The same bank reference is never applied twice.
    with pytest.raises(FileRejected) as again:
        bank_statements.import_bank_statement(content=good, file_name="ok.csv")
    assert again.value.errors[0].code == "duplicate_bank_reference"
    with pytest.raises(ServiceError) as dup:
        payments.record_payment(amount=1000, paid_on=D(2024, 1, 1), bank_reference="BNK-9")
    assert dup.value.code == "duplicate_bank_reference"
    unmatched = ContributionPayment.objects.get(status="unmatched")
    payments.match_payment(payment=unmatched, invoice=q1)
    q1.refresh_from_db()
    assert q1.paid_amount == 5000 and q1.status == "partly_paid"


def test_pu_late_fine_two_percent_per_month_and_none_for_bpu(employer, make_workers, dumai):
    make_workers(1, segment="PU", wage=5_000_000, employer=employer, start=D(2024, 1, 1))
    billing.run_billing(period=D(2024, 1, 1), employer=employer, today=D(2024, 2, 1))
    inv = Invoice.objects.get(employer=employer)
    assert inv.due_date == D(2024, 2, 15)
    payments.record_payment(amount=inv.total, paid_on=D(2024, 4, 10), invoice=inv, bank_reference="PU-LATE")
    inv.refresh_from_db()
    assert inv.fine_amount == inv.total * 2 * 2 // 100  # two months late
    assert inv.status == "overdue" and inv.outstanding == inv.fine_amount
    payments.record_payment(amount=inv.fine_amount, paid_on=D(2024, 4, 11), invoice=inv, bank_reference="PU-FINE")
    inv.refresh_from_db()
    assert inv.status == "paid"
    _agreement, _workers, q4, _q1 = dumai
    payments.record_payment(amount=q4.total, paid_on=D(2024, 3, 1), invoice=q4, bank_reference="BPU-LATE")
    q4.refresh_from_db()
    assert q4.fine_amount == 0 and q4.status == "paid"


def test_refund_for_months_paid_after_death(dumai):
    _agreement, workers, q4, _q1 = dumai
    payments.record_payment(amount=q4.total, paid_on=D(2023, 10, 12), invoice=q4, bank_reference="Q4")
    from lindung.membership.status import change_status

    change_status(workers[1], to="ended", effective_date=D(2023, 10, 20), reason="death")
    refund = services.refund_after_death(participant=workers[1])
    assert refund.amount == 2 * 16_800 and refund.months == ["2023-11-01", "2023-12-01"] and refund.payer_key == q4.payer_key
    assert services.refund_after_death(participant=workers[1]) is None  # never twice
    assert Refund.objects.count() == 1 and AuditEvent.objects.filter(action="contributions.refund_after_death").count() == 1
    assert coverage_on(workers[1], D(2023, 10, 19)).status == "covered"
    assert coverage_on(workers[1], D(2023, 11, 1)).reason.code == "membership_ended"
    with pytest.raises(ServiceError):
        services.refund_after_death(participant=workers[2])


def test_arrears_settlement_record(dumai, users):
    _agreement, _workers, _q4, q1 = dumai
    s = services.settle_arrears(invoice=q1, amount=1000, paid_on=D(2024, 2, 1), reason="late", document_reference="DOC-1", actor=users["branch_head"])
    assert ArrearsSettlement.objects.get().payment.method == "settlement" and s.invoice == q1


def test_correction_credits_unpaid_months_after_death_but_leaves_paid_ones_to_the_refund(dumai):
    _agreement, workers, q4, q1 = dumai
    payments.record_payment(amount=q4.total, paid_on=D(2023, 10, 12), invoice=q4, bank_reference="Q4")
    from lindung.membership.status import change_status

    change_status(workers[1], to="ended", effective_date=D(2023, 10, 20), reason="death")
    assert billing.run_billing(period=D(2023, 10, 1), correction=True, today=D(2023, 11, 1)).created == 0
    s = billing.run_billing(period=D(2024, 1, 1), correction=True, today=D(2024, 1, 5))
    assert s.created == 1
    note = Invoice.objects.get(kind="credit_note")
    assert note.total == -3 * 16_800
    q1.refresh_from_db()
    assert q1.paid_amount == 3 * 16_800  # the credit went to the open quarter


def test_bank_statement_rejects_future_dates_and_unknown_invoices_or_accounts(dumai):
    _agreement, _workers, q4, _q1 = dumai
    bad = (
        "date,amount,reference,bank_reference\n"
        f"2023-10-12,{q4.total},{q4.number},OK-1\n"
        "2099-01-01,1000,x,F-1\n"
        "2023-10-12,1000,Bayar INV-202310-1999999999-1,U-1\n"
        "2023-10-12,1000,VA 88021999999999,U-2\n"
        "2023-10-12,1000,transfer without a reference,N-1\n"
    ).encode()
    with pytest.raises(FileRejected) as exc:
        bank_statements.import_bank_statement(content=bad, file_name="bad.csv", today=D(2024, 1, 31))
    errs = [(e.row, e.field, e.code) for e in exc.value.errors]
    assert errs == [(3, "date", "future_date"), (4, "reference", "unknown_invoice"), (5, "reference", "unknown_virtual_account")]
    assert ContributionPayment.objects.count() == 0 and Allocation.objects.count() == 0
    # A mistyped invoice number beside the right virtual account is paid by the account, as
    # find_invoice reads it; both wrong is still a row error.
    both = (
        "date,amount,reference,bank_reference\n"
        f"2023-10-12,1000,INV-202310-1999999999-1 VA {q4.virtual_account},B-1\n"
        "2023-10-12,1000,INV-202310-1999999999-1 VA 88021999999999,B-2\n"
    ).encode()
    with pytest.raises(FileRejected) as exc:
        bank_statements.import_bank_statement(content=both, today=D(2024, 1, 31))
    assert [(e.row, e.code) for e in exc.value.errors] == [(3, "unknown_invoice")]
    # The same money by virtual account, and a transfer naming nothing (the unmatched queue).
    ok = f"date,amount,reference,bank_reference\n2023-10-12,{q4.total},VA {q4.virtual_account},OK-1\n2023-10-12,1000,no reference,N-1\n"
    batch = bank_statements.import_bank_statement(content=ok.encode(), today=D(2024, 1, 31))
    assert (batch.matched, batch.unmatched) == (1, 1)
    with pytest.raises(ServiceError) as future:
        payments.record_payment(amount=1000, paid_on=dt.date.today() + dt.timedelta(days=1), bank_reference="F-2")
    assert future.value.fields == {"paid_on": "in the future"}


def test_credit_note_pays_the_cancelled_months_not_the_living_workers_and_the_refund_still_counts(dumai):
    """A death credited on a credit note: its credit settles the dead worker's cancelled months,
    the living are covered only by cash, and the months paid after the death are still refunded."""
    _agreement, workers, q4, q1 = dumai
    payments.record_payment(amount=q4.total, paid_on=D(2023, 10, 12), invoice=q4, bank_reference="Q4")
    from lindung.membership.status import change_status

    change_status(workers[0], to="ended", effective_date=D(2023, 10, 20), reason="death")
    billing.run_billing(period=D(2024, 1, 1), correction=True, today=D(2024, 1, 5))
    q1.refresh_from_db()
    assert q1.paid_amount == 3 * 16_800  # the credit note's credit, applied to the open quarter
    assert [coverage_on(w, D(2024, 1, 20)).status for w in workers[1:]] == ["grace", "grace", "grace"]  # no cash paid for Q1 yet
    refund = services.refund_after_death(participant=workers[0])
    assert refund.amount == 2 * 16_800 and refund.months == ["2023-11-01", "2023-12-01"]  # credited months are not refunded
    payments.record_payment(amount=q1.outstanding, paid_on=D(2024, 1, 10), invoice=q1, bank_reference="Q1")
    assert [coverage_on(w, D(2024, 3, 31)).status for w in workers[1:]] == ["covered", "covered", "covered"]
    q1.refresh_from_db()
    assert q1.status == "paid" and q1.paid_amount == q1.total == 4 * 3 * 16_800


def test_sponsor_statement_credit_as_it_stood_at_the_end_of_the_period(dumai, users):
    from lindung.contributions import selectors

    _agreement, _workers, q4, q1 = dumai
    payments.record_payment(amount=q4.total + 5_000, paid_on=D(2023, 10, 12), invoice=q4, bank_reference="OVER")
    # The overpayment went to the open Q1 invoice at once; then Q1 is paid in 2024 leaving 2,000 over.
    payments.record_payment(amount=q1.total - 5_000 + 2_000, paid_on=D(2024, 1, 10), invoice=q1, bank_reference="Q1")
    admin = users["admin"]

    def credit(start, end):
        return selectors.sponsor_statement(user=admin, code="PEMKO-DUMAI", start=start, end=end)["credit"]

    assert credit(D(2023, 1, 1), D(2023, 9, 30)) == 0
    assert credit(D(2023, 1, 1), D(2023, 12, 31)) == 0  # the 5,000 over was applied to Q1 the same day
    assert credit(D(2024, 1, 1), D(2024, 12, 31)) == 2_000
