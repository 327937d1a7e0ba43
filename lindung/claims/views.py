"""Web pages of the claims context: work queues per role, reporting a death, the intake page with
its checklist, the claim page with checks, heirs, benefit, timeline and the actions the user's role
allows, and the decision letter. Thin: reads through ``selectors``, writes through ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lindung.claims import forms, letter, selectors, services
from lindung.claims import heirs as heirs_service
from lindung.claims.models import ClaimStatus
from lindung.claims.workflow import CLAIM
from lindung.core import files
from lindung.core.audit import audit_source
from lindung.core.errors import ServiceError
from lindung.core.shortcuts import or_404
from lindung.registry.forms import apply_service_error

app_name = "claims"

QUEUE_LABELS = {
    "unclaimed": gettext_lazy("Awaiting the heirs' claim"),
    "intake": gettext_lazy("Intake"),
    "verification": gettext_lazy("Verification"),
    "approval": gettext_lazy("Approval"),
    "overdue": gettext_lazy("Overdue"),
    "all": gettext_lazy("All claims"),
}


def _default_queue(user) -> str:
    if user.has_perm("claims.approve_claim") and not user.has_perm("claims.add_claim"):
        return "approval"
    if user.has_perm("claims.verify_claim") and not user.has_perm("claims.add_claim"):
        return "verification"
    if user.has_perm("claims.add_claim"):
        return "unclaimed"
    return "all"


@login_required
@permission_required("claims.view_claim", raise_exception=True)
def queue(request):
    name = request.GET.get("queue") or _default_queue(request.user)
    if name not in selectors.QUEUES:
        raise Http404(_("Unknown work queue."))
    qs = selectors.claim_queue(user=request.user, queue=name, q=request.GET.get("q"))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    claims = list(page.object_list)
    if name == "unclaimed":
        selectors.with_outreach(claims, user=request.user)
    rows = [{"claim": c, "overdue": selectors.is_overdue(c)} for c in claims]
    return render(
        request,
        "claims/queue.html",
        {
            "queue": name,
            "queues": [(k, str(v)) for k, v in QUEUE_LABELS.items()],
            "counts": selectors.queue_counts(user=request.user),
            "page": page,
            "rows": rows,
            "q": request.GET.get("q") or "",
        },
    )


@login_required
def report(request):
    if not (request.user.has_perm("claims.report_death") or request.user.has_perm("claims.add_claim")):
        raise Http404
    form = forms.ReportDeathForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with audit_source("web"):
                participant = services.find_participant(user=request.user, **form.lookup())
                claim = services.report_death(
                    participant, actor=request.user, death_date=form.cleaned_data["death_date"], note=form.cleaned_data["note"]
                )
        except ServiceError as exc:
            apply_service_error(form, exc)
            if "participant" in exc.fields and "participant" not in form.errors:
                form.add_error("participant", exc.message)
        else:
            messages.success(request, _("Death reported: case %(number)s awaits the heirs' claim.") % {"number": claim.number})
            return redirect("claims:detail", number=claim.number)
    return render(request, "claims/report.html", {"form": form})


def _page(request, claim, **extra):
    view = selectors.claim_view(claim, user=request.user)
    actions = CLAIM.available(claim, actor=request.user) if view.personal else []
    context = {
        "v": view,
        "c": claim,
        "actions": [t for t in actions if t.name not in ("open",)],
        "can_open": any(t.name == "open" for t in actions),
        "timeline": selectors.timeline(claim) if view.personal else [],
        "step_form": forms.StepForm(),
        "outreach_form": forms.OutreachForm(),
        "transfer_form": forms.TransferForm(branches=selectors.transfer_targets(user=request.user, claim=claim)),
        "can_transfer": request.user.has_perm("claims.transfer_claim") and claim.status not in (ClaimStatus.READY, ClaimStatus.REJECTED),
        "editable": view.personal
        and request.user.has_perm("claims.change_claim")
        and claim.status in (ClaimStatus.DRAFT, ClaimStatus.RETURNED, ClaimStatus.REPORTED),
        "can_check_documents": request.user.has_perm("claims.verify_claim") and claim.status == ClaimStatus.SUBMITTED,
    }
    context.update(extra)
    return render(request, "claims/detail.html", context)


@login_required
@permission_required("claims.view_claim", raise_exception=True)
def detail(request, number: str):
    return _page(request, or_404(selectors.claim_get, user=request.user, number=number))


@login_required
@permission_required("claims.change_claim", raise_exception=True)
def intake_page(request, number: str):
    claim = or_404(selectors.claim_get, user=request.user, number=number)
    view = selectors.claim_view(claim, user=request.user)
    heirs = [h for h in view.heirs if h.entitled]
    open_form = forms.OpenForm(
        request.POST if request.POST.get("form") == "open" else None,
        initial={k: getattr(claim, k) for k in ("claimant_name", "claimant_relation", "claimant_phone", "funeral_arranger")},
    )
    relative_form = forms.RelativeForm(request.POST if request.POST.get("form") == "relative" else None, prefix="rel")
    payee_form = forms.PayeeForm(request.POST if request.POST.get("form") == "payee" else None, heirs=heirs, prefix="pay")
    is_doc = request.POST.get("form") == "document"
    document_form = forms.DocumentUploadForm(request.POST if is_doc else None, request.FILES if is_doc else None, items=view.checklist, prefix="doc")
    if request.method == "POST":
        which = request.POST.get("form")
        try:
            with audit_source("web"):
                if which == "open" and open_form.is_valid():
                    services.open_claim(claim, actor=request.user, **open_form.cleaned_data)
                    messages.success(request, _("Claim %(number)s saved.") % {"number": claim.number})
                    return redirect("claims:intake", number=claim.number)
                if which == "relative" and relative_form.is_valid():
                    heirs_service.add_relative(
                        claim,
                        actor=request.user,
                        **{k: v or "" for k, v in relative_form.cleaned_data.items() if k != "birth_date"},
                        birth_date=relative_form.cleaned_data["birth_date"],
                    )
                    messages.success(request, _("Relative added; the entitled heirs are determined again."))
                    return redirect("claims:intake", number=claim.number)
                if which == "payee" and payee_form.is_valid():
                    heirs_service.add_payee(claim, payee_form.cleaned_data, actor=request.user)
                    messages.success(request, _("Payee saved."))
                    return redirect("claims:intake", number=claim.number)
                if which == "document" and document_form.is_valid():
                    d = document_form.cleaned_data
                    services.upload_document(claim, actor=request.user, code=d["code"], upload=d["file"], note=d["note"])
                    messages.success(request, _("Document uploaded."))
                    return redirect("claims:intake", number=claim.number)
        except ServiceError as exc:
            target = {"open": open_form, "relative": relative_form, "payee": payee_form, "document": document_form}.get(which)
            if target is not None:
                apply_service_error(target, exc, prefix="payees.0." if which == "payee" else "")
            else:
                messages.error(request, exc.message)
    return render(
        request,
        "claims/intake.html",
        {
            "v": view,
            "c": claim,
            "open_form": open_form,
            "relative_form": relative_form,
            "payee_form": payee_form,
            "document_form": document_form,
            "can_upload": request.user.has_perm("claims.add_claimdocument") and claim.status in services.DOCUMENT_STATUSES,
        },
    )


@login_required
@require_POST
def step(request, number: str, name: str):
    claim = or_404(selectors.claim_get, user=request.user, number=number)
    form = forms.StepForm(request.POST)
    form.is_valid()
    try:
        with audit_source("web"):
            if name == "open":
                services.open_claim(claim, actor=request.user)
            else:
                services.take_step(
                    claim, name, actor=request.user, reason=form.cleaned_data.get("reason", ""), note=form.cleaned_data.get("note", "")
                )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("claims:detail", number=claim.number)
    except ValueError:
        raise Http404 from None
    claim.refresh_from_db()
    messages.success(request, _("Claim %(number)s: %(status)s.") % {"number": claim.number, "status": claim.get_status_display()})
    if name == "open":
        return redirect("claims:intake", number=claim.number)
    return redirect("claims:detail", number=claim.number)


@login_required
@require_POST
@permission_required("claims.change_claim", raise_exception=True)
def outreach(request, number: str):
    claim = or_404(selectors.claim_get, user=request.user, number=number)
    form = forms.OutreachForm(request.POST)
    if form.is_valid():
        try:
            with audit_source("web"):
                services.log_outreach(claim, actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Outreach attempt logged."))
    else:
        messages.error(request, _("The outreach attempt is not complete."))
    return redirect("claims:detail", number=claim.number)


@login_required
@require_POST
def document_check(request, number: str, document_id: int):
    claim = or_404(selectors.claim_get, user=request.user, number=number)
    try:
        with audit_source("web"):
            services.check_document(
                claim, actor=request.user, document_id=document_id, accepted=request.POST.get("result") == "accept", note=request.POST.get("note", "")
            )
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("claims:detail", number=claim.number)


@login_required
@require_POST
def transfer(request, number: str):
    claim = or_404(selectors.claim_get, user=request.user, number=number)
    form = forms.TransferForm(request.POST, branches=selectors.transfer_targets(user=request.user, claim=claim))
    if not form.is_valid():
        messages.error(request, _("Choose the branch office and give a reason."))
        return redirect("claims:detail", number=claim.number)
    try:
        with audit_source("web"):
            services.transfer_claim(
                claim,
                actor=request.user,
                to_branch=selectors.branch_get(user=request.user, code=form.cleaned_data["to_branch"]),
                reason=form.cleaned_data["reason"],
            )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("claims:detail", number=claim.number)
    messages.success(request, _("Claim %(number)s transferred to %(branch)s.") % {"number": claim.number, "branch": claim.branch.name})
    return redirect("claims:queue")


@login_required
@permission_required("claims.view_claim", raise_exception=True)
def decision_letter(request, number: str):
    claim = or_404(selectors.claim_get, user=request.user, number=number)
    if not selectors.can_see_personal_data(request.user) or claim.status not in (ClaimStatus.APPROVED, ClaimStatus.READY):
        raise Http404(_("The decision letter exists once the claim is approved."))
    with audit_source("web"):
        stored = letter.decision_letter_file(claim, actor=request.user)
        return or_404(files.serve, request=request, file_id=stored.pk, filename=f"keputusan-{claim.number}.pdf", inline=True)  # audited


urlpatterns = [
    path("", queue, name="queue"),
    path("report/", report, name="report"),
    path("<str:number>/", detail, name="detail"),
    path("<str:number>/intake/", intake_page, name="intake"),
    path("<str:number>/steps/<str:name>/", step, name="step"),
    path("<str:number>/outreach/", outreach, name="outreach"),
    path("<str:number>/documents/<int:document_id>/check/", document_check, name="document_check"),
    path("<str:number>/transfer/", transfer, name="transfer"),
    path("<str:number>/letter.pdf", decision_letter, name="letter"),
]
