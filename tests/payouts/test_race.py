"""Two people authorising the same batch at the same moment on PostgreSQL: exactly one wins."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from lindung.core.workflow import WorkflowError
from lindung.core.workflow.models import Decision
from lindung.payouts import services
from lindung.payouts.models import PaymentBatch

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs two real connections holding row locks (SELECT … FOR UPDATE); the SQLite test database is in memory",
)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_authorisers_at_the_same_moment_exactly_one_wins(covered_workers, ready_claim, users, make_user):
    (worker,) = covered_workers(1)
    batch = services.create_batch(services.create_orders_for_claim(ready_claim(worker), actor=users["finance"]), actor=users["finance"])
    authorisers = [make_user("finance", "keuangan-2"), make_user("finance", "keuangan-3")]
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def act(user):
        from django.db import connection as conn

        try:
            seen = PaymentBatch.objects.get(pk=batch.pk)  # both see the batch as a draft
            barrier.wait(5)
            services.authorise_batch(seen, actor=user)
            results[user.username] = "won"
        except WorkflowError as exc:
            results[user.username] = exc
        finally:
            conn.close()

    threads = [threading.Thread(target=act, args=(u,)) for u in authorisers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    outcomes = sorted(results.values(), key=lambda v: v != "won")
    assert len(outcomes) == 2 and outcomes[0] == "won"
    assert isinstance(outcomes[1], WorkflowError) and outcomes[1].code == "stale_state"
    assert Decision.objects.filter(workflow="payouts.batch", object_id=str(batch.pk), transition="authorise").count() == 1
    assert PaymentBatch.objects.get(pk=batch.pk).status == PaymentBatch.Status.AUTHORISED
