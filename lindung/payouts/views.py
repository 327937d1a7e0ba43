"""Web pages of payouts: orders and the claims ready for payment, batches (authorise, export, the
bank's answer with its row errors), hand-over events. Thin: reads through ``selectors``, writes
through ``services``."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lindung.claims import selectors as claim_selectors
from lindung.core import files
from lindung.core.audit import audit_source
from lindung.core.errors import FileRejected, ServiceError
from lindung.core.shortcuts import or_404
from lindung.payouts import bankfiles, selectors, services
from lindung.payouts.models import OrderStatus

app_name = "payouts"


@login_required
@permission_required("payouts.view_paymentorder", raise_exception=True)
def orders(request):
    status = request.GET.get("status") or ""
    if status and status not in OrderStatus.values:
        raise Http404(_("Unknown status."))
    qs = selectors.orders(user=request.user, status=status or None, q=request.GET.get("q"))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "payouts/orders.html",
        {
            "page": page,
            "rows": [selectors.order_row(o, user=request.user) for o in page.object_list],
            "status": status,
            "statuses": OrderStatus.choices,
            "ready_claims": list(selectors.ready_claims(user=request.user)[:100]),
            "formats": bankfiles.formats().values(),
            "today": timezone.localdate().isoformat(),
            "q": request.GET.get("q") or "",
        },
    )


@login_required
@require_POST
@permission_required("payouts.add_paymentorder", raise_exception=True)
def claim_orders(request, number):
    claim = or_404(claim_selectors.claim_get, user=request.user, number=number)
    try:
        with audit_source("web"):
            created = services.create_orders_for_claim(claim, actor=request.user)
        messages.success(request, _("%(n)s payment order(s) made for %(claim)s.") % {"n": len(created), "claim": claim.number})
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("payouts:orders")


@login_required
@permission_required("payouts.view_paymentorder", raise_exception=True)
def order_detail(request, number):
    o = or_404(selectors.order, user=request.user, number=number)
    if request.method == "POST":
        if not request.user.has_perm("payouts.add_paymentorder"):
            raise Http404
        try:
            with audit_source("web"):
                new = services.reissue_order(
                    o,
                    actor=request.user,
                    bank_code=request.POST.get("bank_code") or None,
                    account_number=request.POST.get("account_number") or None,
                    account_holder=request.POST.get("account_holder") or "",
                )
            messages.success(request, _("Order %(old)s re-issued as %(new)s.") % {"old": o.number, "new": new.number})
            return redirect("payouts:order", new.number)
        except ServiceError as exc:
            messages.error(request, exc.message)
    return render(
        request,
        "payouts/order.html",
        {"o": o, "row": selectors.order_row(o, user=request.user), "history": selectors.order_history(o), "banks": bankfiles_banks()},
    )


def bankfiles_banks():
    from lindung.rules.banks import banks

    return list(banks())


@login_required
@permission_required("payouts.view_paymentbatch", raise_exception=True)
def batches(request):
    if request.method == "POST":
        if not request.user.has_perm("payouts.add_paymentbatch"):
            raise Http404
        numbers = request.POST.getlist("orders")
        try:
            found = [selectors.order(user=request.user, number=n) for n in numbers]
            execution = dt.date.fromisoformat(request.POST["execution_date"]) if request.POST.get("execution_date") else None
            with audit_source("web"):
                b = services.create_batch(
                    found, actor=request.user, execution_date=execution, bank_format=request.POST.get("bank_format") or "default"
                )
            messages.success(request, _("Batch %(number)s made: %(n)s orders.") % {"number": b.number, "n": b.count})
            return redirect("payouts:batch", b.number)
        except (ServiceError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
            return redirect("payouts:orders")
    page = Paginator(selectors.batches(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "payouts/batches.html", {"page": page})


@login_required
@permission_required("payouts.view_paymentbatch", raise_exception=True)
def batch_detail(request, number):
    b = or_404(selectors.batch, user=request.user, number=number)
    errors = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            with audit_source("web"):
                if action == "authorise":
                    outcome = services.authorise_batch(b, actor=request.user, note=request.POST.get("note", ""))
                    messages.success(request, _("Batch authorised.") if outcome.moved else _("Authorisation recorded; another authoriser is needed."))
                elif action == "cancel":
                    services.cancel_batch(b, actor=request.user, reason=request.POST.get("reason", ""), note=request.POST.get("note", ""))
                    messages.success(request, _("Batch cancelled."))
                elif action == "answer":
                    if not request.user.has_perm("payouts.import_bankanswer"):
                        raise Http404
                    upload = request.FILES.get("file")
                    if upload is None:
                        raise ServiceError("invalid", _("Choose the bank's answer file."), {"file": "required"})
                    result = services.import_bank_answer(b, upload.read(), actor=request.user, filename=upload.name or "answer")
                    if result.duplicate:
                        messages.info(request, _("This answer was imported before; nothing changed."))
                    else:
                        messages.success(
                            request,
                            _("Answer imported: %(paid)s paid, %(failed)s failed, %(unknown)s unknown, %(unchanged)s unchanged.")
                            % {
                                "paid": len(result.paid),
                                "failed": len(result.failed),
                                "unknown": len(result.unknown),
                                "unchanged": len(result.unchanged),
                            },
                        )
                else:
                    raise Http404
            if errors is None:
                return redirect("payouts:batch", b.number)
        except FileRejected as exc:
            errors = exc.errors
            messages.error(request, _("The answer was rejected, nothing was applied: %(n)s problem(s).") % {"n": len(exc.errors)})
        except ServiceError as exc:
            messages.error(request, exc.message)
    orders_page = Paginator(selectors.batch_orders(user=request.user, batch=b), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "payouts/batch.html",
        {
            "b": b,
            "orders": [selectors.order_row(o, user=request.user) for o in orders_page.object_list],
            "orders_page": orders_page,
            "actions": selectors.batch_actions(b, user=request.user),
            "answers": selectors.answers(user=request.user, batch=b),
            "history": selectors.batch_history(b),
            "row_errors": errors,
            "can_export": request.user.has_perm("payouts.export_paymentbatch") and b.status in ("authorised", "exported", "closed"),
            "can_import": request.user.has_perm("payouts.import_bankanswer") and b.status in ("exported", "closed"),
            "formats": bankfiles.formats().values(),
        },
    )


@login_required
@permission_required("payouts.export_paymentbatch", raise_exception=True)
def batch_export(request, number, kind):
    """The batch's file for the bank: made (and the batch exported) on the first request, the same
    stored file afterwards, served by the scoped, audited file view. A POST makes it again."""
    b = or_404(selectors.batch, user=request.user, number=number)
    if kind not in ("pain001", "csv"):
        raise Http404
    try:
        with audit_source("web"):
            stored = services.bank_file(
                b, actor=request.user, file_format=kind, bank_format=request.GET.get("format") or None, regenerate=request.method == "POST"
            )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("payouts:batch", b.number)
    return or_404(files.serve, request=request, file_id=stored.pk)


def _officials(text: str) -> list[dict]:
    out = []
    for line in text.splitlines():
        if line.strip():
            role, _sep, name = line.partition(":")
            out.append({"role": role.strip(), "name": name.strip()} if name else {"role": "", "name": role.strip()})
    return out


@login_required
@permission_required("payouts.view_handoverevent", raise_exception=True)
def events(request):
    if request.method == "POST":
        if not request.user.has_perm("payouts.add_handoverevent"):
            raise Http404
        try:
            numbers = [n.strip() for n in request.POST.get("claims", "").replace(",", "\n").splitlines() if n.strip()]
            claims = [claim_selectors.claim_get(user=request.user, number=n) for n in numbers]
            with audit_source("web"):
                e = services.create_handover_event(
                    actor=request.user,
                    title=request.POST.get("title", ""),
                    date=dt.date.fromisoformat(request.POST.get("date") or ""),
                    place=request.POST.get("place", ""),
                    claims=claims,
                    officials=_officials(request.POST.get("officials", "")),
                    note=request.POST.get("note", ""),
                )
            return redirect("payouts:event", e.pk)
        except (ServiceError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", None) or _("Give the date as YYYY-MM-DD."))
    return render(request, "payouts/events.html", {"events": selectors.events(user=request.user)[:200]})


@login_required
@permission_required("payouts.view_handoverevent", raise_exception=True)
def event_detail(request, pk):
    e = or_404(selectors.event, user=request.user, pk=pk)
    cases = list(selectors.event_cases(user=request.user, event=e))
    return render(request, "payouts/event.html", {"e": e, "cases": cases, "summary": services.event_summary(e, cases)})


@login_required
@permission_required("payouts.view_handovercase", raise_exception=True)
def event_pdf(request, pk):
    e = or_404(selectors.event, user=request.user, pk=pk)
    if request.user.role_names & {"sponsor"}:
        raise Http404
    pdf = services.handover_pdf(e)
    files.record_document_download(request.user, e, document="handover_pdf", name=f"penyerahan-santunan-{e.pk}.pdf", size=len(pdf))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="penyerahan-santunan-{e.pk}.pdf"'
    return response


urlpatterns = [
    path("", orders, name="orders"),
    path("claims/<str:number>/orders", claim_orders, name="claim_orders"),
    path("orders/<str:number>/", order_detail, name="order"),
    path("batches/", batches, name="batches"),
    path("batches/<str:number>/", batch_detail, name="batch"),
    path("batches/<str:number>/export/<str:kind>", batch_export, name="batch_export"),
    path("events/", events, name="events"),
    path("events/<int:pk>/", event_detail, name="event"),
    path("events/<int:pk>/pdf", event_pdf, name="event_pdf"),
]


@login_required
@permission_required("payouts.view_scholarshipyear", raise_exception=True)
def scholarships(request):
    year = int(request.GET.get("year") or services.current_school_year())
    if request.method == "POST":
        try:
            with audit_source("web"):
                action = request.POST.get("action")
                if not request.user.has_perm("payouts.change_scholarshipyear") and not request.user.has_perm("payouts.add_paymentorder"):
                    raise Http404
                if action == "open":
                    r = services.open_school_year(year, actor=request.user, branch=request.user.branch if request.user.branch_id else None)
                    messages.success(request, _("School year %(y)s opened: %(n)s yearly claims.") % {"y": year, "n": r["opened"]})
                elif action in ("enrolment", "not_in_school", "approve"):
                    y = or_404(selectors.scholarship_year, user=request.user, pk=int(request.POST.get("id") or 0))
                    if action == "enrolment":
                        services.record_enrolment(
                            y,
                            actor=request.user,
                            level=request.POST.get("level", ""),
                            school_class=int(request.POST.get("school_class") or 0),
                            school_name=request.POST.get("school_name", ""),
                            bank_code=request.POST.get("bank_code", ""),
                            account_number=request.POST.get("account_number", ""),
                            account_name=request.POST.get("account_name", ""),
                        )
                        if request.FILES.get("proof"):
                            services.attach_enrolment_proof(y, actor=request.user, upload=request.FILES["proof"])
                    elif action == "not_in_school":
                        services.record_not_in_school(y, actor=request.user)
                    else:
                        o = services.approve_scholarship_year(y, actor=request.user)
                        messages.success(request, _("Payment order %(n)s made.") % {"n": o.number})
                else:
                    raise Http404
        except ServiceError as exc:
            messages.error(request, exc.message)
        return redirect(f"{request.path}?year={year}")
    page = Paginator(selectors.scholarship_years(user=request.user, year=year), 100).get_page(request.GET.get("page"))
    return render(request, "payouts/scholarships.html", {"page": page, "year": year, "banks": bankfiles_banks()})


@login_required
@permission_required("payouts.view_paymentorder", raise_exception=True)
def liabilities(request):
    year = int(request.GET.get("year") or services.current_school_year())
    return render(request, "payouts/liabilities.html", {"owed": selectors.liabilities(user=request.user, school_year=year), "year": year})


@login_required
@permission_required("payouts.view_paymentorder", raise_exception=True)
def history(request):
    claim_number, nik = (request.GET.get("claim") or "").strip(), (request.GET.get("nik") or "").strip()
    rows = []
    if claim_number or nik:
        claim = or_404(claim_selectors.claim_get, user=request.user, number=claim_number) if claim_number else None
        rows = [selectors.order_row(o, user=request.user) for o in selectors.payment_history(user=request.user, claim=claim, payee_nik=nik or None)]
    return render(request, "payouts/history.html", {"rows": rows, "claim": claim_number, "nik": nik})


urlpatterns += [
    path("scholarships/", scholarships, name="scholarships"),
    path("liabilities/", liabilities, name="liabilities"),
    path("history/", history, name="history"),
]
