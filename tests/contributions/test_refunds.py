"""A refund after a death is made exactly once, whatever arrives at the same time (issue 10, item 1):
the participant row is locked before what was already refunded is read, and the database holds one
refunded month per payer and participant."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from lindung.contributions import billing, payments, services
from lindung.contributions.models import Invoice, Refund, RefundMonth
from lindung.core.models import AuditEvent
from lindung.membership.status import change_status

D = dt.date

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs real concurrent connections waiting on a row lock (SELECT … FOR UPDATE); the SQLite test database is in "
    "memory (one shared cache), where IMMEDIATE transactions serialise writers but threads cannot wait on each other's lock",
)


def _dead_paid_worker(make_agreement, make_workers):
    """A sponsored worker whose quarter was paid in full and who died in its first month: two months
    (November and December, 2 × 16,800) are owed back to the sponsor."""
    agreement = make_agreement()
    workers = make_workers(3, agreement=agreement)
    billing.run_billing(period=D(2023, 10, 1), today=D(2023, 10, 1))
    q4 = Invoice.objects.get(period_start=D(2023, 10, 1))
    payments.record_payment(amount=q4.total, paid_on=D(2023, 10, 12), invoice=q4, bank_reference="Q4")
    change_status(workers[1], to="ended", effective_date=D(2023, 10, 20), reason="death")
    return workers[1], q4


@pytest.mark.django_db
def test_a_second_refund_request_finds_the_months_refunded(make_agreement, make_workers):
    worker, q4 = _dead_paid_worker(make_agreement, make_workers)
    refund = services.refund_after_death(participant=worker)
    assert refund.amount == 2 * 16_800 and refund.months == ["2023-11-01", "2023-12-01"]
    assert sorted(RefundMonth.objects.values_list("period", "amount", "payer_key")) == [
        (D(2023, 11, 1), 16_800, q4.payer_key),
        (D(2023, 12, 1), 16_800, q4.payer_key),
    ]
    assert services.refund_after_death(participant=worker) is None
    assert Refund.objects.count() == 1 and AuditEvent.objects.filter(action="contributions.refund_after_death").count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_month_refunded_twice_to_the_same_payer(make_agreement, make_workers):
    worker, q4 = _dead_paid_worker(make_agreement, make_workers)
    refund = services.refund_after_death(participant=worker)
    with pytest.raises(IntegrityError), transaction.atomic():
        RefundMonth.objects.create(refund=refund, participant=worker, payer_key=q4.payer_key, period=D(2023, 11, 1), amount=16_800)


@pytest.mark.django_db
def test_a_request_that_slipped_past_the_lock_is_refused_not_paid(make_agreement, make_workers, monkeypatch):
    """Another request refunded the months between this one's read and its write (what the lock
    prevents): the constraint stops it, with a 409, and nothing of it is written."""
    worker, _q4 = _dead_paid_worker(make_agreement, make_workers)
    first = services.refund_after_death(participant=worker)
    # This request did not see the first one's months.
    real_filter = RefundMonth.objects.filter
    monkeypatch.setattr(RefundMonth.objects, "filter", lambda *a, **k: real_filter(pk=-1))
    with pytest.raises(services.ServiceError) as exc:
        services.refund_after_death(participant=worker)
    assert exc.value.code == "already_refunded" and exc.value.status == 409
    assert list(Refund.objects.all()) == [first]


@pytest.mark.django_db
def test_three_web_posts_make_one_refund(make_agreement, make_workers, users, client):
    worker, _q4 = _dead_paid_worker(make_agreement, make_workers)
    client.force_login(users["finance"])
    for _ in range(3):
        assert client.post(f"/contributions/participants/{worker.kpj_number}/", {"action": "refund"}).status_code == 302
    assert Refund.objects.count() == 1 and Refund.objects.get().amount == 2 * 16_800


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_four_concurrent_api_refunds_make_exactly_one(make_agreement, make_workers, users, api_client):
    worker, _q4 = _dead_paid_worker(make_agreement, make_workers)
    finance = api_client(users["finance"])
    url = f"/api/v1/contributions/participants/{worker.kpj_number}/refund-after-death"
    barrier = threading.Barrier(4)
    answers: list[tuple[int, dict]] = []

    def post():
        from django.db import connection as conn

        try:
            barrier.wait(10)
            r = finance.post(url, {}, content_type="application/json")
            answers.append((r.status_code, r.json()))
        finally:
            conn.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    codes = sorted(code for code, _ in answers)
    assert codes == [200, 200, 200, 201], answers
    assert next(a for c, a in answers if c == 201)["amount"] == 2 * 16_800
    assert Refund.objects.count() == 1 and RefundMonth.objects.count() == 2
    assert sum(Refund.objects.values_list("amount", flat=True)) == 2 * 16_800


@pytest.mark.django_db(transaction=True)
def test_migration_keeps_the_first_of_duplicated_refunds_and_marks_the_rest(make_agreement, make_workers):
    worker, q4 = _dead_paid_worker(make_agreement, make_workers)
    executor = MigrationExecutor(connection)
    executor.migrate([("contributions", "0005_billingprice_snapshot")])
    try:
        old = executor.loader.project_state([("contributions", "0005_billingprice_snapshot")]).apps.get_model("contributions", "Refund")
        months = ["2023-11-01", "2023-12-01"]
        for _ in range(3):  # what the race left behind
            old.objects.create(payer_key=q4.payer_key, participant_id=worker.pk, amount=2 * 16_800, months=months)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    refunds = list(Refund.objects.order_by("id"))
    assert [r.status for r in refunds] == ["due", "duplicate", "duplicate"]
    assert list(refunds[0].refunded_months.values_list("period", "amount")) == [(D(2023, 11, 1), 16_800), (D(2023, 12, 1), 16_800)]
    assert services.refund_after_death(participant=worker) is None
