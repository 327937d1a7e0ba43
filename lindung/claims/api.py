"""The claims API: work queues, one claim, intake, heirs, payees, documents, decisions, transfer.

Every operation is in the OpenAPI schema; errors have the project's one shape. A claim answers as
``ClaimOut`` — status, checks, heirs, payees, benefit (``total``, ``components``), deadline and late
compensation — exactly as ``lindung claim … --json`` prints it.
"""

import datetime as dt
from typing import Any, Literal

from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from lindung.claims import heirs as heirs_service
from lindung.claims import selectors, services
from lindung.claims.models import ClaimStatus, Outreach, PayeeKind
from lindung.core.api import ErrorOut, Page, require_perm
from lindung.core.audit import audit_source
from lindung.core.errors import ServiceError
from lindung.core.masking import mask_nik

router = Router(tags=["claims"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class CheckOut(Schema):
    code: str
    label: str
    result: Literal["pass", "fail", "warn", "not_applicable"]
    reason: str
    blocking: bool
    blocks: bool
    reference: str | None
    overridable: bool
    override: dict[str, str] | None
    detail: str


class HeirOut(Schema):
    id: int
    relation: str
    full_name: str
    nik: str
    birth_date: dt.date | None
    school_level: str | None
    entitled: bool
    heir_class: str | None
    phone: str


class PayeeOut(Schema):
    id: int
    kind: str
    heir: int | None
    name: str
    share: int
    bank_code: str | None
    account_number: str | None
    account_holder: str | None
    amount: int | None


class DocumentFileOut(Schema):
    id: int
    file_id: str | None
    name: str | None
    content_type: str | None
    size: int | None
    download: str | None  # GET it (staff who see the claim only; audited)
    uploaded_by: str | None
    uploaded_at: str | None
    check: Literal["pending", "accepted", "rejected"]
    checked_by: str | None
    checked_at: str | None
    note: str


class DocumentItemOut(Schema):
    code: str
    label: str
    required: bool
    status: Literal["missing", "uploaded", "accepted", "rejected"]
    files: int
    uploads: list[DocumentFileOut]


class ComponentOut(Schema):
    code: str
    program: str | None
    amount: int
    amount_in_words: str | None
    reference: str
    explanation_id: str
    explanation_en: str


class ScholarshipOut(Schema):
    eligible: bool
    max_total: int
    projected_total: int


class BenefitOut(Schema):
    total: int | None
    total_in_words: str | None
    components: list[ComponentOut]
    scholarship: ScholarshipOut | None
    parameter_version: str | None
    computed_at: str | None


class LateOut(Schema):
    as_of: dt.date
    deadline: dt.date
    days_late: int
    amount: int
    amount_in_words: str
    reference: str | None
    components: list[dict[str, Any]]


class ParticipantRef(Schema):
    kpj_number: str
    name: str
    nik: str
    segment: str


class ClaimantOut(Schema):
    name: str
    relation: str


class HistoryOut(Schema):
    at: dt.datetime
    kind: str
    step: str
    by: str
    to: str
    reason: str
    note: str


class ClaimOut(Schema):
    number: str
    status: str
    status_label: str
    status_reason: str | None
    program: str
    outcome: str
    event_date: dt.date
    participant: ParticipantRef
    sponsor: str | None
    branch: str
    source: str
    reported_at: dt.datetime | None
    claimant: ClaimantOut | None
    checks: list[CheckOut]
    heirs: list[HeirOut]
    payees: list[PayeeOut]
    documents: list[DocumentItemOut]
    benefit: BenefitOut | None
    complete_on: dt.date | None
    deadline: dt.date | None
    overdue: bool
    late_compensation: LateOut | None
    decided_on: dt.date | None
    actions: list[str]
    history: list[HistoryOut] = []


class ClaimListItem(Schema):
    number: str
    status: str
    program: str
    outcome: str
    event_date: dt.date
    kpj_number: str
    participant_name: str
    participant_nik: str
    sponsor: str | None
    branch: str
    reported_at: dt.datetime | None
    deadline: dt.date | None
    overdue: bool
    age_days: int

    @staticmethod
    def resolve_kpj_number(obj) -> str:
        return obj.participant.kpj_number

    @staticmethod
    def resolve_participant_name(obj) -> str:
        return obj.participant.person.full_name

    @staticmethod
    def resolve_participant_nik(obj) -> str:
        return mask_nik(obj.participant.person.nik)

    @staticmethod
    def resolve_sponsor(obj) -> str | None:
        return obj.sponsor.code if obj.sponsor_id else None

    @staticmethod
    def resolve_branch(obj) -> str:
        return obj.branch.code

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return selectors.is_overdue(obj)

    @staticmethod
    def resolve_age_days(obj) -> int:
        start = obj.reported_at or obj.created_at
        return (dt.datetime.now(tz=start.tzinfo) - start).days


class CountsOut(Schema):
    unclaimed: int
    intake: int
    verification: int
    approval: int
    overdue: int


def _answer(request, claim) -> dict:
    view = selectors.claim_view(claim, user=request.user)
    return selectors.claim_json(view, user=request.user, history=selectors.timeline(claim))


def _claim(request, number: str):
    require_perm(request, "claims.view_claim")
    return selectors.claim_get(user=request.user, number=number)


@router.get("/claims", response={200: list[ClaimListItem], 404: ErrorOut})
@paginate(Page)
def claim_list(request, queue: Literal["unclaimed", "intake", "verification", "approval", "overdue", "all"] = "all", q: str | None = None):
    """A work queue: unclaimed deaths (oldest first), intake, verification, approval, overdue, or all."""
    require_perm(request, "claims.view_claim")
    return selectors.claim_queue(user=request.user, queue=queue, q=q)


@router.get("/claims/counts", response=CountsOut)
def claim_counts(request):
    """How many claims wait in each work queue."""
    require_perm(request, "claims.view_claim")
    return selectors.queue_counts(user=request.user)


class ReportIn(Schema):
    nik: str = ""
    kpj: str = ""
    name: str = ""
    death_date: dt.date | None = None
    note: str = ""
    accident_at: dt.datetime | None = None
    reported_at: dt.datetime | None = None
    place: str = ""
    description: str = ""


@router.post("/claims/report", response={201: ClaimOut, **ERRORS})
def claim_report(request, payload: ReportIn):
    """Report a death (branch or sponsor staff) — or, with ``accident_at``, a work accident (stage I):
    the case waits for the claim."""
    with audit_source("api"):
        participant = services.find_participant(user=request.user, nik=payload.nik, kpj=payload.kpj, name=payload.name)
        if payload.accident_at:
            claim = services.report_accident(
                participant,
                actor=request.user,
                accident_at=payload.accident_at,
                place=payload.place,
                description=payload.description,
                reported_at=payload.reported_at,
            )
        else:
            if payload.death_date is None:
                raise ServiceError("invalid", _("Give the date of death (or the accident's date and time)."), {"death_date": "required"})
            claim = services.report_death(participant, actor=request.user, death_date=payload.death_date, note=payload.note)
    return Status(201, _answer(request, claim))


@router.get("/claims/{number}", response={200: ClaimOut, 404: ErrorOut})
def claim_detail(request, number: str):
    """One claim with its checks, heirs, payees, benefit, deadline, late compensation and history."""
    return _answer(request, _claim(request, number))


class OpenIn(Schema):
    claimant_name: str | None = None
    claimant_relation: str | None = None
    claimant_phone: str | None = None
    funeral_arranger: str | None = None
    program: Literal["JKM", "JKK"] | None = None
    outcome: Literal["death", "total_disability", "partial_disability", "temporary_incapacity", "medical"] | None = None
    wage: int | None = None
    incapacity_months: int | None = None
    disabilities: list[dict[str, Any]] | None = None
    left_handed: bool | None = None
    death_date: dt.date | None = None


@router.post("/death-files", response={201: dict[str, Any], 413: ErrorOut, **ERRORS})
def claim_death_file(request, file: UploadedFile = File(...)):
    """A file of deaths (a civil-registry or village list: NIK, name, date of death; CSV/TSV or a
    workbook, read by the shared tabular reader): each death matched by NIK and opened as a case
    awaiting the heirs' claim. Row errors as for rosters; nothing is written when the file is
    refused. Branch staff only (a sponsor's staff report deaths one by one)."""
    from django.core.exceptions import PermissionDenied

    from lindung.claims import death_file

    require_perm(request, "claims.report_death")
    if not selectors.can_see_personal_data(request.user):
        raise PermissionDenied(_("Only branch staff may open cases from a file of deaths."))
    with audit_source("api"):
        result = death_file.open_from_file(file, name=file.name or "", actor=request.user)
    return Status(201, result.as_dict())


@router.post("/claims/{number}/open", response={200: ClaimOut, **ERRORS})
def claim_open(request, number: str, payload: OpenIn):
    """Open a reported case as a claim (and record the claimant and the facts); also edits a draft."""
    claim = _claim(request, number)
    fields = payload.model_dump(exclude_none=True)
    death = fields.pop("death_date", None)
    with audit_source("api"):
        services.open_claim(claim, actor=request.user, **fields)
        if death:
            services.record_accident_death(claim, actor=request.user, death_date=death)
    claim.refresh_from_db()
    return Status(200, _answer(request, claim))


class HeirIn(Schema):
    relation: Literal["spouse", "child", "parent", "grandchild", "grandparent", "sibling", "parent_in_law", "will_beneficiary"]
    full_name: str
    nik: str = ""
    birth_date: dt.date | None = None
    sex: Literal["M", "F", ""] = ""
    school_level: Literal["TK", "SD", "SMP", "SMA", "PT", ""] = ""
    phone: str = ""
    address: str = ""


@router.post("/claims/{number}/heirs", response={201: ClaimOut, **ERRORS})
def claim_heir_add(request, number: str, payload: HeirIn):
    """Add a relative named at intake; the rules engine re-determines the entitled class."""
    claim = _claim(request, number)
    require_perm(request, "claims.change_claim")
    with audit_source("api"):
        heirs_service.add_relative(claim, actor=request.user, **payload.model_dump())
    return Status(201, _answer(request, claim))


class PayeeIn(Schema):
    kind: Literal["heir", "funeral_arranger", "social_security_fund", "participant"] = PayeeKind.HEIR
    heir: int | None = None
    share: int = 10_000
    bank_code: str = ""
    account_number: str = ""
    account_holder: str = ""
    name: str = ""


@router.put("/claims/{number}/payees", response={200: ClaimOut, **ERRORS})
def claim_payees_set(request, number: str, payload: list[PayeeIn]):
    """Replace the payees (per the heir certificate): heirs' shares must add up to 10,000 parts."""
    claim = _claim(request, number)
    require_perm(request, "claims.change_claim")
    with audit_source("api"):
        heirs_service.set_payees(claim, [p.model_dump() for p in payload], actor=request.user)
    return Status(200, _answer(request, claim))


@router.post("/claims/{number}/documents", response={201: ClaimOut, 413: ErrorOut, **ERRORS})
def claim_document_upload(request, number: str, code: str = Form(...), file: UploadedFile = File(...), note: str = Form("")):
    """Upload the file of one checklist item (multipart: ``code``, ``file``, optional ``note``).
    PDF, JPEG or PNG only, judged by content; at most the ``claim_document`` size limit (10 MB by
    default, 413 beyond). Sponsor users never upload or see documents."""
    claim = _claim(request, number)
    require_perm(request, "claims.add_claimdocument")
    with audit_source("api"):
        services.upload_document(claim, actor=request.user, code=code, upload=file, note=note)
    return Status(201, _answer(request, claim))


@router.get("/claims/{number}/letter", response={200: None, 403: ErrorOut, 404: ErrorOut})
def claim_letter(request, number: str):
    """The decision letter (PDF, Indonesian) of an approved claim; staff only, each download audited."""
    from lindung.claims import letter
    from lindung.core import files
    from lindung.core.errors import NotFound

    claim = _claim(request, number)
    if not selectors.can_see_personal_data(request.user) or claim.status not in (ClaimStatus.APPROVED, ClaimStatus.READY):
        raise NotFound(_("The decision letter exists once the claim is approved."))
    with audit_source("api"):
        stored = letter.decision_letter_file(claim, actor=request.user)
        return files.serve(request, stored.pk, filename=f"keputusan-{claim.number}.pdf")


class DocumentCheckIn(Schema):
    accepted: bool
    note: str = ""


@router.post("/claims/{number}/documents/{document_id}/check", response={200: ClaimOut, **ERRORS})
def claim_document_check(request, number: str, document_id: int, payload: DocumentCheckIn):
    """The verifier accepts or refuses an uploaded document."""
    claim = _claim(request, number)
    with audit_source("api"):
        services.check_document(claim, actor=request.user, document_id=document_id, accepted=payload.accepted, note=payload.note)
    return Status(200, _answer(request, claim))


class ReimbursementIn(Schema):
    kind: Literal["medical", "transport", "home_care"]
    amount: int
    mode: Literal["land", "sea", "air", ""] = ""
    description: str = ""


@router.post("/claims/{number}/reimbursements", response={201: ClaimOut, **ERRORS})
def claim_reimbursement_add(request, number: str, payload: ReimbursementIn):
    """A JKK medical, transport or home-care cost paid by the claimant (its receipt is a document)."""
    claim = _claim(request, number)
    require_perm(request, "claims.change_claim")
    with audit_source("api"):
        services.add_reimbursement(claim, actor=request.user, **payload.model_dump())
    return Status(201, _answer(request, claim))


class OutreachIn(Schema):
    kind: Literal["visit", "call", "letter"]
    result: Literal["reached", "documents_pending", "not_reached", "wrong_contact", "declined"] = Outreach.Result.NOT_REACHED
    at: dt.datetime | None = None
    contact: str = ""
    note: str = ""


@router.post("/claims/{number}/outreach", response={201: ClaimOut, **ERRORS})
def claim_outreach(request, number: str, payload: OutreachIn):
    """Log an attempt to reach the heirs of an unclaimed death: visit, call or letter and its outcome."""
    claim = _claim(request, number)
    require_perm(request, "claims.change_claim")
    with audit_source("api"):
        services.log_outreach(claim, actor=request.user, **payload.model_dump())
    return Status(201, _answer(request, claim))


class OverrideIn(Schema):
    code: str
    reason: str


@router.post("/claims/{number}/overrides", response={201: ClaimOut, **ERRORS})
def claim_override(request, number: str, payload: OverrideIn):
    """Document the override of a failed check, where the regulation allows it."""
    claim = _claim(request, number)
    with audit_source("api"):
        services.override_check(claim, actor=request.user, code=payload.code, reason=payload.reason)
    return Status(201, _answer(request, claim))


class StepIn(Schema):
    reason: str = ""
    note: str = ""


@router.post("/claims/{number}/steps/{step}", response={200: ClaimOut, **ERRORS})
def claim_step(request, number: str, step: Literal["submit", "verify", "approve", "reject", "return", "release"], payload: StepIn):
    """Take a workflow step: submit, verify, approve (then ready for payment), reject or return
    (with a reason), release. Maker-checker applies; two people at once: one wins, the other 409."""
    claim = _claim(request, number)
    with audit_source("api"):
        services.take_step(claim, step, actor=request.user, reason=payload.reason, note=payload.note)
    claim.refresh_from_db()
    return Status(200, _answer(request, claim))


class TransferIn(Schema):
    to: str
    reason: str


@router.post("/claims/{number}/transfer", response={200: dict[str, str], **ERRORS})
def claim_transfer(request, number: str, payload: TransferIn):
    """Hand the claim to another branch office (the heir moved); it leaves the sender's scope."""
    claim = _claim(request, number)
    branch = selectors.branch_get(user=request.user, code=payload.to)
    with audit_source("api"):
        services.transfer_claim(claim, actor=request.user, to_branch=branch, reason=payload.reason)
    return Status(200, {"number": claim.number, "branch": branch.code, "status": ClaimStatus(claim.status).value})
