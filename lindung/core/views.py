from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from lindung.core import jobs, selectors
from lindung.core.audit import audit_source
from lindung.core.errors import ServiceError
from lindung.core.shortcuts import or_404


@require_GET
@never_cache
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return JsonResponse({"status": "error", "database": "error", "detail": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "vendor": connection.vendor})


@login_required
def home(request):
    return render(request, "core/home.html", {"panels": selectors.home_panels(request.user)})


@login_required
@permission_required("core.view_auditevent", raise_exception=True)
def audit_list(request):
    action = request.GET.get("action")
    qs = selectors.audit_event_list(user=request.user, action=action)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_list.html", {"page": page, "action": action or ""})


@login_required
@permission_required("core.view_job", raise_exception=True)
def job_detail(request, job_id):
    job = or_404(selectors.job_get, user=request.user, job_id=job_id)
    template = "core/_job_progress.html" if request.htmx else "core/job_detail.html"
    return render(
        request,
        template,
        {
            "job": job,
            "result_template": _result_template(job),
            "may_retry": job.status in (job.Status.FAILED, job.Status.CANCELLED) and jobs.may_manage(request.user, job),
            "may_cancel": job.status == job.Status.QUEUED and jobs.may_manage(request.user, job, cancelling=True),
        },
    )


def _visible_job(request, job_id):
    return or_404(selectors.job_get, user=request.user, job_id=job_id)


@login_required
@permission_required("core.view_job", raise_exception=True)
@require_POST
def job_retry(request, job_id):
    job = _visible_job(request, job_id)
    if not jobs.may_manage(request.user, job):
        raise PermissionDenied
    try:
        with audit_source("web"):
            again = jobs.retry_job(job, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("core:job_detail", job.pk)
    return redirect("core:job_detail", again.pk)


@login_required
@permission_required("core.view_job", raise_exception=True)
@require_POST
def job_cancel(request, job_id):
    job = _visible_job(request, job_id)
    if not jobs.may_manage(request.user, job, cancelling=True):
        raise PermissionDenied
    try:
        with audit_source("web"):
            jobs.cancel_job(job, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("core:job_detail", job.pk)


def _result_template(job) -> str | None:
    """A context shows a finished job's result its own way with ``<app>/jobs/<name>.html`` for
    kind ``<app>.<name>`` (included in the job page); without one the result is listed as is."""
    app, _, name = job.kind.partition(".")
    if not job.is_finished or not name:
        return None
    path = f"{app}/jobs/{name}.html"
    try:
        get_template(path)
    except TemplateDoesNotExist:
        return None
    return path
