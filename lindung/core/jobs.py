"""Background jobs with visible progress, run through Django's tasks interface (django-tasks).

A context registers a handler with ``@job_handler("roster_import")``; ``start_job`` creates a
``Job`` row and enqueues the single task ``run_job``. On the embedded default the
``immediate`` backend runs it inline; with ``LINDUNG_TASKS_BACKEND=database`` it is queued in
the database and run by ``lindung db_worker``. Handlers report progress through the
``JobContext`` they receive; the job page and ``/api/v1/jobs/{id}`` show it.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from lindung.core.audit import audit_source
from lindung.core.errors import ServiceError
from lindung.core.models import Job

log = logging.getLogger(__name__)

Handler = Callable[["JobContext"], dict[str, Any]]
_HANDLERS: dict[str, Handler] = {}


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        _HANDLERS[kind] = func
        return func

    return register


class JobContext:
    """What a handler gets: the job, its parameters, and a throttled progress reporter."""

    def __init__(self, job: Job, min_interval: float = 0.5):
        self.job = job
        self.params = job.params
        self._min_interval = min_interval
        self._last = 0.0

    def progress(self, done: int, total: int | None = None, message: str | None = None, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self._min_interval:
            return
        self._last = now
        fields: dict[str, Any] = {"progress_done": done}
        if total is not None:
            fields["progress_total"] = total
        if message is not None:
            fields["message"] = message[:500]
        Job.objects.filter(pk=self.job.pk).update(**fields)
        for k, v in fields.items():
            setattr(self.job, k, v)


@task()
def run_job(job_id: str) -> None:
    execute_job(job_id)


def execute_job(job_id: str) -> Job:
    job = Job.objects.get(pk=job_id)
    handler = _HANDLERS.get(job.kind)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now())
    job.refresh_from_db()
    ctx = JobContext(job)
    try:
        if handler is None:
            raise ServiceError("unknown_job_kind", _("No handler is registered for job kind %(kind)s.") % {"kind": repr(job.kind)})
        with audit_source("job"):
            result = handler(ctx) or {}
    except ServiceError as exc:
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, finished_at=timezone.now(), error=exc.message, result=exc.as_dict())
    except Exception as exc:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}",
        )
    else:
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.SUCCEEDED,
            finished_at=timezone.now(),
            result=result,
            progress_done=max(ctx.job.progress_done, ctx.job.progress_total or 0),
        )
    job.refresh_from_db()
    return job


def start_job(kind: str, *, actor=None, sponsor=None, params: dict[str, Any] | None = None) -> Job:
    """Create a job and enqueue it. Returns the job (finished already on the inline backend).
    ``sponsor`` (a sponsor or its id) is the job's scope: a sponsor user sees its own sponsor's jobs."""
    if kind not in _HANDLERS:
        raise ServiceError("unknown_job_kind", _("No handler is registered for job kind %(kind)s.") % {"kind": repr(kind)})
    job = Job.objects.create(
        kind=kind, created_by=actor if getattr(actor, "pk", None) else None, sponsor_ref=getattr(sponsor, "pk", sponsor), params=params or {}
    )
    if _runs_inline() or not transaction.get_connection().in_atomic_block:
        _enqueue(job)
        job.refresh_from_db()
    else:
        # A queued worker must see the job row: enqueue after the surrounding transaction commits.
        transaction.on_commit(lambda: _enqueue(job))
    return job


def _runs_inline() -> bool:
    from django_tasks.backends.immediate import ImmediateBackend

    return isinstance(run_job.get_backend(), ImmediateBackend)


def _enqueue(job: Job) -> None:
    result = run_job.enqueue(str(job.pk))
    Job.objects.filter(pk=job.pk).update(task_result_id=str(result.id))
