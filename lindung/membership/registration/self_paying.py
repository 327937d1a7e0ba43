"""Registration of a self-paying (individual) BPU worker."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lindung.core import audit
from lindung.membership.kpj import reserve_kpj_numbers
from lindung.membership.models import Participant, Segment
from lindung.membership.registration.inputs import as_date, as_int, raise_invalid
from lindung.membership.registration.people import bpu_open_race, branch_of, check_bpu_enrol, initial_status, person_for
from lindung.membership.registration.premiums import BPU_REQUIRED_PROGRAMS, bpu_premium, bpu_terms


@transaction.atomic
def register_bpu(*, actor, person, declared_income, start_date, programs: Iterable[str] = BPU_REQUIRED_PROGRAMS, branch=None) -> Participant:
    """Register a self-paying BPU worker (an existing ``Person`` or the data of a new one, with
    an optional ``family`` list). JKK and JKM are compulsory, JHT optional; the declared income
    must lie within the JKK bracket limits in force on ``start_date``. A person may hold one open
    BPU membership only (``bpu_already_open``, 409)."""
    errors: dict[str, str] = {}
    income = as_int(declared_income, "declared_income", errors)
    start = as_date(start_date, "start_date", errors)
    programs_sorted = bpu_terms(income, start, programs or [], errors)
    raise_invalid(errors, _("The registration is not valid"))
    person_obj = person_for(person, actor=actor, errors=errors, prefix="person.")
    raise_invalid(errors, _("The registration is not valid"))
    check_bpu_enrol(person_obj)
    premium = bpu_premium(income, programs_sorted, start)
    (kpj,) = reserve_kpj_numbers(1, start.year)
    try:
        with transaction.atomic():
            participant = Participant.objects.create(
                kpj_number=kpj,
                person=person_obj,
                segment=Segment.BPU,
                programs=programs_sorted,
                wage=income,
                branch=branch_of(actor, branch),
                start_date=start,
                status=Participant.Status.ACTIVE,
            )
    except IntegrityError:
        raise bpu_open_race() from None
    initial_status([participant], actor=actor, reason="registered")
    audit.record(
        actor=actor,
        action="participant.register_bpu",
        obj=participant,
        changes={
            "segment": "BPU",
            "programs": programs_sorted,
            "declared_income": income,
            "monthly_premium": premium.total,
            "start_date": start.isoformat(),
        },
    )
    return participant
