"""Enrolment of one sponsored BPU worker under an agreement, outside a roster's bulk path: a row
the branch office verified (``membership.held``). The same checks as an import's (the person
alive, no other open BPU membership, the agreement's period, quota and budget counted under the
agreement's lock) and the same records (participant with its KPJ, first status, sponsorship
period tied to the roster import)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lindung.core import audit
from lindung.core.errors import ServiceError
from lindung.membership.models import Participant, RosterImport, Segment, SponsorAgreement, SponsorshipPeriod
from lindung.membership.registration.people import bpu_open_race, check_bpu_enrol, enrol
from lindung.membership.roster.usage import Pricer, agreement_usage
from lindung.registry.models import Person


def enrol_sponsored(
    *, actor, person: Person, agreement: SponsorAgreement, start_date: dt.date, import_batch: RosterImport | None = None, note: str = ""
) -> Participant:
    """Enrol ``person`` as a BPU worker sponsored under ``agreement`` from ``start_date`` (status
    reason ``roster_import``, like the bulk path). Refused: ``person_deceased``,
    ``bpu_already_open`` (409), ``outside_agreement``, ``over_quota``, ``over_budget``."""
    with transaction.atomic():
        agreement = SponsorAgreement.objects.select_for_update().select_related("sponsor").get(pk=agreement.pk)
        person = Person.objects.get(pk=person.pk)
        check_bpu_enrol(person)
        if not (agreement.start_date <= start_date <= agreement.end_date):
            raise ServiceError(
                "outside_agreement",
                _("Cover would start on %(start)s, outside the agreement %(number)s (%(from)s to %(to)s).")
                % {"start": start_date, "number": agreement.number, "from": agreement.start_date, "to": agreement.end_date},
                {"start": "outside the agreement period"},
            )
        pricer = Pricer(agreement)
        usage = agreement_usage(agreement, pricer)
        if usage.active >= agreement.quota:
            raise ServiceError("over_quota", _("The agreement's worker quota is full."), {"agreement": "quota full"})
        cost = pricer.cost(start_date)
        if usage.committed + cost > agreement.budget:
            raise ServiceError("over_budget", _("The agreement's budget does not cover this worker's premium."), {"agreement": "budget"})
        participant = Participant(
            person=person,
            segment=Segment.BPU,
            programs=list(agreement.programs),
            wage=agreement.declared_income,
            agreement=agreement,
            sponsor=agreement.sponsor,
            branch_id=agreement.sponsor.branch_id,
            start_date=start_date,
            status=Participant.Status.ACTIVE,
        )
        try:
            with transaction.atomic():
                enrol([participant], actor=actor, year=start_date.year, reason="roster_import")
        except IntegrityError:
            raise bpu_open_race() from None
        SponsorshipPeriod.objects.create(
            participant=participant, agreement=agreement, sponsor=agreement.sponsor, start_date=start_date, import_batch=import_batch
        )
        audit.record(
            actor=actor,
            action="participant.enrol",
            obj=participant,
            changes={
                "segment": "BPU",
                "agreement": agreement.number,
                "start_date": start_date.isoformat(),
                "monthly_premium": pricer.monthly(start_date.replace(day=1)),
                "roster_import": import_batch.pk if import_batch else None,
            },
            summary=note,
            sponsor_id=agreement.sponsor_id,
        )
    return participant
