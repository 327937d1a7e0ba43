"""A sponsored membership after its agreement (PKS) ends without a renewal: grace, then ended by
the sponsor once the BPU arrears window has passed; a renewal brings the worker back to active."""

import datetime as dt

import pytest

from lindung.contributions import billing, payments
from lindung.contributions import services as contribution_services
from lindung.contributions.coverage import coverage_on
from lindung.contributions.models import Invoice
from lindung.contributions.statuses import refresh_statuses
from lindung.core.models import AuditEvent
from lindung.membership import services
from lindung.membership.models import Participant, SponsorshipPeriod, StatusChange

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def ended_pks(make_agreement, make_workers):
    """Dumai-like PKS 2023-10-01..2024-09-30, billed quarterly and paid for the whole period."""
    agreement = make_agreement(end=D(2024, 9, 30))
    workers = make_workers(3, agreement=agreement)
    for month in (D(2023, 10, 1), D(2024, 1, 1), D(2024, 4, 1), D(2024, 7, 1)):
        billing.run_billing(period=month, today=month)
    for n, invoice in enumerate(Invoice.objects.filter(agreement=agreement).order_by("period_start")):
        payments.record_payment(amount=invoice.total, paid_on=invoice.due_date, reference=invoice.number, bank_reference=f"PKS-{n}")
    assert not Invoice.objects.exclude(status="paid").exists()
    return agreement, workers


@pytest.fixture
def running_pks(make_agreement, make_workers):
    """Another sponsor's agreement still running in November 2024 (its months paid)."""
    agreement = make_agreement(sponsor="riau", number="PKS-RIAU-2024", start=D(2024, 1, 1), end=D(2025, 12, 31), billing="monthly")
    workers = make_workers(2, agreement=agreement, start=D(2024, 1, 1))
    for m in range(1, 12):
        billing.run_billing(period=D(2024, m, 1), sponsor=agreement.sponsor, today=D(2024, m, 1))
    for invoice in Invoice.objects.filter(agreement=agreement):
        payments.record_payment(amount=invoice.total, paid_on=invoice.due_date, reference=invoice.number, bank_reference=f"RIAU-{invoice.pk}")
    return agreement, workers


def _status(worker):
    worker.refresh_from_db()
    return worker.status


def test_coverage_after_the_agreement_end_is_not_covered_and_names_the_end(ended_pks):
    agreement, workers = ended_pks
    assert coverage_on(workers[0], D(2024, 9, 20)).status == "covered"
    result = coverage_on(workers[0], D(2024, 11, 15))
    assert result.status == "not_covered"
    assert result.reason.code == "agreement_ended"
    assert agreement.number in result.reason.text_en and "2024-09-30" in result.reason.text_en
    assert agreement.number in result.reason.text_id and "30-09-2024" in result.reason.text_id
    assert result.paid_through == D(2024, 9, 30)


def test_daily_job_puts_workers_in_grace_after_the_agreement_end(ended_pks):
    _agreement, workers = ended_pks
    assert refresh_statuses(on=D(2024, 9, 30))["agreement_ended_to_grace"] == 0
    assert _status(workers[0]) == "active"
    moved = refresh_statuses(on=D(2024, 11, 15))
    assert moved["agreement_ended_to_grace"] == 3
    assert all(_status(w) == "grace" for w in workers)
    change = StatusChange.objects.get(participant=workers[0], to_status="grace")
    assert change.reason == "agreement_ended" and change.effective_date == D(2024, 10, 1)
    # Grace is a status, not cover: the ledger still answers for the paid months.
    assert coverage_on(workers[0], D(2024, 9, 20)).status == "covered"
    assert SponsorshipPeriod.objects.filter(participant=workers[0], end_date__isnull=True).count() == 1


def test_membership_ends_by_sponsor_once_the_arrears_window_has_passed(ended_pks):
    agreement, workers = ended_pks
    refresh_statuses(on=D(2024, 11, 15))
    # The window is arrears_months (3) after the agreement end: 2024-12-30 is its last day.
    assert refresh_statuses(on=D(2024, 12, 30))["agreement_ended_to_ended"] == 0
    moved = refresh_statuses(on=D(2024, 12, 31))
    assert moved["agreement_ended_to_ended"] == 3
    for worker in workers:
        worker.refresh_from_db()
        assert worker.status == "ended" and worker.exit_reason == "ended_by_sponsor" and worker.end_date == D(2024, 9, 30)
        period = SponsorshipPeriod.objects.get(participant=worker, agreement=agreement)
        assert period.end_date == D(2024, 9, 30) and period.end_reason == "ended_by_sponsor"
        history = list(
            StatusChange.objects.filter(participant=worker).order_by("pk").values_list("from_status", "to_status", "reason", "effective_date")
        )
        assert history == [
            ("active", "grace", "agreement_ended", D(2024, 10, 1)),
            ("grace", "ended", "ended_by_sponsor", D(2024, 9, 30)),
        ]
    assert AuditEvent.objects.filter(action="participant.bulk_ended").exists()
    result = coverage_on(workers[0], D(2024, 11, 15))
    assert result.status == "not_covered" and result.reason.code == "membership_ended"
    assert coverage_on(workers[0], D(2024, 9, 20)).status == "covered"


def test_a_job_run_first_after_the_window_ends_the_membership_with_full_history(ended_pks):
    _agreement, workers = ended_pks
    moved = refresh_statuses(on=D(2025, 2, 1))
    assert moved["agreement_ended_to_ended"] == 3
    history = list(StatusChange.objects.filter(participant=workers[1]).order_by("pk").values_list("to_status", "reason"))
    assert history == [("grace", "agreement_ended"), ("ended", "ended_by_sponsor")]


def test_a_renewal_during_grace_brings_the_worker_back_to_active_with_the_same_kpj(ended_pks, make_agreement, users):
    _agreement, workers = ended_pks
    refresh_statuses(on=D(2024, 11, 15))
    renewal = make_agreement(number="PKS-DUMAI-2024", start=D(2024, 10, 1), end=D(2025, 9, 30))
    kpj = workers[0].kpj_number
    services.sponsorship_move(actor=users["admin"], participant=workers[0], to_agreement=renewal, effective_date=D(2024, 10, 1))
    workers[0].refresh_from_db()
    assert workers[0].status == "active" and workers[0].kpj_number == kpj and workers[0].agreement_id == renewal.pk
    change = StatusChange.objects.filter(participant=workers[0]).latest("pk")
    assert (change.from_status, change.to_status, change.reason) == ("grace", "active", "sponsorship_renewed")
    # The renewed worker stays active through the job and past the old window; the others end.
    moved = refresh_statuses(on=D(2025, 1, 5))
    assert moved["agreement_ended_to_ended"] == 2
    assert _status(workers[0]) == "active" and _status(workers[1]) == "ended"
    # Not covered until the renewal's months are billed and paid: the ledger decides.
    billing.run_billing(period=D(2024, 10, 1), today=D(2024, 11, 20))
    assert coverage_on(workers[0], D(2024, 11, 15)).status != "covered"
    invoice = Invoice.objects.get(agreement=renewal, period_start=D(2024, 10, 1))
    payments.record_payment(amount=invoice.total, paid_on=D(2024, 11, 25), reference=invoice.number, bank_reference="RENEW-1")
    assert coverage_on(workers[0], D(2024, 11, 15)).status == "covered"


def test_a_worker_moved_before_the_end_is_untouched(ended_pks, make_agreement, users):
    _agreement, workers = ended_pks
    renewal = make_agreement(number="PKS-DUMAI-2024", start=D(2024, 10, 1), end=D(2025, 9, 30))
    services.sponsorship_move(actor=users["admin"], participant=workers[2], to_agreement=renewal, effective_date=D(2024, 10, 1))
    refresh_statuses(on=D(2024, 10, 2))
    assert _status(workers[2]) == "active"
    assert not StatusChange.objects.filter(participant=workers[2]).exists()


def test_running_agreement_untouched_and_the_job_is_idempotent(ended_pks, running_pks):
    _agreement, workers = ended_pks
    _running, others = running_pks
    first = refresh_statuses(on=D(2024, 11, 15))
    assert first["agreement_ended_to_grace"] == 3
    changes = StatusChange.objects.count()
    again = refresh_statuses(on=D(2024, 11, 15))
    assert all(v == 0 for v in again.values()), again
    assert StatusChange.objects.count() == changes
    assert all(_status(o) == "active" for o in others)
    assert not StatusChange.objects.filter(participant__in=others).exists()
    refresh_statuses(on=D(2025, 1, 1))
    changes = StatusChange.objects.count()
    again = refresh_statuses(on=D(2025, 1, 1))
    assert all(v == 0 for v in again.values()), again
    assert StatusChange.objects.count() == changes
    assert all(_status(w) == "ended" for w in workers) and all(_status(o) == "active" for o in others)
    assert Participant.objects.filter(status="ended", exit_reason="ended_by_sponsor").count() == 3


def test_settling_old_arrears_after_the_end_does_not_make_the_worker_active_again(make_agreement, make_workers, users):
    agreement = make_agreement(end=D(2024, 9, 30))
    workers = make_workers(2, agreement=agreement)
    for month in (D(2023, 10, 1), D(2024, 1, 1), D(2024, 4, 1), D(2024, 7, 1)):
        billing.run_billing(period=month, today=month)
    invoices = list(Invoice.objects.order_by("period_start"))
    for invoice in invoices[:3]:
        payments.record_payment(amount=invoice.total, paid_on=invoice.due_date, reference=invoice.number, bank_reference=f"P-{invoice.pk}")
    refresh_statuses(on=D(2024, 10, 20))
    assert _status(workers[0]) == "grace"
    contribution_services.settle_arrears(
        invoice=invoices[3],
        amount=invoices[3].total,
        paid_on=D(2024, 10, 25),
        reason="APBD-P disbursed late",
        document_reference="SP2D 900/77/2024",
        actor=users["branch_head"],
        today=D(2024, 10, 26),
    )
    assert _status(workers[0]) == "grace"
    assert coverage_on(workers[0], D(2024, 9, 20)).status == "covered"
    refresh_statuses(on=D(2025, 1, 1))
    workers[0].refresh_from_db()
    assert workers[0].status == "ended" and workers[0].exit_reason == "ended_by_sponsor" and workers[0].end_date == D(2024, 9, 30)
