"""Participant status on the workflow kernel: every change a decision, the daily job one decision
per batch, the participant's own history rows linked to it."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from lindung.core.models import AuditEvent
from lindung.core.workflow import WorkflowError
from lindung.core.workflow.models import Decision
from lindung.membership.models import Participant, SponsorshipPeriod, StatusChange
from lindung.membership.status import ALLOWED, STATUS, bulk_change_status, change_status
from tests.factories import AgreementFactory, SponsoredParticipantFactory

D = dt.date


@pytest.fixture
def workers(sponsors, branch):
    agreement = AgreementFactory(sponsor=sponsors["dumai"], number="PKS-STATUS", budget=10**9, quota=100)
    return SponsoredParticipantFactory.create_batch(6, agreement=agreement, branch=branch)


def test_the_allowed_moves_are_the_declared_transitions():
    assert {"active": {"grace", "ended"}, "grace": {"active", "ended"}, "ended": {"ended"}} == ALLOWED


def test_one_change_writes_a_decision_the_history_row_linked_to_it_and_the_audit_event(workers, users):
    p = workers[0]
    change_status(p, to="ended", effective_date=D(2024, 5, 31), reason="moved", note="moved to Medan", actor=users["officer"])
    d = Decision.objects.get()
    assert (d.workflow, d.transition, d.from_state, d.to_state, d.reason, d.effective_date, d.actor) == (
        "membership.participant_status",
        "end",
        "active",
        "ended",
        "moved",
        D(2024, 5, 31),
        users["officer"],
    )
    change = StatusChange.objects.get(participant=p)
    assert change.decision == d and change.note == "moved to Medan"
    assert AuditEvent.objects.get(action="participant.ended").changes == {
        "status": ["active", "ended"],
        "end_date": [None, "2024-05-31"],
        "exit_reason": ["", "moved"],
    }
    assert SponsorshipPeriod.objects.get(participant=p).end_date == D(2024, 5, 31)


def test_the_move_starts_from_the_status_in_the_database_not_from_a_stale_instance(workers):
    stale = Participant.objects.get(pk=workers[1].pk)
    bulk_change_status([workers[1].pk], from_status="active", to="grace", effective_date=D(2024, 3, 1), reason="unpaid")
    change_status(stale, to="ended", effective_date=D(2024, 4, 30), reason="moved")
    assert StatusChange.objects.filter(participant=workers[1]).order_by("pk").last().from_status == "grace"
    assert Decision.objects.order_by("pk").last().from_state == "grace"


def test_the_daily_job_writes_one_decision_per_batch_with_a_history_row_per_participant(workers, django_assert_max_num_queries):
    ids = [p.pk for p in workers]
    Participant.objects.filter(pk=ids[0]).update(status="grace")  # not in the from-state: skipped
    with django_assert_max_num_queries(9):
        moved = bulk_change_status(ids, from_status="active", to="grace", effective_date=D(2024, 3, 16), reason="unpaid")
    assert moved == 5
    d = Decision.objects.get()
    assert (d.count, d.object_id, d.transition, d.batch["ids"]) == (5, "", "grace", sorted(ids[1:]))
    assert set(StatusChange.objects.filter(decision=d).values_list("participant_id", flat=True)) == set(ids[1:])
    assert (
        StatusChange.objects.filter(decision=d, from_status="active", to_status="grace", reason="unpaid", effective_date=D(2024, 3, 16)).count() == 5
    )
    assert AuditEvent.objects.get(action="participant.bulk_grace").changes["decision"] == d.pk
    ended = bulk_change_status(ids, from_status="grace", to="ended", effective_date=D(2024, 6, 30), reason="lapsed")
    assert ended == 6 and Decision.objects.count() == 2
    assert set(Participant.objects.values_list("status", "end_date", "exit_reason")) == {("ended", D(2024, 6, 30), "lapsed")}
    assert not SponsorshipPeriod.objects.filter(end_date__isnull=True).exists()
    with pytest.raises(WorkflowError) as exc:
        bulk_change_status(ids, from_status="grace", to="ended", effective_date=D(2024, 6, 30))
    assert exc.value.code == "exit_reason_required"


def test_a_death_before_the_recorded_end_corrects_the_end(workers):
    p = workers[2]
    bulk_change_status([p.pk], from_status="active", to="grace", effective_date=D(2025, 1, 1), reason="agreement_ended")
    bulk_change_status([p.pk], from_status="grace", to="ended", effective_date=D(2024, 12, 31), reason="ended_by_sponsor")
    stale = Participant.objects.get(pk=p.pk)
    stale.status = "active"  # what an instance read before the daily job says
    change_status(stale, to="ended", effective_date=D(2024, 10, 20), reason="death")
    p.refresh_from_db()
    assert (p.status, p.end_date, p.exit_reason) == ("ended", D(2024, 10, 20), "death")
    assert SponsorshipPeriod.objects.get(participant=p).end_date == D(2024, 10, 20)
    assert Decision.objects.order_by("pk").last().transition == "record_death"
    assert stale.status == "ended"  # the caller's instance is brought up to date
    stale.status = "active"
    with pytest.raises(WorkflowError) as exc:
        change_status(stale, to="ended", effective_date=D(2024, 11, 1), reason="death")  # after the recorded end
    assert exc.value.code == "already_ended"
    with pytest.raises(WorkflowError) as exc:
        change_status(stale, to="ended", effective_date=D(2024, 9, 1), reason="moved")
    assert exc.value.code == "already_ended"


def test_history_lists_the_single_decisions_of_a_participant(workers, users):
    p = workers[3]
    change_status(p, to="grace", effective_date=D(2024, 3, 16), reason="unpaid", actor=users["officer"])
    change_status(p, to="active", effective_date=D(2024, 3, 20), reason="arrears_paid", actor=users["officer"])
    assert [(d.transition, d.from_state, d.to_state) for d in STATUS.history(p)] == [("grace", "active", "grace"), ("reactivate", "grace", "active")]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections holding row locks: PostgreSQL only (see tests/core/test_workflow.py)")
@pytest.mark.django_db(transaction=True)
def test_two_officers_ending_the_same_membership_at_once_one_wins(workers, make_user):
    officers = [make_user("officer", "officer-x"), make_user("officer", "officer-y")]
    pk = workers[4].pk
    barrier = threading.Barrier(2)
    results = {}

    def act(user, reason):
        from django.db import connection as conn

        try:
            p = Participant.objects.get(pk=pk)
            barrier.wait(5)
            change_status(p, to="ended", effective_date=D(2024, 6, 30), reason=reason, actor=user)
            results[user.username] = "won"
        except WorkflowError as exc:
            results[user.username] = exc.code
        finally:
            conn.close()

    threads = [threading.Thread(target=act, args=(u, r)) for u, r in zip(officers, ["moved", "other"], strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results.values()) == ["already_ended", "won"]
    assert StatusChange.objects.filter(participant_id=pk).count() == 1
    assert Decision.objects.filter(object_id=str(pk)).count() == 1
