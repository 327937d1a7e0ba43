"""Web views: participants (list, detail, card), individual BPU registration, person pages,
membership cards (one, or a sponsor's bulk PDF) and the public card verification page."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache

from lindung.contributions.statuses import status_on
from lindung.core import audit, files
from lindung.core.audit import audit_source
from lindung.core.errors import ServiceError
from lindung.core.formatting import parse_amount
from lindung.core.models import Job
from lindung.core.shortcuts import or_404
from lindung.membership import cards, registration, selectors
from lindung.membership import participant_selectors as sel
from lindung.membership.forms import BpuRegistrationForm, EndMembershipForm
from lindung.membership.models import Participant, Segment, Sponsor
from lindung.registry import views as registry_views
from lindung.registry.forms import apply_service_error


@login_required
@permission_required("membership.view_participant", raise_exception=True)
def participant_list(request):
    filters = {k: request.GET.get(k) or None for k in ("segment", "status", "sponsor", "employer", "project", "q")}
    qs = sel.participant_list(user=request.user, **filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "membership/participant_list.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "segments": Segment.choices,
            "statuses": Participant.Status.choices,
            "sponsors": Sponsor.objects.visible_to(request.user).order_by("name"),
        },
    )


@login_required
@permission_required("membership.view_participant", raise_exception=True)
def participant_detail(request, kpj: str):
    detail = or_404(sel.participant_detail, user=request.user, kpj=kpj)
    p = detail.participant
    if detail.full_nik:
        from lindung.registry.services import record_full_nik_view

        record_full_nik_view(user=request.user, person=p.person, where=audit.Message(gettext_noop("participant page %(kpj)s"), kpj=p.kpj_number))
    status = status_on(p)  # today's, as the coverage and card verification pages answer
    premium = None
    if status != Participant.Status.ENDED:
        try:
            premium = registration.participant_premium(p)
        except ServiceError:
            premium = None
    return render(
        request,
        "membership/participant_detail.html",
        {
            "d": detail,
            "p": p,
            "valid_until": sel.valid_until(p),
            "premium": premium,
            "verify_path": cards.verify_path(p.kpj_number),
            "status": status,
            "status_label": Participant.Status(status).label,
        },
    )


@login_required
@permission_required("membership.change_participant", raise_exception=True)
def participant_end(request, kpj: str):
    participant = or_404(sel.participant_get, user=request.user, kpj=kpj)
    form = EndMembershipForm(request.POST or None, initial={"effective_date": dt.date.today()})
    if request.method == "POST" and form.is_valid():
        try:
            with audit_source("web"):
                registration.end_membership(participant, actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Membership %(kpj)s ended.") % {"kpj": participant.kpj_number})
            return redirect("membership:participant_detail", kpj=participant.kpj_number)
    return render(request, "membership/participant_end.html", {"form": form, "p": participant})


@login_required
@permission_required("membership.view_participant", raise_exception=True)
def participant_card(request, kpj: str):
    participant = or_404(sel.participant_get, user=request.user, kpj=kpj)
    pdf = cards.participant_card_pdf(participant, cards.public_base_url(request), actor=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="card-{kpj}.pdf"'
    return response


@login_required
@permission_required("membership.add_participant", raise_exception=True)
@permission_required("registry.add_person", raise_exception=True)
def register_bpu(request):
    form = BpuRegistrationForm(request.POST or None, initial={"start_date": dt.date.today()})
    if request.method == "POST" and form.is_valid():
        try:
            with audit_source("web"):
                participant = registration.register_bpu(
                    actor=request.user,
                    person=form.person_data(),
                    declared_income=form.cleaned_data["declared_income"],
                    programs=form.programs(),
                    start_date=form.cleaned_data["start_date"],
                )
        except ServiceError as exc:
            apply_service_error(form, exc, prefix="person.")
        else:
            messages.success(
                request, _("Registered %(name)s with KPJ %(kpj)s.") % {"name": participant.person.full_name, "kpj": participant.kpj_number}
            )
            return redirect("membership:participant_detail", kpj=participant.kpj_number)
    low, high = registration.bpu_income_limits(dt.date.today())
    return render(request, "membership/participant_register_bpu.html", {"form": form, "low": low, "high": high})


@login_required
@permission_required("membership.view_participant", raise_exception=True)
def bpu_premium_preview(request):
    """htmx: the monthly premium for a declared income, programmes and start date."""
    error, result = None, None
    try:
        on = dt.date.fromisoformat(request.GET.get("start_date") or dt.date.today().isoformat())
        income = parse_amount(request.GET.get("declared_income") or 0)
        programs = ["JKK", "JKM"] + (["JHT"] if request.GET.get("jht") else [])
        error = registration.bpu_income_problem(income, on)
        if not error:
            result = registration.bpu_premium(income, programs, on)
    except (ValueError, ServiceError):
        error = _("Enter a whole number of rupiah and a valid date.")
    return render(request, "membership/participant_premium.html", {"result": result, "error": error})


# --- cards -----------------------------------------------------------------------------------


@login_required
@permission_required("membership.view_participant", raise_exception=True)
def sponsor_cards(request, code: str):
    """A sponsor's membership cards: start the bulk PDF (officers and the sponsor's own users) and
    download earlier ones."""
    sponsor = Sponsor.objects.visible_to(request.user).filter(code=code).first()
    if sponsor is None:
        raise Http404
    if request.method == "POST":
        if not request.user.has_perm("membership.print_cards"):
            raise PermissionDenied
        try:
            with audit_source("web"):
                job = cards.start_sponsor_cards(sponsor, actor=request.user, base_url=cards.public_base_url(request))
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("core:job_detail", job_id=job.pk)
    count = cards.sponsor_card_queryset(sponsor).count()
    return render(
        request,
        "membership/card_sponsor.html",
        {
            "sponsor": sponsor,
            "count": count,
            "jobs": selectors.card_jobs(user=request.user, sponsor=sponsor),
            "may_print": request.user.has_perm("membership.print_cards"),
        },
    )


@login_required
@permission_required("membership.view_participant", raise_exception=True)
def card_download(request, job_id):
    job = Job.objects.visible_to(request.user).filter(pk=job_id, kind=cards.JOB_KIND).first()
    if job is None:
        raise Http404
    stored = or_404(cards.card_job_file, job=job)
    return or_404(files.serve, request=request, file_id=stored.pk)


@never_cache
def verify(request, kpj: str, token: str):
    """Public (no login): what a scanned card says — masked name, status, valid period."""
    info = or_404(cards.verification, kpj=kpj, token=token)
    return render(request, "membership/verify.html", {"info": info, "today": dt.date.today()})


urlpatterns = [
    path("participants/", participant_list, name="participant_list"),
    path("participants/register/bpu/", register_bpu, name="participant_register_bpu"),
    path("participants/register/bpu/premium/", bpu_premium_preview, name="participant_bpu_premium"),
    path("participants/<str:kpj>/", participant_detail, name="participant_detail"),
    path("participants/<str:kpj>/card.pdf", participant_card, name="participant_card"),
    path("participants/<str:kpj>/end/", participant_end, name="participant_end"),
    path("sponsors/<str:code>/cards/", sponsor_cards, name="sponsor_cards"),
    path("cards/<uuid:job_id>/download/", card_download, name="card_download"),
    path("verify/<str:kpj>/<str:token>/", verify, name="verify"),
    # Person pages (registry context) are mounted here, next to the participants they belong to.
    path("persons/", registry_views.person_list, name="person_list"),
    path("persons/<int:pk>/", registry_views.person_detail, name="person_detail"),
    path("persons/<int:pk>/edit/", registry_views.person_edit, name="person_edit"),
    path("persons/<int:pk>/family/add/", registry_views.family_add, name="person_family_add"),
    path("persons/<int:pk>/family/<int:member_id>/edit/", registry_views.family_edit, name="person_family_edit"),
    path("persons/<int:pk>/family/<int:member_id>/remove/", registry_views.family_remove, name="person_family_remove"),
]
