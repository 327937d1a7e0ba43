"""The decision and workflow kernel (lindung.core.workflow), exercised through a test-only workflow
declared on the participant's status field: one service call per transition, decision + audit in
the same transaction, declared maker-checker, exclusive roles, approval levels by amount, bulk
transitions with one decision per batch, stale states, and two transitions at the same moment."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import IntegrityError, connection, transaction

from lindung.core.models import AuditEvent
from lindung.core.workflow import (
    CREATE,
    ApprovalLevels,
    ExclusiveRoles,
    Refusal,
    SeparateActors,
    Transition,
    Workflow,
    WorkflowError,
)
from lindung.core.workflow.models import Decision
from lindung.membership.models import Participant
from lindung.registry.models import Person
from tests.factories import ParticipantFactory, PersonFactory

D = dt.date
ACTIVE, GRACE, ENDED = Participant.Status.ACTIVE, Participant.Status.GRACE, Participant.Status.ENDED


def _is_branch_head(actor, obj) -> bool:
    return actor.has_role("branch_head")


def _note_needed(ctx):
    return None if ctx.note else Refusal("A closing note is needed.", code="note_required", fields={"note": "required"})


def _close(ctx):
    if ctx.data.get("explode"):
        raise RuntimeError("effect failed")
    if ctx.data.get("wait"):
        time.sleep(ctx.data["wait"])
    ctx.obj.end_date = ctx.effective_date
    ctx.obj.exit_reason = Participant.ExitReason.OTHER
    return ["end_date", "exit_reason"]


def _make_review(name: str = "test.review", register: bool = False) -> Workflow:
    return Workflow(
        name,
        model=Participant,
        states=Participant.Status,
        transitions=[
            Transition("hold", source=ACTIVE, target=GRACE, permission="membership.change_participant", label="hold"),
            Transition("release", source=GRACE, target=ACTIVE, permission=_is_branch_head, label="release"),
            Transition(
                "close",
                source=[ACTIVE, GRACE],
                target=ENDED,
                permission=_is_branch_head,
                guards=[_note_needed],
                effect=_close,
                reason_required=True,
                allow_system=False,
                label="close",
            ),
            Transition("lapse", source=GRACE, target=ACTIVE, allow_system=True, bulk_audit_action="test.bulk_lapse"),
        ],
        separate=[SeparateActors(CREATE, "hold"), SeparateActors("hold", ["release", "close"])],
        exclusive_roles=[ExclusiveRoles("officer", "branch_head")],
        approval_levels=[ApprovalLevels("close", "test.review.close")],
        amount="wage",
        audit_fields=["end_date", "exit_reason"],
        sponsor_of=lambda p: p.sponsor_id,
        register=register,
    )


REVIEW = _make_review()


def _participants(n, branch, *, wage=1_000_000, start=D(2023, 1, 1)):
    persons = Person.objects.bulk_create(PersonFactory.build_batch(n))
    return Participant.objects.bulk_create([ParticipantFactory.build(person=p, wage=wage, branch=branch, start_date=start) for p in persons])


@pytest.fixture
def people(make_user):
    return {
        "officer": make_user("officer", "officer-a"),
        "officer2": make_user("officer", "officer-b"),
        "head": make_user("branch_head", "head-a"),
        "head2": make_user("branch_head", "head-b"),
        "auditor": make_user("auditor", "auditor-a"),
    }


def test_a_transition_writes_state_decision_and_audit_event_together(branch, people):
    (p,) = _participants(1, branch)
    outcome = REVIEW.perform(p, "hold", actor=people["officer"], reason="check", note="documents missing")
    assert outcome.moved and p.status == GRACE
    assert Participant.objects.get(pk=p.pk).status == GRACE
    d = outcome.decision
    assert (d.workflow, d.transition, d.from_state, d.to_state, d.reason, d.note) == (
        "test.review",
        "hold",
        "active",
        "grace",
        "check",
        "documents missing",
    )
    assert (d.object_type, d.object_id, d.actor_id, d.actor_username, d.count, d.batch) == (
        "membership.participant",
        str(p.pk),
        people["officer"].pk,
        "officer-a",
        1,
        None,
    )
    event = AuditEvent.objects.get(action="test.review.hold")
    assert event.object_id == str(p.pk) and event.changes == {"status": ["active", "grace"]}
    assert [x.transition for x in REVIEW.history(p)] == ["hold"]


def test_a_step_not_declared_from_the_current_state_is_refused(branch, people):
    (p,) = _participants(1, branch)
    with pytest.raises(WorkflowError) as exc:
        REVIEW.perform(p, "release", actor=people["head"])
    assert exc.value.code == "transition_not_allowed" and exc.value.status == 409
    with pytest.raises(WorkflowError) as exc:
        REVIEW.perform(p, to=ACTIVE, actor=people["head"])
    assert exc.value.code == "transition_not_allowed"
    assert not Decision.objects.exists() and Participant.objects.get(pk=p.pk).status == ACTIVE


def test_permission_is_checked_and_the_system_only_takes_steps_declared_for_it(branch, people):
    (p,) = _participants(1, branch)
    with pytest.raises(WorkflowError) as exc:
        REVIEW.perform(p, "hold", actor=people["auditor"])
    assert exc.value.code == "permission_denied" and exc.value.status == 403
    with pytest.raises(WorkflowError) as exc:
        REVIEW.perform(p, "hold", actor=None)
    assert exc.value.code == "permission_denied"
    REVIEW.perform(p, "hold", actor=people["officer"])
    with pytest.raises(WorkflowError) as exc:
        REVIEW.perform(p, "release", actor=people["officer2"])  # callable permission: branch heads only
    assert exc.value.code == "permission_denied"
    REVIEW.perform(p, "lapse", actor=None)  # allow_system
    assert Decision.objects.filter(transition="lapse", actor__isnull=True).count() == 1


def test_creations_recorded_together_each_keep_their_maker_checker(branch, people):
    ps = _participants(3, branch)
    rows = REVIEW.record_creations(ps, actor=people["officer"], note="import")
    assert [d.object_id for d in rows] == [str(p.pk) for p in ps]
    assert Decision.objects.filter(transition="create", object_id__in=[str(p.pk) for p in ps], actor=people["officer"], note="import").count() == 3
    with pytest.raises(WorkflowError) as exc:
        REVIEW.perform(ps[1], "hold", actor=people["officer"])
    assert exc.value.code == "maker_checker"
    REVIEW.perform(ps[1], "hold", actor=people["officer2"])


def test_maker_checker_the_creator_may_not_hold_and_the_holder_may_not_close(branch, people, make_user):
    (p,) = _participants(1, branch)
    REVIEW.record_creation(p, actor=people["officer"])
    with pytest.raises(WorkflowError) as exc:
        REVIEW.perform(p, "hold", actor=people["officer"])
    assert exc.value.code == "maker_checker"
    REVIEW.perform(p, "hold", actor=people["officer2"])
    # A branch head who may also hold cases (the permission given directly) still may not close the case held.
    head_holder = make_user("branch_head", "head-holder")
    (q,) = _participants(1, branch)
    from django.contrib.auth.models import Permission

    head_holder.user_permissions.add(Permission.objects.get(codename="change_participant"))
    head_holder = type(head_holder).objects.get(pk=head_holder.pk)
    REVIEW.perform(q, "hold", actor=head_holder)
    with pytest.raises(WorkflowError) as exc:
        REVIEW.perform(q, "close", actor=head_holder, reason="done", note="closing", effective_date=D(2024, 1, 31))
    assert exc.value.code == "maker_checker"
    assert "orang lain" in str(exc.value.message)  # the default language is Indonesian
    out = REVIEW.perform(q, "close", actor=people["head"], reason="done", note="closing", effective_date=D(2024, 1, 31))
    assert out.moved and q.status == ENDED and q.end_date == D(2024, 1, 31) and q.exit_reason == "other"


def test_roles_that_may_not_be_combined(branch, people, make_user):
    both = make_user("officer", "both-roles")
    from django.contrib.auth.models import Group

    both.groups.add(Group.objects.get(name="branch_head"))
    both = type(both).objects.get(pk=both.pk)
    (p,) = _participants(1, branch)
    with pytest.raises(WorkflowError) as exc:
        REVIEW.perform(p, "hold", actor=both)
    assert exc.value.code == "maker_checker" and exc.value.fields == {"roles": "officer, branch_head"}
    # Giving a user both roles is refused once a registered workflow declares them exclusive.
    from lindung.accounts.services import user_create
    from lindung.core.errors import ServiceError

    registered = _make_review("test.review.registered", register=True)
    try:
        with pytest.raises(ServiceError) as exc:
            user_create(actor=None, username="two-hats", password=None, roles=["officer", "branch_head"], branch=branch)
        assert exc.value.code == "roles_conflict"
        assert "officer, branch_head" in exc.value.message
    finally:
        registered.unregister()
    assert user_create(actor=None, username="two-hats", password=None, roles=["officer", "branch_head"], branch=branch).pk


def test_guards_give_their_reason_and_a_required_reason_is_checked(branch, people):
    (p,) = _participants(1, branch)
    with pytest.raises(WorkflowError) as exc:
        REVIEW.perform(p, "close", actor=people["head"], note="n", effective_date=D(2024, 1, 31))
    assert exc.value.code == "reason_required" and exc.value.fields == {"reason": "required"}
    with pytest.raises(WorkflowError) as exc:
        REVIEW.perform(p, "close", actor=people["head"], reason="done", effective_date=D(2024, 1, 31))
    assert (exc.value.code, exc.value.message, exc.value.fields) == ("note_required", "A closing note is needed.", {"note": "required"})
    plain = Workflow(
        "test.plain",
        model=Participant,
        states=Participant.Status,
        transitions=[Transition("hold", source=ACTIVE, target=GRACE, allow_system=True, guards=[lambda ctx: "Not today."])],
        register=False,
    )
    with pytest.raises(WorkflowError) as exc:
        plain.perform(p, "hold", actor=None)
    assert (exc.value.code, exc.value.message) == ("guard_failed", "Not today.")
    assert not Decision.objects.exists() and not AuditEvent.objects.filter(object_type="membership.participant").exists()


def test_nothing_is_written_when_an_effect_fails(branch, people):
    (p,) = _participants(1, branch)
    with pytest.raises(RuntimeError):
        REVIEW.perform(p, "close", actor=people["head"], reason="r", note="n", effective_date=D(2024, 1, 31), data={"explode": True})
    assert Participant.objects.get(pk=p.pk).status == ACTIVE
    assert not Decision.objects.exists() and not AuditEvent.objects.filter(object_type="membership.participant").exists()


def test_above_the_configured_amount_a_second_approver_is_needed(branch, people, settings):
    settings.LINDUNG_APPROVAL_LEVELS = {"test.review.close": [[0, 1], [5_000_000, 2]]}
    small, big = _participants(1, branch, wage=4_999_999)[0], _participants(1, branch, wage=5_000_000)[0]
    kwargs = {"reason": "r", "note": "n", "effective_date": D(2024, 1, 31)}
    assert REVIEW.perform(small, "close", actor=people["head"], **kwargs).moved
    first = REVIEW.perform(big, "close", actor=people["head"], **kwargs)
    assert not first.moved and Participant.objects.get(pk=big.pk).status == ACTIVE
    assert (first.decision.from_state, first.decision.to_state, first.decision.amount) == ("active", "active", 5_000_000)
    assert first.decision.details == {"partial": True, "approvals": 1, "required": 2}
    with pytest.raises(WorkflowError) as exc:
        REVIEW.perform(big, "close", actor=people["head"], **kwargs)
    assert exc.value.code == "maker_checker"
    second = REVIEW.perform(big, "close", actor=people["head2"], **kwargs)
    assert second.moved and big.status == ENDED and second.decision.details == {"partial": False, "approvals": 2, "required": 2}
    assert AuditEvent.objects.filter(action="test.review.close.partial").count() == 1
    # Without a configured level the step needs one approver.
    settings.LINDUNG_APPROVAL_LEVELS = {}
    (other,) = _participants(1, branch, wage=50_000_000)
    assert REVIEW.perform(other, "close", actor=people["head"], **kwargs).moved


def test_a_partial_approval_round_starts_again_after_another_step(branch, people, settings):
    settings.LINDUNG_APPROVAL_LEVELS = {"test.review.close": [[1, 2]]}
    (p,) = _participants(1, branch, wage=10_000_000)
    REVIEW.perform(p, "hold", actor=people["officer"])
    REVIEW.perform(p, "close", actor=people["head"], reason="r", note="n", effective_date=D(2024, 1, 31))
    REVIEW.perform(p, "release", actor=people["head2"])
    REVIEW.perform(p, "close", actor=people["head2"], reason="r", note="n", effective_date=D(2024, 1, 31))  # first of a new round
    assert Participant.objects.get(pk=p.pk).status == ACTIVE
    REVIEW.perform(p, "close", actor=people["head"], reason="r", note="n", effective_date=D(2024, 1, 31))
    assert Participant.objects.get(pk=p.pk).status == ENDED


def test_a_stale_instance_is_refused_with_the_state_the_row_holds_now(branch, people):
    (p,) = _participants(1, branch)
    seen_by_other = Participant.objects.get(pk=p.pk)
    REVIEW.perform(p, "hold", actor=people["officer"])
    decisions = Decision.objects.count()
    with pytest.raises(WorkflowError) as exc:
        REVIEW.perform(seen_by_other, "close", actor=people["head"], reason="r", note="n", effective_date=D(2024, 1, 31))
    assert exc.value.code == "stale_state" and exc.value.status == 409 and exc.value.fields == {"status": "grace"}
    assert Decision.objects.count() == decisions
    # expect=None: start from the state the row holds now.
    out = REVIEW.perform(seen_by_other, "close", actor=people["head"], reason="r", note="n", effective_date=D(2024, 1, 31), expect=None)
    assert out.decision.from_state == "grace" and seen_by_other.status == ENDED


def test_error_messages_are_translated(branch, people):
    from django.utils import translation

    (p,) = _participants(1, branch)
    with translation.override("id"), pytest.raises(WorkflowError) as exc:
        REVIEW.perform(p, "release", actor=people["head"])
    assert exc.value.message == "“release” tidak dapat dilakukan selama peserta berstatus “Aktif”."
    with translation.override("en"), pytest.raises(WorkflowError) as exc:
        REVIEW.perform(p, "release", actor=people["head"])
    assert exc.value.message == "“release” is not possible while the participant is “Active”."


def test_a_timeline_names_each_step_in_words():
    from django.utils import translation

    with translation.override("id"):
        assert REVIEW.step_label(CREATE) == "dibuat"
        assert REVIEW.step_label("hold") == "hold"  # the transition's own label
        assert REVIEW.step_label("lapse") == "lapse"  # no label: its name
        assert REVIEW.step_label("grace") == "masa tenggang"  # no longer declared: the code's label
    with translation.override("en"):
        assert REVIEW.step_label(CREATE) == "created"


def test_available_lists_only_the_steps_the_user_may_take(branch, people):
    (p,) = _participants(1, branch)
    REVIEW.perform(p, "hold", actor=people["officer"])
    assert [t.name for t in REVIEW.available(p, actor=people["head"])] == ["release", "close", "lapse"]
    assert [t.name for t in REVIEW.available(p, actor=people["officer"])] == ["lapse"]  # no permission declared for it
    assert REVIEW.check(p, "close", actor=people["officer"]).code == "permission_denied"


def test_a_bulk_transition_is_set_based_and_writes_one_decision_per_batch(branch, people, django_assert_max_num_queries, settings):
    ps = _participants(30, branch)
    Participant.objects.filter(pk__in=[x.pk for x in ps[:25]]).update(status=GRACE)
    ids = [x.pk for x in ps]
    with django_assert_max_num_queries(8):
        out = REVIEW.perform_bulk(ids, "lapse", from_state=GRACE, actor=None, reason="paid", effective_date=D(2024, 2, 1), description="test batch")
    assert out.count == 25
    d = Decision.objects.get()
    assert d == out.decision and (d.count, d.object_id, d.from_state, d.to_state, d.effective_date) == (25, "", "grace", "active", D(2024, 2, 1))
    assert d.batch == {"ids": sorted(x.pk for x in ps[:25]), "filter": "test batch"}
    assert Participant.objects.filter(status=ACTIVE).count() == 30
    event = AuditEvent.objects.get(action="test.bulk_lapse")
    assert event.changes["count"] == 25 and event.changes["decision"] == d.pk
    # Nobody left in the from-state: nothing written.
    assert REVIEW.perform_bulk(ids, "lapse", from_state=GRACE, actor=None).count == 0
    assert Decision.objects.count() == 1
    # Beyond the configured number of ids the batch is described by its filter.
    settings.LINDUNG_DECISION_BATCH_IDS = 10
    Participant.objects.filter(pk__in=ids).update(status=GRACE)
    out = REVIEW.perform_bulk(ids, "lapse", from_state=GRACE, actor=None, description="all 30")
    assert out.decision.batch == {"ids_omitted": 30, "filter": "all 30"}
    # A bulk step from a state it is not declared for is refused.
    with pytest.raises(WorkflowError) as exc:
        REVIEW.perform_bulk(ids, "lapse", from_state=ENDED, actor=None)
    assert exc.value.code == "transition_not_allowed"


def test_decisions_are_append_only_in_the_model_and_in_the_database(branch, people):
    (p,) = _participants(1, branch)
    d = REVIEW.perform(p, "hold", actor=people["officer"]).decision
    d.note = "rewritten"
    with pytest.raises(PermissionError):
        d.save()
    with pytest.raises(PermissionError):
        d.delete()
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE core_decision SET note = 'x' WHERE id = %s", [d.pk])
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM core_decision WHERE id = %s", [d.pk])
    assert Decision.objects.get(pk=d.pk).note == ""


def test_a_decision_names_one_object_or_describes_a_batch(branch, people):
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(workflow="w", transition="t", object_type="x", object_id="", to_state="a")
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(workflow="w", transition="t", object_type="x", object_id="1", to_state="a", count=2)


def test_declarations_are_checked_when_the_workflow_is_declared():
    with pytest.raises(ValueError, match="unknown state"):
        Workflow("bad", model=Participant, states=Participant.Status, transitions=[Transition("x", source="nowhere", target=ACTIVE)], register=False)
    with pytest.raises(ValueError, match="unknown transition"):
        Workflow(
            "bad",
            model=Participant,
            states=Participant.Status,
            transitions=[Transition("x", source=ACTIVE, target=GRACE)],
            separate=[SeparateActors("x", "y")],
            register=False,
        )
    with pytest.raises(TypeError, match="unknown option"):
        Transition("x", source=ACTIVE, target=GRACE, permision="typo")


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs two real connections holding row locks (SELECT … FOR UPDATE); the SQLite test database is in memory "
    "(one shared cache), where IMMEDIATE transactions serialise writers but threads cannot wait on each other's lock",
)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_people_closing_the_same_case_at_the_same_moment_exactly_one_wins(branch, make_user):
    heads = [make_user("branch_head", "head-x"), make_user("branch_head", "head-y")]
    (p,) = _participants(1, branch)
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def act(user, wait):
        from django.db import connection as conn

        try:
            seen = Participant.objects.get(pk=p.pk)  # both see the case open
            barrier.wait(5)
            REVIEW.perform(seen, "close", actor=user, reason="r", note="n", effective_date=D(2024, 1, 31), data={"wait": wait})
            results[user.username] = "won"
        except WorkflowError as exc:
            results[user.username] = exc
        finally:
            conn.close()

    threads = [threading.Thread(target=act, args=(u, 0.5)) for u in heads]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    outcomes = sorted(results.values(), key=lambda v: v != "won")
    assert outcomes[0] == "won"
    assert isinstance(outcomes[1], WorkflowError) and outcomes[1].code == "stale_state"
    assert Decision.objects.filter(transition="close").count() == 1
    assert AuditEvent.objects.filter(action="test.review.close").count() == 1
    assert Participant.objects.get(pk=p.pk).status == ENDED
