"""Reads of participants, employers and projects, always scoped with ``visible_to(user)``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from lindung.core.errors import NotFound
from lindung.membership.models import Employer, Participant, Project, SponsorshipPeriod, StatusChange, WageReport
from lindung.registry.models import FamilyMember
from lindung.registry.selectors import can_see_full_nik


def participant_list(
    *,
    user,
    segment: str | None = None,
    status: str | None = None,
    sponsor: str | None = None,
    employer: str | None = None,
    project: str | None = None,
    q: str | None = None,
) -> QuerySet[Participant]:
    """Participants the user may see. ``sponsor`` is a sponsor code, ``employer`` an NPP,
    ``project`` a project number; ``q`` matches a KPJ number (prefix), a NIK (whole) or a name."""
    qs = Participant.objects.visible_to(user).select_related("person", "sponsor", "employer", "project")
    if segment:
        qs = qs.filter(segment=segment)
    if status:
        qs = qs.filter(status=status)
    if sponsor:
        qs = qs.filter(sponsor__code=sponsor)
    if employer:
        qs = qs.filter(employer__npp=employer)
    if project:
        qs = qs.filter(project__number=project)
    if q:
        q = q.strip()
        if q.isdigit() and len(q) == 16:
            qs = qs.filter(person__nik=q)
        elif q.isdigit():
            qs = qs.filter(kpj_number__startswith=q)
        else:
            qs = qs.filter(person__full_name__icontains=q)
    return qs.order_by("kpj_number")


def participant_get(*, user, kpj: str) -> Participant:
    participant = (
        Participant.objects.visible_to(user)
        .select_related("person", "person__region", "sponsor", "agreement", "employer", "project", "branch")
        .filter(kpj_number=kpj)
        .first()
    )
    if participant is None:
        raise NotFound(_("Participant %(kpj)s not found.") % {"kpj": kpj})
    return participant


@dataclass
class ParticipantDetail:
    participant: Participant
    status_history: list[StatusChange]
    sponsorships: list[SponsorshipPeriod]
    family: list[FamilyMember]
    wages: list[WageReport]
    other_memberships: list[Participant]
    full_nik: bool
    # A sponsor sees its workers' identity, never their family (docs/security.md).
    family_shown: bool = True


def participant_detail(*, user, kpj: str) -> ParticipantDetail:
    p = participant_get(user=user, kpj=kpj)
    sponsor_user = "sponsor" in getattr(user, "role_names", ())
    return ParticipantDetail(
        participant=p,
        status_history=list(StatusChange.objects.visible_to(user).filter(participant=p).select_related("actor").order_by("at", "pk")),
        sponsorships=list(
            SponsorshipPeriod.objects.visible_to(user).filter(participant=p).select_related("sponsor", "agreement").order_by("start_date")
        ),
        family=[]
        if sponsor_user
        else list(FamilyMember.objects.visible_to(user).filter(person_id=p.person_id).order_by("relation", "birth_date", "pk")),
        wages=list(WageReport.objects.visible_to(user).filter(participant=p).order_by("-period")[:12]),
        other_memberships=list(Participant.objects.visible_to(user).filter(person_id=p.person_id).exclude(pk=p.pk).order_by("start_date")),
        full_nik=can_see_full_nik(user),
        family_shown=not sponsor_user,
    )


def valid_until(participant: Participant) -> dt.date | None:
    """The end of the card's validity: the end of cover once ended, the sponsor agreement's end for
    sponsored workers, the project's end for construction workers; None = open-ended."""
    if participant.end_date:
        return participant.end_date
    if participant.agreement_id:
        return participant.agreement.end_date
    if participant.project_id:
        return participant.project.end_date
    return None


def employer_list(*, user, q: str | None = None) -> QuerySet[Employer]:
    qs = Employer.objects.visible_to(user).annotate(active_workers=Count("workers", filter=Q(workers__segment="PU") & ~Q(workers__status="ended")))
    if q:
        qs = qs.filter(Q(npp__startswith=q.strip().upper()) | Q(name__icontains=q.strip()))
    return qs.order_by("name")


def employer_get(*, user, npp: str) -> Employer:
    employer = Employer.objects.visible_to(user).select_related("region", "branch").filter(npp=npp).first()
    if employer is None:
        raise NotFound(_("Employer %(npp)s not found.") % {"npp": npp})
    return employer


def employer_workers(*, user, employer: Employer) -> QuerySet[Participant]:
    return Participant.objects.visible_to(user).filter(employer=employer, segment="PU").select_related("person").order_by("kpj_number")


def employer_wage_months(*, user, employer: Employer) -> list[dict]:
    from django.db.models import Sum

    return list(
        WageReport.objects.visible_to(user)
        .filter(employer=employer)
        .values("period")
        .annotate(workers=Count("pk"), total=Sum("wage"))
        .order_by("-period")[:24]
    )


def project_list(*, user, contractor: str | None = None) -> QuerySet[Project]:
    qs = Project.objects.visible_to(user).select_related("contractor").annotate(worker_count=Count("workers"))
    if contractor:
        qs = qs.filter(contractor__npp=contractor)
    return qs.order_by("-start_date", "number")


def project_get(*, user, number: str) -> Project:
    project = Project.objects.visible_to(user).select_related("contractor", "region").filter(number=number).first()
    if project is None:
        raise NotFound(_("Project %(number)s not found.") % {"number": number})
    return project


def project_workers(*, user, project: Project) -> QuerySet[Participant]:
    return Participant.objects.visible_to(user).filter(project=project).select_related("person").order_by("kpj_number")
