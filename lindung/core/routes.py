"""API routes of the shared kernel: who am I, jobs, the audit trail."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from lindung.core import audit, jobs, selectors
from lindung.core.api import ErrorOut, Page, require_perm
from lindung.core.audit import audit_source

router = Router(tags=["platform"])


class MeOut(Schema):
    username: str
    full_name: str
    roles: list[str]
    branch: str | None
    sponsor: str | None


@router.get("/me", response=MeOut)
def me(request):
    user = request.user
    return {
        "username": user.username,
        "full_name": user.get_full_name(),
        "roles": sorted(user.role_names),
        "branch": user.branch.code if user.branch_id else None,
        "sponsor": user.sponsor.code if user.sponsor_id else None,
    }


class JobOut(Schema):
    id: uuid.UUID
    kind: str
    status: str
    progress_done: int
    progress_total: int | None
    percent: int | None
    message: str
    result: dict[str, Any]
    error: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    heartbeat_at: dt.datetime | None
    attempt: int
    retry_of: uuid.UUID | None = None

    @staticmethod
    def resolve_retry_of(obj) -> uuid.UUID | None:
        return obj.retry_of_id


@router.get("/jobs/{job_id}", response={200: JobOut, 404: ErrorOut})
def job_detail(request, job_id: uuid.UUID):
    require_perm(request, "core.view_job")
    return selectors.job_get(user=request.user, job_id=job_id)


@router.post("/jobs/{job_id}/retry", response={201: JobOut, 202: JobOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def job_retry(request, job_id: uuid.UUID):
    """Start a failed or cancelled job again as a new job (``retry_of`` names this one): 201 when
    it ran inline, 202 when it is queued for the worker."""
    require_perm(request, "core.view_job")
    job = selectors.job_get(user=request.user, job_id=job_id)
    with audit_source("api"):
        again = jobs.retry_job(job, actor=request.user)
    return Status(201 if again.is_finished else 202, again)


@router.post("/jobs/{job_id}/cancel", response={200: JobOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def job_cancel(request, job_id: uuid.UUID):
    """Cancel a job that is still queued (409 once it runs or has ended)."""
    require_perm(request, "core.view_job")
    job = selectors.job_get(user=request.user, job_id=job_id)
    with audit_source("api"):
        return jobs.cancel_job(job, actor=request.user)


class AuditEventOut(Schema):
    id: int
    at: dt.datetime
    actor_username: str
    source: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict[str, Any]
    summary: str = Field(description="What happened, in the request's language (Indonesian unless English was chosen), as the audit pages show it.")

    @staticmethod
    def resolve_summary(obj) -> str:
        return audit.summary_text(obj)


@router.get("/audit-events", response=list[AuditEventOut])
@paginate(Page)
def audit_events(request, action: str | None = None, object_type: str | None = None, object_id: str | None = None, actor: str | None = None):
    require_perm(request, "core.view_auditevent")
    return selectors.audit_event_list(user=request.user, action=action, object_type=object_type, object_id=object_id, actor=actor)
