"""The payouts API: payment orders, batches (authorise, export, the bank's answer), hand-over events.

Every operation is in the OpenAPI schema; errors have the project's one shape. Accounts are masked in
lists; the exports carry them whole (finance only, audited).
"""

import datetime as dt

from django.http import HttpResponse
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from lindung.claims import selectors as claim_selectors
from lindung.core import files
from lindung.core.api import ErrorOut, Page, idempotent, require_perm
from lindung.core.audit import audit_source
from lindung.payouts import selectors, services

router = Router(tags=["payouts"])
SCHOOL_YEAR_MIN, SCHOOL_YEAR_MAX = 2000, 2999
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class OrderOut(Schema):
    number: str
    claim: str
    group: str
    status: str
    status_label: str
    amount: int
    benefit_amount: int
    late_compensation: int
    payee_name: str
    payee_nik: str
    bank_code: str
    bank_name: str
    account_number: str
    account_holder: str
    batch: str | None
    failure_code: str
    failure_reason: str
    reissue_of: str | None
    paid_on: dt.date | None


class BatchOut(Schema):
    number: str
    status: str
    status_label: str
    bank_format: str
    execution_date: dt.date
    count: int
    total: int
    created_by: str | None
    exported_at: dt.datetime | None
    actions: list[str]


class BatchIn(Schema):
    orders: list[str]
    execution_date: dt.date | None = None
    bank_format: str = "default"
    note: str = ""


class NoteIn(Schema):
    note: str = ""


class CancelIn(Schema):
    reason: str
    note: str = ""


class ReissueIn(Schema):
    bank_code: str | None = None
    account_number: str | None = None
    account_holder: str = ""


class AnswerOut(Schema):
    kind: str
    filename: str
    duplicate: bool
    rows: int
    paid: list[str]
    failed: list[str]
    unknown: list[str]
    unchanged: list[str]
    batch_status: str


class OfficialIn(Schema):
    role: str
    name: str


class EventIn(Schema):
    title: str
    date: dt.date
    place: str
    claims: list[str]
    officials: list[OfficialIn] = []
    note: str = ""


class CaseOut(Schema):
    claim: str
    mark: str
    mark_label: str
    heir_name: str
    deceased_name: str
    program: str
    amount: int


class EventOut(Schema):
    id: int
    title: str
    date: dt.date
    place: str
    officials: list[dict]
    count: int
    total: int
    total_in_words: str
    press_line: str
    by_mark: dict
    cases: list[CaseOut]


def _batch(request, b) -> dict:
    return {
        "number": b.number,
        "status": b.status,
        "status_label": b.get_status_display(),
        "bank_format": b.bank_format,
        "execution_date": b.execution_date,
        "count": b.count,
        "total": b.total,
        "created_by": b.created_by.get_username() if b.created_by_id else None,
        "exported_at": b.exported_at,
        "actions": selectors.batch_actions(b, user=request.user),
    }


def _event(request, e) -> dict:
    cases = list(selectors.event_cases(user=request.user, event=e))
    summary = services.event_summary(e, cases)
    return {
        "id": e.pk,
        "title": e.title,
        "date": e.date,
        "place": e.place,
        "officials": e.officials,
        **{k: summary[k] for k in ("count", "total", "total_in_words", "press_line", "by_mark")},
        "cases": [
            {
                "claim": c.claim.number,
                "mark": c.mark,
                "mark_label": c.get_mark_display(),
                "heir_name": c.heir_name,
                "deceased_name": c.deceased_name,
                "program": c.program,
                "amount": c.amount,
            }
            for c in cases
        ],
    }


@router.get("/payouts/orders", response=list[OrderOut])
@paginate(Page)
def order_list(request, status: str | None = None, q: str | None = None):
    """Payment orders (accounts and NIKs masked)."""
    require_perm(request, "payouts.view_paymentorder")
    return [selectors.order_row(o, user=request.user) for o in selectors.orders(user=request.user, status=status, q=q)[:5000]]


@router.get("/payouts/orders/{number}", response={200: OrderOut, **ERRORS})
def order_detail(request, number: str):
    require_perm(request, "payouts.view_paymentorder")
    return selectors.order_row(selectors.order(user=request.user, number=number), user=request.user)


@router.post("/payouts/claims/{number}/orders", response={201: list[OrderOut], **ERRORS})
@idempotent
def claim_orders(request, number: str):
    """The payment orders of a claim ready for payment (one per payee; late compensation added)."""
    require_perm(request, "payouts.add_paymentorder")
    claim = claim_selectors.claim_get(user=request.user, number=number)
    with audit_source("api"):
        created = services.create_orders_for_claim(claim, actor=request.user)
    return Status(201, [selectors.order_row(o, user=request.user) for o in created])


@router.post("/payouts/orders/{number}/reissue", response={201: OrderOut, **ERRORS})
@idempotent
def order_reissue(request, number: str, payload: ReissueIn):
    """A failed order re-issued as a new order after the account is corrected (the old one kept)."""
    require_perm(request, "payouts.add_paymentorder")
    o = selectors.order(user=request.user, number=number)
    with audit_source("api"):
        new = services.reissue_order(o, actor=request.user, **payload.model_dump())
    return Status(201, selectors.order_row(new, user=request.user))


@router.get("/payouts/batches", response=list[BatchOut])
@paginate(Page)
def batch_list(request, status: str | None = None):
    require_perm(request, "payouts.view_paymentbatch")
    return [_batch(request, b) for b in selectors.batches(user=request.user, status=status)[:2000]]


@router.post("/payouts/batches", response={201: BatchOut, **ERRORS})
@idempotent
def batch_create(request, payload: BatchIn):
    """A draft batch of orders awaiting a batch (by order number)."""
    require_perm(request, "payouts.add_paymentbatch")
    found = [selectors.order(user=request.user, number=n) for n in payload.orders]
    with audit_source("api"):
        b = services.create_batch(
            found, actor=request.user, execution_date=payload.execution_date, bank_format=payload.bank_format, note=payload.note
        )
    return Status(201, _batch(request, b))


@router.get("/payouts/batches/{number}", response={200: BatchOut, **ERRORS})
def batch_detail(request, number: str):
    require_perm(request, "payouts.view_paymentbatch")
    return _batch(request, selectors.batch(user=request.user, number=number))


@router.get("/payouts/batches/{number}/orders", response=list[OrderOut])
@paginate(Page)
def batch_order_list(request, number: str):
    require_perm(request, "payouts.view_paymentorder")
    b = selectors.batch(user=request.user, number=number)
    return [selectors.order_row(o, user=request.user) for o in selectors.batch_orders(user=request.user, batch=b)]


@router.post("/payouts/batches/{number}/authorise", response={200: BatchOut, **ERRORS})
def batch_authorise(request, number: str, payload: NoteIn):
    """The second person's authorisation (not whoever made the batch; levels by amount)."""
    b = selectors.batch(user=request.user, number=number)
    with audit_source("api"):
        services.authorise_batch(b, actor=request.user, note=payload.note)
    return _batch(request, b)


@router.post("/payouts/batches/{number}/cancel", response={200: BatchOut, **ERRORS})
def batch_cancel(request, number: str, payload: CancelIn):
    b = selectors.batch(user=request.user, number=number)
    with audit_source("api"):
        services.cancel_batch(b, actor=request.user, reason=payload.reason, note=payload.note)
    return _batch(request, b)


@router.get("/payouts/batches/{number}/pain001", response={200: None, **ERRORS})
def batch_pain001(request, number: str, regenerate: bool = False):
    """The authorised batch as ISO 20022 pain.001.001.09. The first export sends its orders and
    stores the file; later calls serve the same file (``regenerate=true`` makes it again, audited).
    Served like ``GET /files/{id}`` (scope, permission, the download audited)."""
    require_perm(request, "payouts.export_paymentbatch")
    b = selectors.batch(user=request.user, number=number)
    with audit_source("api"):
        stored = services.bank_file(b, actor=request.user, file_format="pain001", regenerate=regenerate)
        return files.serve(request, stored.pk)


@router.get("/payouts/batches/{number}/csv", response={200: None, **ERRORS})
def batch_csv(request, number: str, bank_format: str | None = None, regenerate: bool = False):
    """The authorised batch as the bank's bulk-transfer CSV (the batch's format unless named);
    stored once, like the pain.001."""
    require_perm(request, "payouts.export_paymentbatch")
    b = selectors.batch(user=request.user, number=number)
    with audit_source("api"):
        stored = services.bank_file(b, actor=request.user, file_format="csv", bank_format=bank_format, regenerate=regenerate)
        return files.serve(request, stored.pk)


@router.post("/payouts/batches/{number}/answer", response={201: AnswerOut, **ERRORS})
def batch_answer(request, number: str, file: File[UploadedFile]):
    """The bank's answer (result CSV, pain.002 or camt.054): all rows applied or, on any row error,
    none (422 ``file_rejected`` with the rows). The same file again changes nothing."""
    require_perm(request, "payouts.import_bankanswer")
    b = selectors.batch(user=request.user, number=number)
    with audit_source("api"):
        result = services.import_bank_answer(b, file.read(), actor=request.user, filename=file.name or "answer")
    a = result.answer
    return Status(
        201,
        {
            "kind": a.kind,
            "filename": a.filename,
            "duplicate": result.duplicate,
            "rows": a.rows,
            "paid": result.paid,
            "failed": result.failed,
            "unknown": result.unknown,
            "unchanged": result.unchanged,
            "batch_status": b.status,
        },
    )


@router.get("/payouts/handover-events", response=list[EventOut])
@paginate(Page)
def event_list(request):
    """Hand-over events (a sponsor's staff: the events with their workers, only their cases)."""
    require_perm(request, "payouts.view_handoverevent")
    return [_event(request, e) for e in selectors.events(user=request.user)[:500]]


@router.post("/payouts/handover-events", response={201: EventOut, **ERRORS})
def event_create(request, payload: EventIn):
    require_perm(request, "payouts.add_handoverevent")
    claims = [claim_selectors.claim_get(user=request.user, number=n) for n in payload.claims]
    with audit_source("api"):
        e = services.create_handover_event(
            actor=request.user,
            title=payload.title,
            date=payload.date,
            place=payload.place,
            claims=claims,
            officials=[o.model_dump() for o in payload.officials],
            note=payload.note,
        )
    return Status(201, _event(request, e))


@router.get("/payouts/handover-events/{event_id}", response={200: EventOut, **ERRORS})
def event_detail(request, event_id: int):
    require_perm(request, "payouts.view_handoverevent")
    return _event(request, selectors.event(user=request.user, pk=event_id))


@router.get("/payouts/handover-events/{event_id}/pdf", response={200: None, **ERRORS})
def event_pdf(request, event_id: int):
    """The printable list with the total in figures and words and the press line (staff)."""
    require_perm(request, "payouts.view_handoverevent", "payouts.view_handovercase")
    e = selectors.event(user=request.user, pk=event_id)
    pdf = services.handover_pdf(e)
    files.record_document_download(request.user, e, document="handover_pdf", name=f"penyerahan-santunan-{e.pk}.pdf", size=len(pdf))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="penyerahan-santunan-{e.pk}.pdf"'
    return response


# ---------------------------------------------------------------------- scholarships, history, what is owed
class ScholarshipYearOut(Schema):
    id: int
    claim: str
    child: str
    school_year: int
    status: str
    level: str
    school_class: int | None
    school_name: str
    amount: int
    schedule_status: str
    proof: bool


class OpenYearIn(Schema):
    # A school year the calendar can hold (year 0 or 10000 answered 500).
    year: int = Field(ge=SCHOOL_YEAR_MIN, le=SCHOOL_YEAR_MAX)


class EnrolmentIn(Schema):
    level: str
    school_class: int
    school_name: str
    year_in_level: int | None = None
    bank_code: str = ""
    account_number: str = ""
    account_name: str = ""


class StopIn(Schema):
    reason: str
    on: dt.date
    work_months: int = 0
    bpu_worker: bool = False
    apprentice: bool = False


def _year(y) -> dict:
    return {
        "id": y.pk,
        "claim": y.schedule.claim.number,
        "child": y.schedule.child_name,
        "school_year": y.school_year,
        "status": y.status,
        "level": y.level,
        "school_class": y.school_class,
        "school_name": y.school_name,
        "amount": y.amount,
        "schedule_status": y.schedule.status,
        "proof": y.proof_id is not None,
    }


@router.get("/payouts/scholarships", response=list[ScholarshipYearOut])
@paginate(Page)
def scholarship_list(request, year: int | None = Query(None, ge=SCHOOL_YEAR_MIN, le=SCHOOL_YEAR_MAX), status: str | None = None):
    """The yearly scholarship claims of a school year (default: the current one)."""
    require_perm(request, "payouts.view_scholarshipyear")
    return [_year(y) for y in selectors.scholarship_years(user=request.user, year=year or services.current_school_year(), status=status)]


@router.post("/payouts/scholarships/open", response={201: dict, **ERRORS})
@idempotent
def scholarship_open(request, payload: OpenYearIn):
    """Open the school year for every active child (as ``lindung scholarships open --year``)."""
    require_perm(request, "payouts.change_scholarshipyear")
    with audit_source("api"):
        result = services.open_school_year(payload.year, actor=request.user, branch=request.user.branch if request.user.branch_id else None)
    return Status(201, result)


@router.post("/payouts/scholarships/{year_id}/enrolment", response={200: ScholarshipYearOut, **ERRORS})
def scholarship_enrolment(request, year_id: int, payload: EnrolmentIn):
    require_perm(request, "payouts.change_scholarshipyear")
    y = selectors.scholarship_year(user=request.user, pk=year_id)
    with audit_source("api"):
        y = services.record_enrolment(y, actor=request.user, **payload.model_dump())
    return _year(y)


@router.post("/payouts/scholarships/{year_id}/proof", response={200: ScholarshipYearOut, **ERRORS})
def scholarship_proof(request, year_id: int, file: File[UploadedFile]):
    """The proof of enrolment (PDF, JPEG or PNG; checked by content, size-limited)."""
    require_perm(request, "payouts.change_scholarshipyear")
    y = selectors.scholarship_year(user=request.user, pk=year_id)
    with audit_source("api"):
        y = services.attach_enrolment_proof(y, actor=request.user, upload=file)
    return _year(y)


@router.post("/payouts/scholarships/{year_id}/not-in-school", response={200: ScholarshipYearOut, **ERRORS})
def scholarship_not_in_school(request, year_id: int):
    require_perm(request, "payouts.change_scholarshipyear")
    y = selectors.scholarship_year(user=request.user, pk=year_id)
    with audit_source("api"):
        y = services.record_not_in_school(y, actor=request.user)
    return _year(y)


@router.post("/payouts/scholarships/{year_id}/approve", response={201: OrderOut, **ERRORS})
@idempotent
def scholarship_approve(request, year_id: int):
    """Approve the year: a payment order to the child's or guardian's account."""
    y = selectors.scholarship_year(user=request.user, pk=year_id)
    with audit_source("api"):
        order = services.approve_scholarship_year(y, actor=request.user)
    return Status(201, selectors.order_row(order, user=request.user))


@router.post("/payouts/scholarship-schedules/{schedule_id}/stop", response={200: dict, **ERRORS})
def scholarship_stop(request, schedule_id: int, payload: StopIn):
    """A stop event (married, working, deceased, …) with its date ends the schedule."""
    require_perm(request, "payouts.change_scholarshipschedule")
    s = selectors.schedule(user=request.user, pk=schedule_id)
    with audit_source("api"):
        s = services.record_stop_event(s, actor=request.user, **payload.model_dump())
    return {"id": s.pk, "status": s.status, "stop_reason": s.stop_reason, "stop_date": s.stop_date}


@router.get("/payouts/claims/{number}/history", response=list[OrderOut])
def claim_history(request, number: str):
    """Every payment order of a claim, oldest first (re-issues and scholarship years included)."""
    require_perm(request, "payouts.view_paymentorder")
    claim = claim_selectors.claim_get(user=request.user, number=number)
    return [selectors.order_row(o, user=request.user) for o in selectors.payment_history(user=request.user, claim=claim)]


@router.get("/payouts/heirs/{nik}/history", response=list[OrderOut])
def heir_history(request, nik: str):
    """Every payment order to one heir (by NIK)."""
    require_perm(request, "payouts.view_paymentorder")
    return [selectors.order_row(o, user=request.user) for o in selectors.payment_history(user=request.user, payee_nik=nik)]


@router.get("/payouts/liabilities", response=dict)
def liabilities(request, school_year: int | None = Query(None, ge=SCHOOL_YEAR_MIN, le=SCHOOL_YEAR_MAX)):
    """What is owed: approved not paid, scholarships due this school year, committed for later
    years; in total and per sponsor."""
    require_perm(request, "payouts.view_paymentorder")
    return selectors.liabilities(user=request.user, school_year=school_year or services.current_school_year())
