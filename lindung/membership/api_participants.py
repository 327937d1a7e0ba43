"""API: participants, individual BPU registration, employers (PU workers, wage reports),
construction projects and membership cards."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from lindung.core import audit
from lindung.core.api import ErrorOut, Page, require_perm
from lindung.core.masking import mask_nik
from lindung.membership import cards, registration, selectors
from lindung.membership import participant_selectors as sel
from lindung.membership.models import Employer, Participant, Project
from lindung.registry.api import FamilyMemberIn, PersonIn

router = Router(tags=["participants"])


# ---------------------------------------------------------------------------------------------
# Schemas
# ---------------------------------------------------------------------------------------------


class ParticipantFields(Schema):
    """The fields of a membership in a list and on its detail (the detail adds its own)."""

    kpj_number: str
    name: str
    nik_masked: str
    segment: str
    programs: list[str]
    wage: int
    risk_class: str
    status: str
    exit_reason: str
    start_date: dt.date
    end_date: dt.date | None
    sponsor: str | None
    employer: str | None
    project: str | None


class ParticipantOut(ParticipantFields):
    """A list row, read from the model (names and codes of the related rows resolved)."""

    @staticmethod
    def resolve_name(obj: Participant) -> str:
        return obj.person.full_name

    @staticmethod
    def resolve_nik_masked(obj: Participant) -> str:
        return mask_nik(obj.person.nik)

    @staticmethod
    def resolve_sponsor(obj: Participant) -> str | None:
        return obj.sponsor.code if obj.sponsor_id else None

    @staticmethod
    def resolve_employer(obj: Participant) -> str | None:
        return obj.employer.npp if obj.employer_id else None

    @staticmethod
    def resolve_project(obj: Participant) -> str | None:
        return obj.project.number if obj.project_id else None


class StatusChangeOut(Schema):
    from_status: str
    to_status: str
    effective_date: dt.date
    reason: str
    note: str


class SponsorshipOut(Schema):
    sponsor: str
    agreement: str
    start_date: dt.date
    end_date: dt.date | None
    end_reason: str


class FamilyOut(Schema):
    id: int
    relation: str
    full_name: str
    birth_date: dt.date | None
    sex: str
    school_level: str


class PersonBrief(Schema):
    id: int
    nik: str
    full_name: str
    birth_date: dt.date
    sex: str
    region: str | None
    nik_warnings: list[str]


class PremiumOut(Schema):
    total: int
    components: dict[str, int]
    on: dt.date


class ParticipantDetailOut(ParticipantFields):
    person: PersonBrief
    valid_until: dt.date | None
    premium: PremiumOut | None
    status_history: list[StatusChangeOut]
    sponsorships: list[SponsorshipOut]
    family: list[FamilyOut]
    card_verify_url: str


def _premium_out(result) -> dict | None:
    if result is None:
        return None
    return {"total": result.total, "components": {c.program: c.amount for c in result.components}, "on": result.on}


def _detail(request, kpj: str) -> dict:
    d = sel.participant_detail(user=request.user, kpj=kpj)
    p = d.participant
    person = p.person
    if d.full_nik:
        from lindung.registry.services import record_full_nik_view

        record_full_nik_view(user=request.user, person=person, where=audit.Message(gettext_noop("API participant %(kpj)s"), kpj=p.kpj_number))
    base = ParticipantOut.from_orm(p).dict()
    return {
        **base,
        "person": {
            "id": person.pk,
            "nik": person.nik if d.full_nik else mask_nik(person.nik),
            "full_name": person.full_name,
            "birth_date": person.birth_date,
            "sex": person.sex,
            "region": person.region_id,
            "nik_warnings": person.nik_warnings,
        },
        "valid_until": sel.valid_until(p),
        "premium": _premium_out(registration.participant_premium(p)) if p.status != Participant.Status.ENDED else None,
        "status_history": [StatusChangeOut.from_orm(s).dict() for s in d.status_history],
        "sponsorships": [
            {
                "sponsor": s.sponsor.code,
                "agreement": s.agreement.number,
                "start_date": s.start_date,
                "end_date": s.end_date,
                "end_reason": s.end_reason,
            }
            for s in d.sponsorships
        ],
        "family": [FamilyOut.from_orm(f).dict() for f in d.family],
        "card_verify_url": cards.verify_url(p.kpj_number, cards.public_base_url(request)),
    }


class BpuIn(Schema):
    person_id: int | None = None
    person: PersonIn | None = None
    family: list[FamilyMemberIn] = []
    declared_income: int
    programs: list[str] = ["JKK", "JKM"]
    start_date: dt.date


class RegisteredOut(Schema):
    kpj_number: str
    segment: str
    programs: list[str]
    wage: int
    start_date: dt.date
    monthly_premium: PremiumOut | None


class EmployerIn(Schema):
    npp: str
    name: str
    risk_class: str
    region: str | None = None
    address: str = ""
    phone: str = ""
    email: str = ""


class EmployerOut(Schema):
    npp: str
    name: str
    risk_class: str
    region: str | None
    address: str
    phone: str
    email: str

    @staticmethod
    def resolve_region(obj: Employer) -> str | None:
        return obj.region_id


class WorkerIn(PersonIn):
    wage: int
    start_date: dt.date


class WorkersIn(Schema):
    workers: list[WorkerIn]


class WageRowIn(Schema):
    kpj: str
    wage: int


class WagesIn(Schema):
    period: dt.date
    rows: list[WageRowIn]


class WagesOut(Schema):
    period: dt.date
    rows: int
    created: int
    replaced: int
    total_wage: int


class ProjectWorkerIn(PersonIn):
    wage: int | None = None
    start_date: dt.date | None = None


class ProjectIn(Schema):
    contractor: str
    number: str
    name: str
    contract_value: int
    total_wage: int | None = None
    start_date: dt.date
    end_date: dt.date
    region: str | None = None
    workers: list[ProjectWorkerIn] = []


class ProjectOut(Schema):
    number: str
    name: str
    contractor: str
    contract_value: int
    total_wage: int | None
    start_date: dt.date
    end_date: dt.date
    workers: list[str]
    premium: PremiumOut


class JobStartedOut(Schema):
    """A background job just started: poll its ``url`` (the jobs endpoint answers ``JobOut``)."""

    job_id: str
    status: str
    url: str


def _project_out(project: Project, user) -> dict:
    return {
        "number": project.number,
        "name": project.name,
        "contractor": project.contractor.npp,
        "contract_value": project.contract_value,
        "total_wage": project.total_wage,
        "start_date": project.start_date,
        "end_date": project.end_date,
        "workers": list(sel.project_workers(user=user, project=project).values_list("kpj_number", flat=True)),
        "premium": _premium_out(registration.project_premium(project)),
    }


def _registered(p: Participant) -> dict:
    return {
        "kpj_number": p.kpj_number,
        "segment": p.segment,
        "programs": p.programs,
        "wage": p.wage,
        "start_date": p.start_date,
        "monthly_premium": _premium_out(registration.participant_premium(p, p.start_date)),
    }


# ---------------------------------------------------------------------------------------------
# Participants
# ---------------------------------------------------------------------------------------------


@router.get("/participants", response=list[ParticipantOut])
@paginate(Page)
def participant_list(
    request,
    segment: str | None = None,
    status: str | None = None,
    sponsor: str | None = None,
    employer: str | None = None,
    project: str | None = None,
    q: str | None = None,
):
    require_perm(request, "membership.view_participant")
    return sel.participant_list(user=request.user, segment=segment, status=status, sponsor=sponsor, employer=employer, project=project, q=q)


@router.post("/participants/bpu", response={201: RegisteredOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def participant_register_bpu(request, payload: BpuIn):
    """Register a self-paying BPU worker: an existing person (``person_id``) or a new one
    (``person`` and optional ``family``)."""
    require_perm(request, "membership.add_participant", "registry.add_person")
    if payload.person_id is not None:
        from lindung.registry.selectors import person_get

        person = person_get(user=request.user, pk=payload.person_id)
    elif payload.person is not None:
        person = {**payload.person.dict(exclude_unset=True), "family": [f.dict(exclude_unset=True) for f in payload.family]}
    else:
        from lindung.core.errors import ServiceError

        raise ServiceError("invalid", _("Give person_id (an existing person) or person (a new one)."), {"person": "required"})
    participant = registration.register_bpu(
        actor=request.user, person=person, declared_income=payload.declared_income, programs=payload.programs, start_date=payload.start_date
    )
    return Status(201, _registered(participant))


@router.get("/participants/{kpj}", response={200: ParticipantDetailOut, 404: ErrorOut})
def participant_detail(request, kpj: str):
    require_perm(request, "membership.view_participant")
    return _detail(request, kpj)


class EndIn(Schema):
    effective_date: dt.date
    reason: str
    note: str = ""


@router.post("/participants/{kpj}/end", response={200: ParticipantDetailOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def participant_end(request, kpj: str, payload: EndIn):
    """End a membership with an exit reason (death, moved, ended_by_sponsor, lapsed,
    employment_ended, project_ended, other)."""
    require_perm(request, "membership.change_participant")
    participant = sel.participant_get(user=request.user, kpj=kpj)
    registration.end_membership(participant, actor=request.user, effective_date=payload.effective_date, reason=payload.reason, note=payload.note)
    return _detail(request, kpj)


@router.get("/participants/{kpj}/card.pdf", response={200: None, 404: ErrorOut})
def participant_card(request, kpj: str):
    require_perm(request, "membership.view_participant")
    participant = sel.participant_get(user=request.user, kpj=kpj)
    pdf = cards.participant_card_pdf(participant, cards.public_base_url(request), actor=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="card-{kpj}.pdf"'
    return response


# ---------------------------------------------------------------------------------------------
# Employers
# ---------------------------------------------------------------------------------------------


@router.get("/employers", response=list[EmployerOut])
@paginate(Page)
def employer_list(request, q: str | None = None):
    require_perm(request, "membership.view_employer")
    return sel.employer_list(user=request.user, q=q)


@router.get("/employers/{npp}", response={200: EmployerOut, 404: ErrorOut})
def employer_detail(request, npp: str):
    require_perm(request, "membership.view_employer")
    return sel.employer_get(user=request.user, npp=npp)


@router.post("/employers", response={201: EmployerOut, 400: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def employer_create(request, payload: EmployerIn):
    require_perm(request, "membership.add_employer")
    employer = registration.employer_create(actor=request.user, **payload.dict())
    return Status(201, employer)


@router.post("/employers/{npp}/workers", response={201: list[RegisteredOut], 400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def employer_workers(request, npp: str, payload: WorkersIn):
    """Register PU workers (person data, wage, start date) of an employer; all or nothing."""
    require_perm(request, "membership.add_participant", "registry.add_person")
    employer = sel.employer_get(user=request.user, npp=npp)
    workers = [w.dict(exclude_unset=True) for w in payload.workers]
    participants = registration.register_pu_workers(employer, workers, actor=request.user)
    return Status(201, [_registered(p) for p in participants])


@router.post("/employers/{npp}/wages", response={200: WagesOut, 400: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def employer_wages(request, npp: str, payload: WagesIn):
    """A monthly wage report (JSON rows ``{kpj, wage}``); all or nothing, errors name the row."""
    require_perm(request, "membership.add_wagereport")
    employer = sel.employer_get(user=request.user, npp=npp)
    rows = [registration.WageRow(i, r.kpj, r.wage) for i, r in enumerate(payload.rows, start=1)]
    return registration.record_wages(employer, payload.period, rows, actor=request.user)


@router.post("/employers/{npp}/wages/csv", response={200: WagesOut, 400: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def employer_wages_csv(request, npp: str, period: dt.date, file: File[UploadedFile]):
    """The same as a CSV upload (``kpj,wage``); row numbers count the header as row 1."""
    require_perm(request, "membership.add_wagereport")
    employer = sel.employer_get(user=request.user, npp=npp)
    rows = registration.parse_wage_file(file.file, name=file.name)
    return registration.record_wages(employer, period, rows, actor=request.user)


# ---------------------------------------------------------------------------------------------
# Construction projects
# ---------------------------------------------------------------------------------------------


@router.post("/projects", response={201: ProjectOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def project_create(request, payload: ProjectIn):
    require_perm(request, "membership.add_project")
    contractor = sel.employer_get(user=request.user, npp=payload.contractor)
    data = payload.dict(exclude={"contractor", "workers"})
    workers = [w.dict(exclude_unset=True) for w in payload.workers]
    project = registration.register_project(actor=request.user, contractor=contractor, workers=workers, **data)
    return Status(201, _project_out(project, request.user))


@router.get("/projects/{number}", response={200: ProjectOut, 404: ErrorOut})
def project_detail(request, number: str):
    require_perm(request, "membership.view_project")
    return _project_out(sel.project_get(user=request.user, number=number), request.user)


# ---------------------------------------------------------------------------------------------
# Bulk cards
# ---------------------------------------------------------------------------------------------


@router.post("/sponsors/{code}/cards", response={202: JobStartedOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def sponsor_cards(request, code: str):
    """Start printing every current card of a sponsor into one PDF (a background job, needs
    ``membership.print_cards``); poll ``/api/v1/jobs/{id}``; the result's ``download`` is the
    file's address."""
    require_perm(request, "membership.view_participant", "membership.print_cards")
    sponsor = selectors.sponsor_get(user=request.user, code=code)
    job = cards.start_sponsor_cards(sponsor, actor=request.user, base_url=cards.public_base_url(request))
    return Status(202, {"job_id": str(job.pk), "status": job.status, "url": f"/api/v1/jobs/{job.pk}"})


class CardJobOut(Schema):
    job_id: str
    status: str
    created_at: dt.datetime
    cards: int | None
    download: str | None


@router.get("/sponsors/{code}/cards", response={200: list[CardJobOut], 404: ErrorOut})
def sponsor_card_jobs(request, code: str):
    """The sponsor's ten latest bulk card jobs, with the download address of finished ones."""
    require_perm(request, "membership.view_participant")
    sponsor = selectors.sponsor_get(user=request.user, code=code)
    jobs = selectors.card_jobs(user=request.user, sponsor=sponsor)
    return [
        {
            "job_id": str(j.pk),
            "status": j.status,
            "created_at": j.created_at,
            "cards": (j.result or {}).get("cards"),
            "download": (j.result or {}).get("download"),
        }
        for j in jobs
    ]
