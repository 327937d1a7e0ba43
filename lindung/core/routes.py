"""API routes of the shared kernel: who am I, jobs, the audit trail."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from lindung.core.api import ErrorOut, Page, require_perm
from lindung.core.models import AuditEvent, Job

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


@router.get("/jobs/{job_id}", response={200: JobOut, 404: ErrorOut})
def job_detail(request, job_id: uuid.UUID):
    require_perm(request, "core.view_job")
    return get_object_or_404(Job.objects.visible_to(request.user), pk=job_id)


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
    summary: str


@router.get("/audit-events", response=list[AuditEventOut])
@paginate(Page)
def audit_events(request, action: str | None = None, object_type: str | None = None, object_id: str | None = None, actor: str | None = None):
    require_perm(request, "core.view_auditevent")
    qs = AuditEvent.objects.visible_to(request.user)
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if actor:
        qs = qs.filter(actor_username=actor)
    return qs
