"""Employers (PU) and the registration of their wage-earner workers."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lindung.core import audit
from lindung.core.errors import Conflict, ServiceError
from lindung.membership.models import Employer, Participant, RiskClass, Segment
from lindung.membership.registration.inputs import as_date, as_int, raise_invalid
from lindung.membership.registration.people import branch_of, enrol, person_for
from lindung.registry.models import Person, Region

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


@transaction.atomic
def register_pu_workers(employer: Employer, workers: list[dict], *, actor, branch=None) -> list[Participant]:
    """Register wage earners of ``employer``: each item holds the person (``nik``, ``full_name``,
    ``birth_date``, ``sex``, optional ``region``…, or ``person`` for an existing one), ``wage`` and
    ``start_date``. All or nothing: every problem is reported with its item number."""
    if not workers:
        raise ServiceError("invalid", _("No workers given."), {"workers": "empty"})
    errors: dict[str, str] = {}
    prepared = []
    seen: set[str] = set()
    for i, item in enumerate(workers, start=1):
        item = dict(item)
        row_errors: dict[str, str] = {}
        wage = as_int(item.pop("wage", None), "wage", row_errors)
        if wage is not None and wage <= 0:
            row_errors["wage"] = "The wage must be positive."
        start = as_date(item.pop("start_date", None), "start_date", row_errors)
        person = item.pop("person", None) or item
        nik = person.nik if isinstance(person, Person) else str(person.get("nik") or "").replace(" ", "")
        if nik in seen:
            row_errors["nik"] = "This NIK appears twice in the list."
        seen.add(nik)
        if row_errors:
            errors.update({f"workers.{i}.{k}": v for k, v in row_errors.items()})
            continue
        prepared.append((i, person, wage, start))
    raise_invalid(errors, _("The worker list is not valid"))
    participants = []
    with transaction.atomic():
        for i, person, wage, start in prepared:
            person_obj = person_for(person, actor=actor, errors=errors, prefix=f"workers.{i}.")
            if person_obj is None:
                continue
            if Participant.objects.filter(person=person_obj, employer=employer, segment=Segment.PU).exclude(status=Participant.Status.ENDED).exists():
                errors[f"workers.{i}.nik"] = f"{person_obj.nik} already works for {employer.npp} (open PU membership)."
                continue
            participants.append(
                Participant(
                    person=person_obj,
                    segment=Segment.PU,
                    programs=["JKK", "JKM"],
                    wage=wage,
                    risk_class=employer.risk_class,
                    employer=employer,
                    branch=branch_of(actor, branch) or employer.branch,
                    start_date=start,
                )
            )
        if errors:
            transaction.set_rollback(True)
            raise_invalid(errors, _("The worker list is not valid"))
        enrol(participants, actor=actor)
        audit.record(
            actor=actor,
            action="employer.register_workers",
            obj=employer,
            changes={"count": len(participants), "kpj_numbers": [p.kpj_number for p in participants][:50]},
            summary=audit.Message(gettext_noop("%(count)s PU worker(s) registered"), count=len(participants)),
        )
    return participants
