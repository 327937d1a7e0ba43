"""Web views of the contributions context (server-rendered; writes through services)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from lindung.contributions import bank_statements, billing, documents, payments, selectors, services
from lindung.contributions import jobs as billing_jobs
from lindung.contributions.coverage import coverage_on, statement
from lindung.contributions.statuses import status_on
from lindung.core import files
from lindung.core.audit import audit_source
from lindung.core.errors import FileRejected, NotFound, ServiceError
from lindung.core.formatting import number, parse_amount
from lindung.core.idempotency import first_submission, form_key
from lindung.core.masking import mask_name
from lindung.core.shortcuts import or_404
from lindung.membership.models import Participant, Sponsor


def _date(value: str | None, default: dt.date) -> dt.date:
    """A date in a query string (``?on=``, ``?start=``): the default when missing or unreadable."""
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _posted_date(value: str | None, default: dt.date, field: str = "paid_on") -> dt.date:
    """The date typed in a form's ``field`` (``default`` when left empty); a date that cannot be
    read is a form error naming the field, never silently today."""
    if not value:
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ServiceError("invalid", _("%(value)s is not a date (YYYY-MM-DD).") % {"value": repr(value)[:40]}, {field: "invalid"}) from None


def _payment_id(value: str | None) -> int:
    """The payment chosen in the unmatched queue's form: a number, or a form error."""
    if not (value or "").strip().isdigit():
        raise ServiceError("invalid", _("Choose a payment from the unmatched queue."), {"payment": "invalid"})
    return int(value)


@login_required
@permission_required("contributions.view_invoice", raise_exception=True)
def invoice_list(request):
    if request.method == "POST":
        if not request.user.has_perm("contributions.add_billingrun"):
            raise Http404
        try:
            period = billing.parse_period(request.POST.get("period", ""))
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("contributions:invoice_list")
        try:
            sponsor, employer = billing_jobs.payers_for_billing(
                request.user, sponsor=request.POST.get("sponsor"), employer=request.POST.get("employer")
            )
        except ServiceError as exc:
            # An unknown or out-of-scope code is refused: it must never widen the run to every payer.
            messages.error(request, exc.message)
            return redirect("contributions:invoice_list")
        with audit_source("web"):
            job = billing_jobs.start_billing_run(
                period=period, sponsor=sponsor, employer=employer, correction=bool(request.POST.get("correction")), actor=request.user
            )
        return redirect("core:job_detail", job.pk)
    status = request.GET.get("status") or None
    qs = selectors.invoice_list(user=request.user, status=status, sponsor=request.GET.get("sponsor") or None)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "contributions/invoice_list.html",
        {"page": page, "status": status, "statuses": selectors.Invoice.Status.choices, "sponsors": Sponsor.objects.visible_to(request.user)},
    )


@login_required
@permission_required("contributions.view_invoice", raise_exception=True)
def invoice_detail(request, number: str):
    invoice = or_404(selectors.invoice_get, user=request.user, number=number)
    if request.method == "POST" and request.POST.get("action") == "settle":
        if not request.user.has_perm("contributions.approve_arrearssettlement"):
            raise Http404
        try:
            with transaction.atomic(), audit_source("web"):
                if not first_submission(request):
                    messages.info(request, _("This form was already submitted; it was recorded once."))
                    return redirect("contributions:invoice_detail", number=number)
                services.settle_arrears(
                    invoice=invoice,
                    amount=parse_amount(request.POST.get("amount") or 0),
                    paid_on=_posted_date(request.POST.get("paid_on"), dt.date.today()),
                    reason=request.POST.get("reason", ""),
                    document_reference=request.POST.get("document_reference", ""),
                    bank_reference=request.POST.get("bank_reference") or None,
                    actor=request.user,
                )
            messages.success(request, _("Arrears settled; cover restored."))
        except (ServiceError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
        return redirect("contributions:invoice_detail", number=number)
    if request.method == "POST" and request.POST.get("action") == "cancel":
        if not request.user.has_perm("contributions.change_invoice"):
            raise Http404
        try:
            with audit_source("web"):
                note = billing.cancel_invoice(invoice=invoice, reason=request.POST.get("reason", ""), actor=request.user)
            messages.success(request, _("Invoice cancelled; cancellation note %(number)s issued.") % {"number": note.number})
        except ServiceError as exc:
            messages.error(request, exc.message)
        return redirect("contributions:invoice_detail", number=number)
    from lindung.core.terbilang import terbilang

    return render(
        request,
        "contributions/invoice_detail.html",
        {
            "invoice": invoice,
            "summary": selectors.invoice_summary(invoice),
            "allocations": selectors.invoice_allocations(invoice),
            "words": terbilang(invoice.total, capitalize=True) if invoice.total >= 0 else "",
            "settlements": invoice.settlements.all(),
            "idempotency_key": form_key(),
        },
    )


@login_required
@permission_required("contributions.view_invoice", raise_exception=True)
def invoice_pdf(request, number: str):
    invoice = or_404(selectors.invoice_get, user=request.user, number=number)
    pdf = documents.invoice_pdf(invoice, selectors.invoice_summary(invoice))
    files.record_document_download(
        request.user, invoice, document="invoice_pdf", name=f"{invoice.number}.pdf", size=len(pdf), sponsor_id=invoice.sponsor_id
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
    return response


@login_required
@permission_required("contributions.view_contributionpayment", raise_exception=True)
def payment_list(request):
    if request.method == "POST":
        if not request.user.has_perm("contributions.add_contributionpayment"):
            raise Http404
        action = request.POST.get("action")
        try:
            with audit_source("web"):
                if action == "import" and request.FILES.get("file"):
                    upload = request.FILES["file"]
                    batch = bank_statements.import_bank_statement(content=upload.read(), file_name=upload.name, actor=request.user)
                    messages.success(
                        request,
                        _("Bank statement imported: %(rows)s payments, %(matched)s matched, %(unmatched)s unmatched.")
                        % {"rows": batch.rows, "matched": batch.matched, "unmatched": batch.unmatched},
                    )
                elif action == "match":
                    payment = or_404(selectors.payment_get, user=request.user, pk=_payment_id(request.POST.get("payment")))
                    invoice = or_404(selectors.invoice_get, user=request.user, number=request.POST.get("invoice", "").strip())
                    payments.match_payment(payment=payment, invoice=invoice, actor=request.user)
                    messages.success(request, _("Payment matched to %(invoice)s.") % {"invoice": invoice.number})
                else:
                    with transaction.atomic():
                        if not first_submission(request):
                            messages.info(request, _("This form was already submitted; it was recorded once."))
                            return redirect("contributions:payment_list")
                        try:
                            amount = parse_amount(request.POST.get("amount", ""))
                        except ValueError:
                            raise ServiceError("invalid", _("The amount must be a whole number of rupiah."), {"amount": "invalid"}) from None
                        p = payments.record_payment(
                            amount=amount,
                            paid_on=_posted_date(request.POST.get("paid_on"), dt.date.today()),
                            reference=request.POST.get("reference", ""),
                            bank_reference=request.POST.get("bank_reference") or None,
                            actor=request.user,
                        )
                    messages.success(request, _("Payment recorded (%(status)s).") % {"status": p.get_status_display()})
        except FileRejected as exc:
            messages.error(request, _("The bank statement was rejected, nothing was applied."))
            return render(request, "contributions/payment_list.html", _payments_context(request, row_errors=exc.errors), status=400)
        except ServiceError as exc:
            messages.error(request, exc.message)
        return redirect("contributions:payment_list")
    return render(request, "contributions/payment_list.html", _payments_context(request))


def _payments_context(request, row_errors=None) -> dict:
    status = request.GET.get("status") or None
    page = Paginator(selectors.payment_list(user=request.user, status=status), 50).get_page(request.GET.get("page"))
    unmatched = selectors.payment_list(user=request.user, status="unmatched")[:100]
    return {
        "page": page,
        "status": status,
        "unmatched": unmatched,
        "row_errors": row_errors or [],
        "today": dt.date.today(),
        "idempotency_key": form_key(),
    }


@login_required
@permission_required("contributions.view_invoice", raise_exception=True)
def coverage_check(request):
    """ "Was this worker covered on this day?": a KPJ number and a date lead to the participant's
    coverage page (linked from the staff home page and the participant search)."""
    kpj = (request.GET.get("kpj") or "").strip().replace(" ", "").replace(".", "").replace("-", "")
    on = _date(request.GET.get("on"), dt.date.today())
    error = ""
    if kpj:
        try:
            participant = selectors.participant_get(user=request.user, kpj=kpj)
        except NotFound:
            error = _("No participant has KPJ number %(kpj)s.") % {"kpj": kpj}
        else:
            return redirect(f"{reverse('contributions:participant', args=[participant.kpj_number])}?on={on.isoformat()}")
    return render(request, "contributions/coverage_check.html", {"kpj": kpj, "on": on, "error": error}, status=404 if error else 200)


@login_required
@permission_required("contributions.view_invoice", raise_exception=True)
def participant_contributions(request, kpj: str):
    participant = or_404(selectors.participant_get, user=request.user, kpj=kpj)
    if request.method == "POST" and request.POST.get("action") == "refund":
        if not request.user.has_perm("contributions.add_refund"):
            raise Http404
        try:
            with audit_source("web"):
                refund = services.refund_after_death(participant=participant, actor=request.user)
            if refund is None:
                messages.info(request, _("Nothing to refund: no contribution was paid for months after the death."))
            else:
                messages.success(request, _("Refund of Rp %(amount)s recorded for the payer.") % {"amount": number(refund.amount)})
        except ServiceError as exc:
            messages.error(request, exc.message)
        return redirect("contributions:participant", kpj=kpj)
    if request.method == "POST" and request.POST.get("action") == "prepay":
        if not request.user.has_perm("contributions.add_invoice"):
            raise Http404
        try:
            months = request.POST.get("months", "")
            if not months.isdigit():
                raise ServiceError("invalid", _("Choose 1, 3, 6 or 12 months."), {"months": "1, 3, 6 or 12"})
            with audit_source("web"):
                invoice = billing.prepay(
                    participant=participant,
                    first_month=billing.parse_period(request.POST.get("first_month", "")),
                    months=int(months),
                    actor=request.user,
                )
            messages.success(
                request,
                _("Prepayment invoice %(number)s issued: Rp %(total)s, virtual account %(va)s.")
                % {"number": invoice.number, "total": number(invoice.total), "va": invoice.virtual_account},
            )
            return redirect("contributions:invoice_detail", number=invoice.number)
        except ServiceError as exc:
            messages.error(request, exc.message)
        return redirect("contributions:participant", kpj=kpj)
    on = _date(request.GET.get("on"), dt.date.today())
    results = [coverage_on(participant, on, program=p) for p in (participant.programs or [])]
    status = status_on(participant, on)  # the participant and card verification pages' answer
    return render(
        request,
        "contributions/participant.html",
        {
            "participant": participant,
            "on": on,
            "results": results,
            "status": status,
            "status_label": Participant.Status(status).label,
            "rows": statement(participant),
            "name": mask_name(participant.person.full_name),
        },
    )


@login_required
@permission_required("contributions.view_invoice", raise_exception=True)
def participant_pdf(request, kpj: str):
    participant = or_404(selectors.participant_get, user=request.user, kpj=kpj)
    pdf = documents.statement_pdf(participant, statement(participant), mask_name(participant.person.full_name))
    files.record_document_download(
        request.user, participant, document="contribution_statement_pdf", name=f"iuran-{kpj}.pdf", size=len(pdf), sponsor_id=participant.sponsor_id
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="iuran-{kpj}.pdf"'
    return response


def _period_range(request) -> tuple[dt.date, dt.date]:
    today = dt.date.today()
    return _date(request.GET.get("start"), dt.date(today.year, 1, 1)), _date(request.GET.get("end"), dt.date(today.year, 12, 31))


@login_required
@permission_required("contributions.view_invoice", raise_exception=True)
def sponsor_statement(request, code: str):
    start, end = _period_range(request)
    data = or_404(selectors.sponsor_statement, user=request.user, code=code, start=start, end=end)
    if request.GET.get("format") == "pdf":
        pdf = documents.sponsor_statement_pdf(data)
        sponsor = data["sponsor"]
        files.record_document_download(
            request.user, sponsor, document="sponsor_statement_pdf", name=f"rekening-{code}.pdf", size=len(pdf), sponsor_id=sponsor.pk
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="rekening-{code}.pdf"'
        return response
    return render(request, "contributions/sponsor_statement.html", data)


@login_required
@permission_required("contributions.view_invoice", raise_exception=True)
def reconciliation(request):
    start, end = _period_range(request)
    rows = selectors.reconciliation(user=request.user, start=start, end=end)
    if request.GET.get("format") == "xlsx":
        content = documents.reconciliation_xlsx(rows)
        name = f"rekonsiliasi-{start}-{end}.xlsx"
        sponsor_id = getattr(request.user, "sponsor_id", None)
        files.record_document_download(request.user, None, document="reconciliation_xlsx", name=name, size=len(content), sponsor_id=sponsor_id)
        response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    totals = {k: sum(r[k] for r in rows) for k in ("billed", "fines", "paid", "outstanding")}
    shown = 1000  # self-paying workers have an invoice each; the full list is in the XLSX export
    return render(
        request,
        "contributions/reconciliation.html",
        {"rows": rows[:shown], "more": max(0, len(rows) - shown), "start": start, "end": end, "totals": totals},
    )
