"""Web views: the branch office's verification queue (``/verification/``): rows rosters held for
verification, beside the registered person, and changes rosters propose to the register; accept
or reject each (through ``membership.held.services``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lindung.core.errors import ServiceError
from lindung.core.shortcuts import or_404
from lindung.membership.held import selectors, services
from lindung.membership.held.reasons import PROPOSAL_REASONS, ROW_REASONS
from lindung.membership.held.workflow import CHANGE_PROPOSAL, HELD_ROW
from lindung.membership.models import Verdict
from lindung.registry import services as registry_services

TABS = (("held", gettext_lazy("Held roster rows")), ("proposals", gettext_lazy("Proposed changes")))
STATUSES = ("pending", "accepted", "rejected", "all")


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=(("accept", "accept"), ("reject", "reject")), widget=forms.HiddenInput)
    reason = forms.ChoiceField(label=gettext_lazy("Reason (when rejecting)"), required=False)
    note = forms.CharField(
        label=gettext_lazy("Note (for the branch office only)"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, reasons: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", "—"), *((code, text) for code, text in reasons.items())]


@login_required
@permission_required("membership.view_heldrow", raise_exception=True)
def queue(request):
    tab = request.GET.get("tab") or "held"
    if tab not in dict(TABS):
        raise Http404(_("Unknown work queue."))
    status = request.GET.get("status") or "pending"
    if status not in STATUSES:
        status = "pending"
    wanted = None if status == "all" else status
    if tab == "held":
        qs = selectors.held_rows(user=request.user, status=wanted)
    else:
        if not request.user.has_perm("membership.view_changeproposal"):
            raise Http404
        qs = selectors.proposals(user=request.user, status=wanted)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    statuses = [(s, Verdict(s).label if s != "all" else _("All")) for s in STATUSES]
    return render(
        request,
        "membership/verification_queue.html",
        {
            "tab": tab,
            "tabs": TABS,
            "status": status,
            "statuses": statuses,
            "page": page,
            "rows": page.object_list,
            "counts": selectors.queue_counts(user=request.user),
        },
    )


@login_required
@permission_required("membership.view_heldrow", raise_exception=True)
def held_row_detail(request, pk: int):
    row = or_404(selectors.held_row_get, user=request.user, pk=pk)
    form = DecisionForm(request.POST or None, reasons=ROW_REASONS)
    if request.method == "POST":
        if not request.user.has_perm("membership.decide_heldrow"):
            raise Http404
        if form.is_valid():
            try:
                if form.cleaned_data["decision"] == "accept":
                    services.accept_held_row(row, actor=request.user, note=form.cleaned_data["note"])
                    messages.success(request, _("Accepted: the worker is enrolled."))
                else:
                    services.reject_held_row(row, actor=request.user, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"])
                    messages.success(request, _("Rejected: the sponsor sees the reason on its import."))
                return redirect("membership:held_row_detail", pk=row.pk)
            except ServiceError as exc:
                form.add_error(None, exc.message)
    registry_services.record_full_nik_view(user=request.user, person=row.person, where="held roster row page")
    return render(
        request,
        "membership/held_row_detail.html",
        {
            "row": row,
            "comparison": selectors.comparison(row),
            "form": form,
            "actions": [t.name for t in HELD_ROW.available(row, actor=request.user)],
            "history": HELD_ROW.history(row),
        },
    )


@login_required
@permission_required("membership.view_changeproposal", raise_exception=True)
def proposal_detail(request, pk: int):
    proposal = or_404(selectors.proposal_get, user=request.user, pk=pk)
    form = DecisionForm(request.POST or None, reasons=PROPOSAL_REASONS)
    if request.method == "POST":
        if not request.user.has_perm("membership.decide_changeproposal"):
            raise Http404
        if form.is_valid():
            try:
                if form.cleaned_data["decision"] == "accept":
                    services.accept_proposal(proposal, actor=request.user, note=form.cleaned_data["note"])
                    messages.success(request, _("Accepted: the register is updated."))
                else:
                    services.reject_proposal(proposal, actor=request.user, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"])
                    messages.success(request, _("Rejected: the register is unchanged."))
                return redirect("membership:proposal_detail", pk=proposal.pk)
            except ServiceError as exc:
                form.add_error(None, exc.message)
    return render(
        request,
        "membership/proposal_detail.html",
        {
            "proposal": proposal,
            "form": form,
            "actions": [t.name for t in CHANGE_PROPOSAL.available(proposal, actor=request.user)],
            "history": CHANGE_PROPOSAL.history(proposal),
        },
    )


urlpatterns = [
    path("verification/", queue, name="verification"),
    path("verification/rows/<int:pk>/", held_row_detail, name="held_row_detail"),
    path("verification/changes/<int:pk>/", proposal_detail, name="proposal_detail"),
]
