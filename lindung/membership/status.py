"""Participant status transitions (active → grace → ended), each recorded in ``StatusChange``.

The single owner of ``Participant.status``: the daily cover job (contributions), exits by a
sponsor, deaths (claims) and lapses all go through here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from lindung.core import audit
from lindung.core.errors import ServiceError
from lindung.membership.models import Participant, SponsorshipPeriod, StatusChange

ALLOWED = {
    Participant.Status.ACTIVE: {Participant.Status.GRACE, Participant.Status.ENDED},
    Participant.Status.GRACE: {Participant.Status.ACTIVE, Participant.Status.ENDED},
    Participant.Status.ENDED: set(),
}


def change_status(
    participant: Participant,
    *,
    to: str,
    effective_date: dt.date,
    reason: str = "",
    note: str = "",
    actor=None,
) -> Participant:
    """Move one participant to ``to``; ending needs an exit reason and closes the open sponsorship."""
    if to == participant.status:
        return participant
    if to not in ALLOWED[participant.status]:
        raise ServiceError(
            "invalid_transition", _("A participant cannot go from %(from)s to %(to)s.") % {"from": participant.status, "to": to}, {"status": to}
        )
    if to == Participant.Status.ENDED and reason not in Participant.ExitReason.values[1:]:
        raise ServiceError("exit_reason_required", _("Ending a membership needs an exit reason."), {"reason": "required"})
    if to == Participant.Status.ENDED and effective_date < participant.start_date:
        raise ServiceError("invalid", _("The end date is before the start of cover."), {"effective_date": "before cover start"})
    before = audit.snapshot(participant, ["status", "end_date", "exit_reason"])
    with transaction.atomic():
        old = participant.status
        participant.status = to
        if to == Participant.Status.ENDED:
            participant.end_date = effective_date
            participant.exit_reason = reason
            SponsorshipPeriod.objects.filter(participant=participant, end_date__isnull=True).update(end_date=effective_date, end_reason=reason)
        participant.save(update_fields=["status", "end_date", "exit_reason", "updated_at"])
        StatusChange.objects.create(
            participant=participant,
            from_status=old,
            to_status=to,
            effective_date=effective_date,
            reason=reason,
            note=note[:300],
            actor=actor if getattr(actor, "pk", None) else None,
        )
        audit.record(
            actor=actor,
            action=f"participant.{to}",
            obj=participant,
            changes=audit.diff(before, audit.snapshot(participant, ["status", "end_date", "exit_reason"])),
            summary=note,
            sponsor_id=participant.sponsor_id,
        )
    return participant


def bulk_change_status(participant_ids: Iterable[int], *, from_status: str, to: str, effective_date: dt.date, reason: str = "", actor=None) -> int:
    """Set-based transition for the daily job: every listed participant still in ``from_status``
    moves to ``to`` (with history rows), in one transaction. Returns how many moved."""
    ids = list(participant_ids)
    if not ids:
        return 0
    if to not in ALLOWED[from_status]:
        raise ServiceError("invalid_transition", _("Participants cannot go from %(from)s to %(to)s.") % {"from": from_status, "to": to})
    if to == Participant.Status.ENDED and reason not in Participant.ExitReason.values[1:]:
        raise ServiceError("exit_reason_required", _("Ending memberships needs an exit reason."))
    moved = 0
    with transaction.atomic():
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            qs = Participant.objects.filter(pk__in=chunk, status=from_status)
            chunk_ids = list(qs.values_list("pk", flat=True))
            if not chunk_ids:
                continue
            fields = {"status": to}
            if to == Participant.Status.ENDED:
                fields.update(end_date=effective_date, exit_reason=reason)
                SponsorshipPeriod.objects.filter(participant_id__in=chunk_ids, end_date__isnull=True).update(
                    end_date=effective_date, end_reason=reason
                )
            Participant.objects.filter(pk__in=chunk_ids).update(**fields)
            StatusChange.objects.bulk_create(
                [
                    StatusChange(
                        participant_id=pid,
                        from_status=from_status,
                        to_status=to,
                        effective_date=effective_date,
                        reason=reason,
                        actor=actor if getattr(actor, "pk", None) else None,
                    )
                    for pid in chunk_ids
                ],
                batch_size=5000,
            )
            moved += len(chunk_ids)
        if moved:
            audit.record(
                actor=actor,
                action=f"participant.bulk_{to}",
                object_type="membership.participant",
                changes={"from": from_status, "to": to, "count": moved, "effective_date": effective_date.isoformat(), "reason": reason},
                summary=f"{moved} participants {from_status} → {to} on {effective_date}",
            )
    return moved
