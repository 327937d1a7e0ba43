"""Employers (PU) and the registration of their wage-earner workers."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext as _

from lindung.core import audit
from lindung.core.errors import Conflict, FileRejected, ServiceError
from lindung.membership.models import Employer, Participant, RiskClass
from lindung.membership.registration.inputs import raise_invalid
from lindung.membership.registration.people import branch_of
from lindung.registry.models import Region

_NPP_RE = re.compile(r"^[A-Z0-9]{5,20}$")


@transaction.atomic
def employer_create(*, actor, npp, name, risk_class, region=None, address="", phone="", email="", branch=None) -> Employer:
    errors: dict[str, str] = {}
    npp = str(npp or "").strip().upper()
    if not _NPP_RE.match(npp):
        errors["npp"] = "The NPP must be 5 to 20 letters or digits."
    name = " ".join(str(name or "").split())
    if not name:
        errors["name"] = "The name is required."
    if risk_class not in RiskClass.values:
        errors["risk_class"] = f"Risk class must be one of {', '.join(RiskClass.values)}."
    region_obj = None
    if region:
        region_obj = region if isinstance(region, Region) else Region.objects.filter(code=str(region).strip()).first()
        if region_obj is None:
            errors["region"] = f"Region {region!r} does not exist."
    if email and "@" not in str(email):
        errors["email"] = "Not an email address."
    raise_invalid(errors, _("The employer is not valid"))
    if Employer.objects.filter(npp=npp).exists():
        raise Conflict("duplicate_npp", _("An employer with NPP %(npp)s is already registered.") % {"npp": npp}, {"npp": "already registered"})
    employer = Employer.objects.create(
        npp=npp,
        name=name[:200],
        risk_class=risk_class,
        region=region_obj,
        address=str(address or "")[:300],
        phone=str(phone or "")[:20],
        email=email or "",
        branch=branch_of(actor, branch),
    )
    audit.record(actor=actor, action="employer.create", obj=employer, changes={"npp": npp, "risk_class": risk_class})
    return employer


def register_pu_workers(employer: Employer, workers: list[dict], *, actor, branch=None) -> list[Participant]:
    """Register wage earners of ``employer``: each item holds the person (``nik``, ``full_name``,
    ``birth_date``, ``sex``, optional ``region``…, or ``person`` for an existing one), ``wage`` and
    ``start_date``. All or nothing: every problem is reported with its item number
    (``workers.<n>.<field>``); a worker already open at this employer is one. Set-based, through
    ``lists.register_pu_list``; returns the new participants."""
    from lindung.membership.registration.lists import REFUSE, as_field_errors, register_pu_list

    if not workers:
        raise ServiceError("invalid", _("No workers given."), {"workers": "empty"})
    try:
        summary = register_pu_list(employer, workers, actor=actor, branch=branch, if_registered=REFUSE)
    except FileRejected as exc:
        raise as_field_errors(exc) from None
    return list(Participant.objects.filter(pk__in=summary.participant_ids).order_by("pk"))
