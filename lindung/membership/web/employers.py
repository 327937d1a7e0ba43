"""Web views: employers (PU) with their workers and monthly wage reports, and construction
projects (JAKON) with their workers and per-project premium."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from lindung.core.audit import audit_source
from lindung.core.errors import FileRejected, ServiceError
from lindung.core.formatting import number, parse_amount
from lindung.core.shortcuts import or_404
from lindung.membership import participant_selectors as sel
from lindung.membership import registration
from lindung.membership.forms import EmployerForm, ProjectForm, ProjectWorkerForm, PuWorkerForm, WageUploadForm
from lindung.membership.models import Employer
from lindung.registry.forms import apply_service_error


def _typed_amount(raw: str):
    """A wage typed in the grid (``9.744.000`` or ``9744000``) as integer rupiah; anything else is
    passed on as typed, for the wage report to reject with the row named."""
    try:
        return parse_amount(raw)
    except ValueError:
        return raw


@login_required
@permission_required("membership.view_employer", raise_exception=True)
def employer_list(request):
    q = request.GET.get("q") or None
    page = Paginator(sel.employer_list(user=request.user, q=q), 50).get_page(request.GET.get("page"))
    return render(request, "membership/employer_list.html", {"page": page, "q": q or ""})


@login_required
@permission_required("membership.add_employer", raise_exception=True)
def employer_create(request):
    form = EmployerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with audit_source("web"):
                employer = registration.employer_create(actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Employer %(npp)s registered.") % {"npp": employer.npp})
            return redirect("membership:employer_detail", npp=employer.npp)
    return render(request, "membership/employer_form.html", {"form": form})


def _pu_premium_total(employer: Employer, workers) -> int:
    total = 0
    for w in workers:
        if w.status != "ended" and w.wage:
            total += registration.pu_premium(w.wage, w.risk_class or employer.risk_class, dt.date.today()).total
    return total


@login_required
@permission_required("membership.view_employer", raise_exception=True)
def employer_detail(request, npp: str):
    employer = or_404(sel.employer_get, user=request.user, npp=npp)
    workers = list(sel.employer_workers(user=request.user, employer=employer))
    return render(
        request,
        "membership/employer_detail.html",
        {
            "employer": employer,
            "workers": workers,
            "months": sel.employer_wage_months(user=request.user, employer=employer),
            "projects": sel.project_list(user=request.user, contractor=employer.npp),
            "premium_total": _pu_premium_total(employer, workers),
        },
    )


@login_required
@permission_required("membership.add_participant", raise_exception=True)
@permission_required("registry.add_person", raise_exception=True)
def employer_worker_add(request, npp: str):
    employer = or_404(sel.employer_get, user=request.user, npp=npp)
    form = PuWorkerForm(request.POST or None, initial={"start_date": dt.date.today()})
    if request.method == "POST" and form.is_valid():
        worker = {**form.person_data(), "wage": form.cleaned_data["wage"], "start_date": form.cleaned_data["start_date"]}
        try:
            with audit_source("web"):
                (participant,) = registration.register_pu_workers(employer, [worker], actor=request.user)
        except ServiceError as exc:
            apply_service_error(form, exc, prefix="workers.1.")
        else:
            messages.success(
                request, _("Registered %(name)s with KPJ %(kpj)s.") % {"name": participant.person.full_name, "kpj": participant.kpj_number}
            )
            return redirect("membership:employer_detail", npp=employer.npp)
    return render(request, "membership/employer_worker_form.html", {"form": form, "employer": employer})


@login_required
@permission_required("membership.add_wagereport", raise_exception=True)
def employer_wages(request, npp: str):
    """Enter a month's wages: one field per current worker, or a CSV upload (kpj,wage)."""
    employer = or_404(sel.employer_get, user=request.user, npp=npp)
    workers = [w for w in sel.employer_workers(user=request.user, employer=employer) if w.status != "ended"]
    today = dt.date.today()
    form = WageUploadForm(request.POST or None, request.FILES or None, initial={"period": today.replace(day=1)})
    row_errors, typed = [], {}
    if request.method == "POST" and form.is_valid():
        try:
            upload = form.cleaned_data.get("file")
            if upload:
                rows = registration.parse_wage_file(upload)
            else:
                rows = []
                for i, w in enumerate(workers, start=1):
                    raw = (request.POST.get(f"wage_{w.kpj_number}") or "").strip()
                    typed[w.kpj_number] = raw
                    if raw:
                        wage = _typed_amount(raw)
                        rows.append(registration.WageRow(i, w.kpj_number, wage))
            with audit_source("web"):
                result = registration.record_wages(employer, form.cleaned_data["period"], rows, actor=request.user)
        except FileRejected as exc:
            row_errors = exc.errors
            form.add_error(None, _("Nothing was saved: %(n)s problem(s) below.") % {"n": len(exc.errors)})
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Wage report for %(period)s saved: %(rows)s workers, total Rp %(total)s.")
                % {"period": result["period"][:7], "rows": result["rows"], "total": number(result["total_wage"])},
            )
            return redirect("membership:employer_detail", npp=employer.npp)
    for w in workers:
        w.typed_wage = typed.get(w.kpj_number, w.wage or "")
    return render(request, "membership/employer_wages.html", {"form": form, "employer": employer, "workers": workers, "row_errors": row_errors})


# --- construction projects ---------------------------------------------------------------------


@login_required
@permission_required("membership.view_project", raise_exception=True)
def project_list(request):
    page = Paginator(sel.project_list(user=request.user, contractor=request.GET.get("contractor") or None), 50).get_page(request.GET.get("page"))
    return render(request, "membership/project_list.html", {"page": page})


@login_required
@permission_required("membership.add_project", raise_exception=True)
def project_create(request):
    employers = Employer.objects.visible_to(request.user).order_by("name")
    form = ProjectForm(request.POST or None, employers=employers, initial={"contractor": request.GET.get("contractor")})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            with audit_source("web"):
                project = registration.register_project(actor=request.user, **data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Project %(number)s registered.") % {"number": project.number})
            return redirect("membership:project_detail", number=project.number)
    return render(request, "membership/project_form.html", {"form": form})


@login_required
@permission_required("membership.view_project", raise_exception=True)
def project_detail(request, number: str):
    project = or_404(sel.project_get, user=request.user, number=number)
    premium = registration.project_premium(project)
    form = None
    if request.user.has_perms(["membership.add_participant", "registry.add_person"]):
        form = ProjectWorkerForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            worker = {**form.person_data(), "wage": form.cleaned_data.get("wage")}
            try:
                with audit_source("web"):
                    registration.project_add_workers(project, [worker], actor=request.user)
            except ServiceError as exc:
                apply_service_error(form, exc, prefix="workers.1.")
            else:
                messages.success(request, _("Worker added to the project."))
                return redirect("membership:project_detail", number=project.number)
    return render(
        request,
        "membership/project_detail.html",
        {"project": project, "premium": premium, "workers": sel.project_workers(user=request.user, project=project), "form": form},
    )


urlpatterns = [
    path("employers/", employer_list, name="employer_list"),
    path("employers/new/", employer_create, name="employer_create"),
    path("employers/<str:npp>/", employer_detail, name="employer_detail"),
    path("employers/<str:npp>/workers/add/", employer_worker_add, name="employer_worker_add"),
    path("employers/<str:npp>/wages/", employer_wages, name="employer_wages"),
    path("projects/", project_list, name="project_list"),
    path("projects/new/", project_create, name="project_create"),
    path("projects/<str:number>/", project_detail, name="project_detail"),
]
