"""Ending one membership."""

from __future__ import annotations

from django.utils.translation import gettext as _

from lindung.core.errors import Conflict
from lindung.membership.models import Participant
from lindung.membership.registration.inputs import as_date, raise_invalid


def end_membership(participant: Participant, *, actor, effective_date, reason: str, note: str = "") -> Participant:
    """End one membership (death, moved away, ended by sponsor, lapsed, employment or project
    ended, other) through ``lindung.membership.status.change_status``, which records the status
    history, closes an open sponsorship and writes the audit event."""
    from lindung.membership.status import change_status

    errors: dict[str, str] = {}
    when = as_date(effective_date, "effective_date", errors)
    if reason not in Participant.ExitReason.values or not reason:
        errors["reason"] = f"Choose an exit reason: {', '.join(v for v in Participant.ExitReason.values if v)}."
    raise_invalid(errors, _("The exit is not valid"))
    if participant.status == Participant.Status.ENDED:
        raise Conflict("already_ended", _("Membership %(kpj)s has already ended.") % {"kpj": participant.kpj_number}, {"status": "ended"})
    return change_status(participant, to=Participant.Status.ENDED, effective_date=when, reason=reason, note=note, actor=actor)
