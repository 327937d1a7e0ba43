"""Web pages of the reports context: the sponsors whose report a user may read, one sponsor's
programme report for a period (a month, a quarter or a year), and its downloads (XLSX, PDF)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from lindung.core.audit import audit_source
from lindung.core.errors import ServiceError
from lindung.core.scoping import scope_kind
from lindung.core.shortcuts import or_404
from lindung.reports import document, downloads, selectors
from lindung.reports.periods import KINDS, parse_period, period_of

PERMISSION = "reports.view_sponsorreport"


@login_required
@permission_required(PERMISSION, raise_exception=True)
def index(request):
    sponsors = list(selectors.report_sponsors(user=request.user))
    if scope_kind(request.user) == "sponsor" and len(sponsors) == 1 and sponsors[0].report_url:
        return redirect(sponsors[0].report_url)
    return render(request, "reports/index.html", {"sponsors": sponsors})


def _period(request):
    try:
        return parse_period(request.GET.get("period")), ""
    except ServiceError as exc:
        return parse_period(None), exc.message


@login_required
@permission_required(PERMISSION, raise_exception=True)
def sponsor(request, code):
    period, error = _period(request)
    report = or_404(selectors.programme_report, user=request.user, code=code, period=period)
    kinds = [(kind, period_of(kind, period.start)) for kind in KINDS]
    return render(
        request,
        "reports/sponsor.html",
        {
            "report": report,
            "sections": document.sections(report),
            "title": document.title(report),
            "subtitle": document.subtitle(report),
            "kinds": kinds,
            "period_error": error,
            "base": reverse("reports:sponsor", args=[report.sponsor_code]),
        },
    )


@login_required
@permission_required(PERMISSION, raise_exception=True)
def download(request, code, fmt):
    if fmt not in downloads.FORMATS:
        raise Http404()
    period, error = _period(request)
    if error:
        raise Http404(error)
    report = or_404(selectors.programme_report, user=request.user, code=code, period=period)
    with audit_source("web"):
        file = downloads.report_file(report, fmt, actor=request.user)
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return response
