"""Construction projects (JAKON) and their workers."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext as _

from lindung.core import audit
from lindung.core.errors import Conflict, FileRejected
from lindung.membership.models import Employer, Participant, Project
from lindung.membership.registration.inputs import as_date, as_int, raise_invalid
from lindung.membership.registration.people import branch_of
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


def project_add_workers(project: Project, workers: list[dict], *, actor, branch=None) -> list[Participant]:
    """Add construction workers (person data or ``person``; optional ``wage``) to a project. Their
    cover runs from the project's start (or ``start_date``) and ends with the project. All or
    nothing (``workers.<n>.<field>``); a worker already in the project is refused. Set-based,
    through ``lists.register_project_list``; returns the new participants."""
    from lindung.membership.registration.lists import REFUSE, as_field_errors, register_project_list

    if not workers:
        return []
    try:
        summary = register_project_list(project, workers, actor=actor, branch=branch, if_registered=REFUSE)
    except FileRejected as exc:
        raise as_field_errors(exc) from None
    return list(Participant.objects.filter(pk__in=summary.participant_ids).order_by("pk"))
