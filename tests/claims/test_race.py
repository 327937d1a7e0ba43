"""Two branch heads approving the same claim at the same moment on PostgreSQL: exactly one wins."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from lindung.claims.models import Claim, ClaimStatus
from lindung.claims.workflow import CLAIM
from lindung.core.models import AuditEvent
from lindung.core.workflow import WorkflowError
from lindung.core.workflow.models import Decision

from .test_flow import _ready_jkm

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs two real connections holding row locks (SELECT … FOR UPDATE); the SQLite test database is in memory",
)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_the_same_moment_exactly_one_wins(covered, users, make_user):
    claim = _ready_jkm(covered, users)
    CLAIM.perform(claim, "submit", actor=users["officer"])
    claim.documents.update(check_result="accepted", checked_by=users["verifier"])
    CLAIM.perform(claim, "verify", actor=users["verifier"])
    heads = [users["branch_head"], make_user("branch_head", "kepala-2")]
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def act(user):
        from django.db import connection as conn

        try:
            seen = Claim.objects.get(pk=claim.pk)  # both see the claim verified
            barrier.wait(5)
            CLAIM.perform(seen, "approve", actor=user, note="approved")
            results[user.username] = "won"
        except WorkflowError as exc:
            results[user.username] = exc
        finally:
            conn.close()

    threads = [threading.Thread(target=act, args=(u,)) for u in heads]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    outcomes = sorted(results.values(), key=lambda v: v != "won")
    assert len(outcomes) == 2 and outcomes[0] == "won"
    assert isinstance(outcomes[1], WorkflowError) and outcomes[1].code == "stale_state"
    assert Decision.objects.filter(object_id=str(claim.pk), transition="approve").count() == 1
    assert AuditEvent.objects.filter(action="claims.claim.approve", object_id=str(claim.pk)).count() == 1
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.APPROVED
