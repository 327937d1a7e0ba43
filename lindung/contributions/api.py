"""Contributions API: billing runs, invoices, payments, bank statements, coverage and statements."""

import datetime as dt
from typing import Annotated

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from lindung.contributions import bank_statements, billing, documents, payments, selectors, services
from lindung.contributions import jobs as billing_jobs
from lindung.contributions.coverage import coverage_on, statement
from lindung.core import files
from lindung.core.api import Page, errors, idempotent, require_perm
from lindung.core.audit import audit_source
from lindung.core.errors import ServiceError
from lindung.core.models import Job

router = Router(tags=["contributions"])


class InvoiceOut(Schema):
    number: str
    kind: str
    payer_type: str
    payer: str
    sponsor: str | None
    segment: str
    period_start: dt.date
    period_end: dt.date
    issue_date: dt.date
    due_date: dt.date
    total: int
    fine_amount: int
    paid_amount: int
    outstanding: int
    status: str
    virtual_account: str

    @staticmethod
    def resolve_payer(obj) -> str:
        return obj.payer_name if hasattr(obj, "payer_name") else obj["payer"]

    @staticmethod
    def resolve_sponsor(obj) -> str | None:
        if isinstance(obj, dict):
            return obj["sponsor"]
        return obj.sponsor.code if obj.sponsor_id else None


def _invoice(i) -> dict:
    return {
        "number": i.number,
        "kind": i.kind,
        "payer_type": i.payer_type,
        "payer": i.payer_name,
        "sponsor": i.sponsor.code if i.sponsor_id else None,
        "segment": i.segment,
        "period_start": i.period_start,
        "period_end": i.period_end,
        "issue_date": i.issue_date,
        "due_date": i.due_date,
        "total": i.total,
        "fine_amount": i.fine_amount,
        "paid_amount": i.paid_amount,
        "outstanding": i.outstanding,
        "status": i.status,
        "virtual_account": i.virtual_account,
    }


class BillingRunIn(Schema):
    period: str
    sponsor: str | None = None
    employer: str | None = None
    correction: bool = False


class BillingRunOut(Schema):
    invoices: int
    lines: int
    total: int
    created: int
    job_id: str


class BillingRunQueuedOut(Schema):
    job_id: str
    status: str


# An amount of money received: beyond any payment (1e19 overflowed the database: 500) it is a 422
# naming the field; zero or negative, the service's 400 "must be positive".
Amount = Annotated[int, Field(le=payments.MAX_PAYMENT_AMOUNT)]


class PaymentIn(Schema):
    amount: Amount
    paid_on: dt.date
    reference: str = ""
    bank_reference: str | None = None
    invoice: str | None = None


class PaymentOut(Schema):
    id: int
    amount: int
    paid_on: dt.date
    reference: str
    bank_reference: str | None
    method: str
    status: str


class MatchIn(Schema):
    invoice: str


class SettleIn(Schema):
    amount: Amount
    paid_on: dt.date
    reason: str
    document_reference: str
    bank_reference: str | None = None


def _payment(p) -> dict:
    return {
        "id": p.pk,
        "amount": p.amount,
        "paid_on": p.paid_on,
        "reference": p.reference,
        "bank_reference": p.bank_reference,
        "method": p.method,
        "status": p.status,
    }


# Job failures answered with the status the service would have answered (others: 400).
_JOB_ERROR_STATUS = {"billing_conflict": 409, "not_found": 404}


@router.post("/contributions/billing-runs", response={201: BillingRunOut, 202: BillingRunQueuedOut, **errors(404, 409, 500)})
@idempotent
def billing_run(request, payload: BillingRunIn):
    """Start a billing run as a ``contributions.billing_run`` job. 201 with the summary and
    ``job_id`` when the job finished already (embedded default); 202 with ``job_id`` while it is
    queued (``LINDUNG_TASKS_BACKEND=database``): poll ``GET /jobs/{job_id}``. An unknown or
    out-of-scope sponsor code or employer NPP is refused (404) and nothing is billed."""
    require_perm(request, "contributions.add_billingrun")
    period = billing.parse_period(payload.period)
    for name in ("sponsor", "employer"):
        value = getattr(payload, name)
        if value is not None and not value.strip():
            raise ServiceError(
                "invalid",
                _("%(field)s: give a code or leave the field out (an empty value does not mean every payer).") % {"field": name},
                {name: "empty"},
            )
    sponsor, employer = billing_jobs.payers_for_billing(request.user, sponsor=payload.sponsor, employer=payload.employer)
    with audit_source("api"):
        job = billing_jobs.start_billing_run(period=period, sponsor=sponsor, employer=employer, correction=payload.correction, actor=request.user)
    if job.status == Job.Status.FAILED:
        err = (job.result or {}).get("error")
        if not err:
            # An unexpected error (a lost database connection …): its text stays in the log.
            raise ServiceError(
                "job_failed",
                _("The billing run failed because of an unexpected error; it has been logged (job %(job)s, request %(request_id)s).")
                % {"job": job.pk, "request_id": getattr(request, "request_id", "-")},
                {"job_id": str(job.pk)},
                status=500,
            )
        raise ServiceError(
            err["code"], err["message"], {**(err.get("fields") or {}), "job_id": str(job.pk)}, status=_JOB_ERROR_STATUS.get(err["code"], 400)
        )
    if job.status == Job.Status.SUCCEEDED:
        return Status(201, {**job.result, "job_id": str(job.pk)})
    return Status(202, {"job_id": str(job.pk), "status": job.status})


@router.get("/contributions/invoices", response={200: list[InvoiceOut], **errors(404)})
@paginate(Page)
def invoice_list(request, status: str | None = None, sponsor: str | None = None, period: str | None = None):
    require_perm(request, "contributions.view_invoice")
    p = billing.parse_period(period) if period else None
    return selectors.invoice_list(user=request.user, status=status, sponsor=sponsor, period=p)


@router.get("/contributions/invoices/{number}", response=InvoiceOut)
def invoice_detail(request, number: str):
    require_perm(request, "contributions.view_invoice")
    return _invoice(selectors.invoice_get(user=request.user, number=number))


@router.get("/contributions/invoices/{number}/pdf", response={200: None})
def invoice_pdf(request, number: str):
    require_perm(request, "contributions.view_invoice")
    invoice = selectors.invoice_get(user=request.user, number=number)
    pdf = documents.invoice_pdf(invoice, selectors.invoice_summary(invoice))
    files.record_document_download(
        request.user, invoice, document="invoice_pdf", name=f"{invoice.number}.pdf", size=len(pdf), sponsor_id=invoice.sponsor_id
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
    return response


@router.post("/contributions/invoices/{number}/settle-arrears", response={201: dict, **errors(409)})
@idempotent
def settle(request, number: str, payload: SettleIn):
    require_perm(request, "contributions.approve_arrearssettlement")
    invoice = selectors.invoice_get(user=request.user, number=number)
    with audit_source("api"):
        s = services.settle_arrears(
            invoice=invoice,
            amount=payload.amount,
            paid_on=payload.paid_on,
            reason=payload.reason,
            document_reference=payload.document_reference,
            bank_reference=payload.bank_reference,
            actor=request.user,
        )
    return Status(201, {"settlement": s.pk, "payment": s.payment_id, "participants_restored": s.participants_restored})


class CancelIn(Schema):
    reason: str


@router.post("/contributions/invoices/{number}/cancel", response={200: InvoiceOut, **errors(409)})
@idempotent
def cancel(request, number: str, payload: CancelIn):
    """Cancel an invoice nothing was paid on; answers the cancelled invoice."""
    require_perm(request, "contributions.change_invoice")
    invoice = selectors.invoice_get(user=request.user, number=number)
    with audit_source("api"):
        billing.cancel_invoice(invoice=invoice, reason=payload.reason, actor=request.user)
    invoice.refresh_from_db()
    return Status(200, _invoice(invoice))


@router.get("/contributions/payments", response=list[PaymentOut])
@paginate(Page)
def payment_list(request, status: str | None = None):
    require_perm(request, "contributions.view_contributionpayment")
    return selectors.payment_list(user=request.user, status=status)


@router.post("/contributions/payments", response={201: PaymentOut, **errors(404, 409)})
@idempotent
def payment_create(request, payload: PaymentIn):
    require_perm(request, "contributions.add_contributionpayment")
    invoice = selectors.invoice_get(user=request.user, number=payload.invoice) if payload.invoice else None
    with audit_source("api"):
        p = payments.record_payment(
            amount=payload.amount,
            paid_on=payload.paid_on,
            reference=payload.reference,
            bank_reference=payload.bank_reference,
            invoice=invoice,
            actor=request.user,
        )
    return Status(201, _payment(p))


@router.post("/contributions/payments/{pk}/match", response={200: PaymentOut, **errors(409)})
@idempotent
def payment_match(request, pk: int, payload: MatchIn):
    require_perm(request, "contributions.change_contributionpayment")
    payment = selectors.payment_get(user=request.user, pk=pk)
    invoice = selectors.invoice_get(user=request.user, number=payload.invoice)
    with audit_source("api"):
        p = payments.match_payment(payment=payment, invoice=invoice, actor=request.user)
    return Status(200, _payment(p))


@router.post("/contributions/bank-statements", response={201: dict, **errors(409)})
@idempotent
def bank_statement(request, file: File[UploadedFile]):
    require_perm(request, "contributions.add_contributionpayment")
    with audit_source("api"):
        batch = bank_statements.import_bank_statement(content=file.read(), file_name=file.name or "statement.csv", actor=request.user)
    return Status(201, {"rows": batch.rows, "matched": batch.matched, "unmatched": batch.unmatched, "total": batch.total})


@router.get("/contributions/coverage/{kpj}")
def coverage(request, kpj: str, on: dt.date, program: str | None = None):
    require_perm(request, "contributions.view_invoice")
    participant = selectors.participant_get(user=request.user, kpj=kpj)
    return coverage_on(participant, on, program=program).as_dict()


@router.get("/contributions/participants/{kpj}/statement")
def participant_statement(request, kpj: str):
    require_perm(request, "contributions.view_invoice")
    participant = selectors.participant_get(user=request.user, kpj=kpj)
    rows = statement(participant)
    return {"participant": kpj, "months": [{**r, "month": r["month"].isoformat()} for r in rows], "paid": sum(r["paid"] for r in rows)}


@router.post("/contributions/participants/{kpj}/refund-after-death", response={201: dict, 200: dict, **errors(409)})
@idempotent
def refund(request, kpj: str):
    require_perm(request, "contributions.add_refund")
    participant = selectors.participant_get(user=request.user, kpj=kpj)
    with audit_source("api"):
        r = services.refund_after_death(participant=participant, actor=request.user)
    if r is None:
        return Status(200, {"refund": None, "amount": 0})
    return Status(201, {"refund": r.pk, "amount": r.amount, "months": r.months, "payer": r.payer_key})


class PrepayIn(Schema):
    first_month: str
    months: int


@router.post("/contributions/participants/{kpj}/prepay", response={201: InvoiceOut, **errors(409)})
@idempotent
def prepay(request, kpj: str, payload: PrepayIn):
    """A self-paying BPU worker prepays 1, 3, 6 or 12 months: one prepayment invoice."""
    require_perm(request, "contributions.add_invoice")
    participant = selectors.participant_get(user=request.user, kpj=kpj)
    with audit_source("api"):
        invoice = billing.prepay(
            participant=participant, first_month=billing.parse_period(payload.first_month), months=payload.months, actor=request.user
        )
    return Status(201, _invoice(invoice))


@router.get("/contributions/sponsors/{code}/statement")
def sponsor_statement(request, code: str, start: dt.date | None = None, end: dt.date | None = None):
    """Defaults: the current calendar year."""
    require_perm(request, "contributions.view_invoice")
    today = dt.date.today()
    start = start or dt.date(today.year, 1, 1)
    end = end or dt.date(today.year, 12, 31)
    data = selectors.sponsor_statement(user=request.user, code=code, start=start, end=end)
    return {
        "sponsor": code,
        "start": start,
        "end": end,
        "billed": data["billed"],
        "fines": data["fines"],
        "paid": data["paid"],
        "outstanding": data["outstanding"],
        "credit": data["credit"],
        "refunds_due": data["refunds_due"],
        "invoices": [_invoice(i) for i in data["invoices"]],
    }


@router.get("/contributions/reconciliation")
def reconciliation(request, start: dt.date, end: dt.date):
    require_perm(request, "contributions.view_invoice")
    return {"rows": selectors.reconciliation(user=request.user, start=start, end=end)}
