"""Construction projects (JAKON) and their workers."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lindung.core import audit
from lindung.core.errors import Conflict
from lindung.membership.models import Employer, Participant, Project, Segment
from lindung.membership.registration.inputs import as_date, as_int, raise_invalid
from lindung.membership.registration.people import branch_of, enrol, person_for
from lindung.membership.registration.premiums import project_premium
from lindung.registry.models import Region

_PROJECT_RE = re.compile(r"^[A-Za-z0-9.-]{3,40}$")


@transaction.atomic
def register_project(
    *,
    actor,
    contractor: Employer,
    number,
    name,
    contract_value,
    start_date,
    end_date,
    total_wage=None,
    region=None,
    workers: list[dict] | None = None,
    branch=None,
) -> Project:
    """Register a construction project of ``contractor`` and (optionally) its workers. The
    premium is per project, from the rules engine (``project_premium``)."""
    errors: dict[str, str] = {}
    number = str(number or "").strip()
    if not _PROJECT_RE.match(number):
        errors["number"] = "The project number must be 3 to 40 letters, digits, '.' or '-'."
    name = " ".join(str(name or "").split())
    if not name:
        errors["name"] = "The project name is required."
    value = as_int(contract_value, "contract_value", errors)
    if value is not None and value <= 0:
        errors["contract_value"] = "The contract value must be positive."
    wage_total = None
    if total_wage not in (None, ""):
        wage_total = as_int(total_wage, "total_wage", errors)
    start = as_date(start_date, "start_date", errors)
    end = as_date(end_date, "end_date", errors)
    if start and end and end < start:
        errors["end_date"] = "The project ends before it starts."
    region_obj = None
    if region:
        region_obj = region if isinstance(region, Region) else Region.objects.filter(code=str(region).strip()).first()
        if region_obj is None:
            errors["region"] = f"Region {region!r} does not exist."
    raise_invalid(errors, _("The project is not valid"))
    if Project.objects.filter(number=number).exists():
        raise Conflict("duplicate_project", _("Project %(number)s is already registered.") % {"number": number}, {"number": "already registered"})
    project = Project.objects.create(
        contractor=contractor,
        number=number,
        name=name[:300],
        contract_value=value,
        total_wage=wage_total or None,
        start_date=start,
        end_date=end,
        region=region_obj,
        branch=branch_of(actor, branch) or contractor.branch,
    )
    premium = project_premium(project)
    audit.record(
        actor=actor,
        action="project.register",
        obj=project,
        changes={"contractor": contractor.npp, "contract_value": value, "premium": premium.total},
    )
    if workers:
        project_add_workers(project, workers, actor=actor, branch=branch)
    return project


@transaction.atomic
def project_add_workers(project: Project, workers: list[dict], *, actor, branch=None) -> list[Participant]:
    """Add construction workers (person data or ``person``; optional ``wage``) to a project. Their
    cover runs from the project's start (or ``start_date``) and ends with the project."""
    errors: dict[str, str] = {}
    participants = []
    seen: set[int] = set()
    for i, item in enumerate(workers, start=1):
        item = dict(item)
        wage = 0
        if item.get("wage") not in (None, ""):
            wage = as_int(item.pop("wage"), f"workers.{i}.wage", errors) or 0
        item.pop("wage", None)
        start_raw = item.pop("start_date", None)
        start = project.start_date if start_raw in (None, "") else as_date(start_raw, f"workers.{i}.start_date", errors)
        if start and not project.start_date <= start <= project.end_date:
            errors[f"workers.{i}.start_date"] = "Outside the project period."
        person = person_for(item.pop("person", None) or item, actor=actor, errors=errors, prefix=f"workers.{i}.")
        if person is None:
            continue
        if person.pk in seen or Participant.objects.filter(person=person, project=project).exists():
            errors[f"workers.{i}.nik"] = f"{person.nik} is already a worker of project {project.number}."
            continue
        seen.add(person.pk)
        participants.append(
            Participant(
                person=person,
                segment=Segment.JAKON,
                programs=["JKK", "JKM"],
                wage=wage,
                project=project,
                employer=None,
                branch=branch_of(actor, branch) or project.branch,
                start_date=start or project.start_date,
            )
        )
    if errors:
        transaction.set_rollback(True)
        raise_invalid(errors, _("The worker list is not valid"))
    enrol(participants, actor=actor, year=project.start_date.year)
    audit.record(
        actor=actor,
        action="project.add_workers",
        obj=project,
        changes={"count": len(participants), "kpj_numbers": [p.kpj_number for p in participants][:50]},
        summary=audit.Message(gettext_noop("%(count)s construction worker(s) added"), count=len(participants)),
    )
    return participants
