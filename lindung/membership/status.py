"""Participant status transitions (active → grace → ended), on the workflow kernel.

The single owner of ``Participant.status``: the daily cover job (contributions), exits by a
sponsor, deaths (claims) and lapses all go through here. ``STATUS`` declares the transitions; each
one writes a ``core.Decision`` (one per batch for the daily job) and the participant's own
effective-dated history row (``StatusChange``, linked to its decision)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lindung.core.workflow import Refusal, Transition, TransitionContext, Workflow
from lindung.membership.models import Participant, SponsorshipPeriod, StatusChange

S = Participant.Status


def _exit_reason_given(ctx: TransitionContext) -> Refusal | None:
    if ctx.reason in Participant.ExitReason.values[1:]:
        return None
    if ctx.bulk:
        return Refusal(_("Ending memberships needs an exit reason."), code="exit_reason_required")
    return Refusal(_("Ending a membership needs an exit reason."), code="exit_reason_required", fields={"reason": "required"})


def _not_before_cover_start(ctx: TransitionContext) -> Refusal | None:
    if ctx.effective_date < ctx.obj.start_date:
        return Refusal(_("The end date is before the start of cover."), code="invalid", fields={"effective_date": "before cover start"})
    return None


def _end(ctx: TransitionContext) -> list[str]:
    ctx.obj.end_date = ctx.effective_date
    ctx.obj.exit_reason = ctx.reason
    SponsorshipPeriod.objects.filter(participant=ctx.obj, end_date__isnull=True).update(end_date=ctx.effective_date, end_reason=ctx.reason)
    return ["end_date", "exit_reason"]


def _death_before_recorded_end(ctx: TransitionContext) -> Refusal | None:
    p = ctx.obj
    if ctx.reason != Participant.ExitReason.DEATH:
        return Refusal(_("Membership %(kpj)s has already ended.") % {"kpj": p.kpj_number}, code="already_ended", fields={"status": "ended"})
    if p.end_date is not None and ctx.effective_date >= p.end_date:
        return Refusal(
            _("Membership %(kpj)s ended on %(date)s, before this death; nothing changes.") % {"kpj": p.kpj_number, "date": p.end_date.isoformat()},
            code="already_ended",
            fields={"effective_date": "after the recorded end"},
        )
    return None


def _correct_end_to_death(ctx: TransitionContext) -> list[str]:
    """A death before the recorded end (the daily job ended the membership later, as lapsed or by
    the sponsor): the membership ended at the death; so did the sponsorship the ending closed."""
    old_end = ctx.obj.end_date
    SponsorshipPeriod.objects.filter(participant=ctx.obj, end_date=old_end, start_date__lte=ctx.effective_date).update(
        end_date=ctx.effective_date, end_reason=ctx.reason
    )
    ctx.obj.end_date = ctx.effective_date
    ctx.obj.exit_reason = ctx.reason
    return ["end_date", "exit_reason"]


def _end_updates(ctx: TransitionContext) -> dict:
    return {"end_date": ctx.effective_date, "exit_reason": ctx.reason}


def _end_bulk(ctx: TransitionContext, ids: Sequence[int]) -> None:
    SponsorshipPeriod.objects.filter(participant_id__in=ids, end_date__isnull=True).update(end_date=ctx.effective_date, end_reason=ctx.reason)


def _history(ctx: TransitionContext) -> None:
    StatusChange.objects.create(
        participant=ctx.obj,
        from_status=ctx.from_state,
        to_status=ctx.to_state,
        effective_date=ctx.effective_date,
        reason=ctx.reason,
        note=ctx.note[:300],
        actor=ctx.actor if getattr(ctx.actor, "pk", None) else None,
        decision=ctx.decision,
    )


def _history_bulk(ctx: TransitionContext, ids: Sequence[int]) -> None:
    """The history rows of one chunk, written by the database (``INSERT … SELECT``)."""
    actor_id = ctx.actor.pk if getattr(ctx.actor, "pk", None) else None
    ops = connection.ops
    with connection.cursor() as cur:
        cur.execute(
            f"""INSERT INTO {StatusChange._meta.db_table}
                    (participant_id, from_status, to_status, effective_date, reason, note, at, actor_id, decision_id)
                SELECT id, %s, %s, %s, %s, '', %s, %s, %s FROM {Participant._meta.db_table}
                WHERE id IN ({", ".join(["%s"] * len(ids))})""",  # table names from the models, values as parameters
            [
                ctx.from_state,
                ctx.to_state,
                ops.adapt_datefield_value(ctx.effective_date),
                ctx.reason,
                ops.adapt_datetimefield_value(timezone.now()),
                actor_id,
                ctx.decision.pk,
                *ids,
            ],
        )


STATUS = Workflow(
    "membership.participant_status",
    model=Participant,
    states=S,
    field="status",
    transitions=[
        Transition(
            "grace",
            source=S.ACTIVE,
            target=S.GRACE,
            allow_system=True,
            label=gettext_lazy("move into the grace period"),
            audit_action="participant.grace",
            bulk_audit_action="participant.bulk_grace",
        ),
        Transition(
            "reactivate",
            source=S.GRACE,
            target=S.ACTIVE,
            allow_system=True,
            label=gettext_lazy("reactivate"),
            audit_action="participant.active",
            bulk_audit_action="participant.bulk_active",
        ),
        Transition(
            "end",
            source=[S.ACTIVE, S.GRACE],
            target=S.ENDED,
            allow_system=True,
            label=gettext_lazy("end the membership"),
            guards=[_exit_reason_given, _not_before_cover_start],
            batch_guards=[_exit_reason_given],
            effect=_end,
            bulk_updates=_end_updates,
            bulk_effect=_end_bulk,
            audit_action="participant.ended",
            bulk_audit_action="participant.bulk_ended",
        ),
        Transition(
            "record_death",
            source=S.ENDED,
            target=S.ENDED,
            allow_system=True,
            label=gettext_lazy("record a death before the recorded end"),
            guards=[_death_before_recorded_end, _not_before_cover_start],
            effect=_correct_end_to_death,
            audit_action="participant.ended",
        ),
    ],
    audit_fields=["end_date", "exit_reason"],
    sponsor_of=lambda p: p.sponsor_id,
    effect=_history,
    bulk_effect=_history_bulk,
)

# The allowed moves, as declared above (kept for readers of the old table).
ALLOWED = {state: {t.target for t in STATUS.transitions.values() if state in t.source} for state in S.values}


def change_status(
    participant: Participant,
    *,
    to: str,
    effective_date: dt.date,
    reason: str = "",
    note: str = "",
    actor=None,
) -> Participant:
    """Move one participant to ``to``; ending needs an exit reason and closes the open sponsorship.

    The row is locked and its state re-read: the move starts from the status the participant has
    now, whatever the instance passed in says (the caller names a target, not a step)."""
    if to == participant.status:
        return participant
    return STATUS.perform(participant, to=to, actor=actor, reason=reason, note=note, effective_date=effective_date, expect=None).obj


def bulk_change_status(participant_ids: Iterable[int], *, from_status: str, to: str, effective_date: dt.date, reason: str = "", actor=None) -> int:
    """Set-based transition for the daily job: every listed participant still in ``from_status``
    moves to ``to`` (with history rows), in one transaction, with one decision for the batch.
    Returns how many moved."""
    description = f"participants in {from_status} among the ids given, {from_status} → {to} on {effective_date} ({reason or 'no reason'}); one StatusChange row per participant with this decision"
    return STATUS.perform_bulk(
        participant_ids, to=to, from_state=from_status, actor=actor, reason=reason, effective_date=effective_date, description=description
    ).count
