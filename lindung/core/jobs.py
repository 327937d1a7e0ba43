"""Background jobs with visible progress, run through Django's tasks interface (django-tasks).

A context registers a handler from its ``AppConfig.ready()`` (so that every process, a worker
started with ``--skip-checks`` included, knows every kind) with
``@job_handler("roster_import", permission="membership.import_roster")``; ``start_job`` creates
a ``Job`` row and enqueues the single task ``run_job``. On the embedded default the ``immediate``
backend runs it inline; with ``LINDUNG_TASKS_BACKEND=database`` it is queued in the database and
run by ``lindung db_worker`` (``make run`` starts one beside the development server).

What the kernel guarantees for every job:

- **Progress while a transaction is open.** Handlers report through ``JobContext.progress``.
  Outside a transaction the job row is updated at once. Inside one (an import that writes
  everything or nothing) the row would show nothing until the commit, so the progress goes aside:
  on PostgreSQL through a second connection (best effort: it never waits for the job row), on
  SQLite (one writer at a time) into a small live-state file under ``LINDUNG_DATA_DIR/jobs/``
  that the job page and the API read while the job runs.
- **A heartbeat.** While a job runs, a thread beats every ``LINDUNG_JOB_HEARTBEAT_SECONDS`` the
  same way. A running job whose worker process is gone (same host) or that has not beaten for
  ``LINDUNG_JOB_LEASE_SECONDS`` is marked failed with the reason by ``reap_abandoned_jobs``
  (called by the worker, by the job page and API when they show a running job, and by
  ``lindung jobs reap``); the handler's ``on_abandoned`` hook closes what the job had opened.
- **Retry and cancel.** ``retry_job`` starts a failed (or cancelled) job again as a new job
  pointing at the old one (``retry_of``); ``cancel_job`` cancels a job that is still queued. Both
  need the kind's permission (or the kernel's ``core.change_job``); the starter may cancel its own.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_tasks import task

from lindung.core import audit
from lindung.core.audit import audit_source
from lindung.core.errors import Conflict, ServiceError
from lindung.core.models import Job

log = logging.getLogger(__name__)

Handler = Callable[["JobContext"], dict[str, Any]]


@dataclass(frozen=True)
class JobKind:
    """A registered kind of job. ``permission`` is what starting it again (retry) or cancelling it
    needs; ``on_abandoned(job)`` is called when the job ends without its handler finishing
    (cancelled while queued, or its worker died) so that the context closes what it opened."""

    kind: str
    handler: Handler
    permission: str | None = None
    on_abandoned: Callable[[Job], None] | None = None


_KINDS: dict[str, JobKind] = {}


def job_handler(kind: str, *, permission: str | None = None, on_abandoned: Callable[[Job], None] | None = None) -> Callable[[Handler], Handler]:
    """Register ``func`` as the handler of ``kind``. Import the module from the context's
    ``AppConfig.ready()``: a handler that is registered only by a view module's import is unknown
    to a worker that does not load the URL configuration."""

    def register(func: Handler) -> Handler:
        _KINDS[kind] = JobKind(kind, func, permission, on_abandoned)
        return func

    return register


def job_kinds() -> dict[str, JobKind]:
    return dict(_KINDS)


def heartbeat_seconds() -> float:
    return float(getattr(settings, "LINDUNG_JOB_HEARTBEAT_SECONDS", 10))


def lease_seconds() -> float:
    return float(getattr(settings, "LINDUNG_JOB_LEASE_SECONDS", 120))


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# --- Live state: progress and heartbeat that readers see while the job's transaction is open ---


def _live_path(job_id) -> Path:
    return Path(settings.DATA_DIR) / "jobs" / f"{job_id}.json"


def _read_live_file(job_id) -> dict[str, Any]:
    try:
        return json.loads(_live_path(job_id).read_text())
    except (OSError, ValueError):
        return {}


def _uses_live_file() -> bool:
    return connection.vendor == "sqlite"


class _LiveState:
    """A running job's live state. On SQLite it is a JSON file replaced atomically (the database
    has one writer, and the job's own transaction may be it); on PostgreSQL it is an ``UPDATE``
    through a connection of its own that skips the job row when something holds it. A thread
    writes the heartbeat and the progress published inside a transaction."""

    def __init__(self, job_id, *, flush_interval: float = 0.5):
        self.job_id = job_id
        self.file = _uses_live_file()
        self.flush_interval = flush_interval
        self.beat_every = heartbeat_seconds()
        self._lock = threading.Lock()
        self._pending: dict[str, Any] = {}
        self._state: dict[str, Any] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._side = None
        self._side_failed = False
        self._path = _live_path(job_id) if self.file else None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"job-heartbeat-{self.job_id}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        if self._path is not None:
            self._path.unlink(missing_ok=True)

    def publish(self, fields: dict[str, Any], *, in_transaction: bool) -> None:
        if self.file:
            with self._lock:
                self._state.update(fields)
                self._write_file()
        elif in_transaction:
            with self._lock:
                self._pending.update(fields)

    def _run(self) -> None:
        last_beat = time.monotonic()
        try:
            while not self._stop.wait(self.flush_interval):
                now = time.monotonic()
                beat = now - last_beat >= self.beat_every
                if beat:
                    last_beat = now
                try:
                    self._flush(beat)
                except Exception:  # never let the heartbeat kill the job
                    log.warning("job %s: live state not written", self.job_id, exc_info=True)
        finally:
            side, self._side = self._side, None
            if side is not None:
                try:
                    side.close()
                except DatabaseError:  # a broken connection is gone either way
                    pass

    def _flush(self, beat: bool) -> None:
        with self._lock:
            fields, self._pending = self._pending, {}
        if not fields and not beat:
            return
        if self.file:
            with self._lock:
                self._state["heartbeat_at"] = timezone.now().isoformat()
                self._write_file()
            return
        if beat:
            fields["heartbeat_at"] = timezone.now()
        self._write_side(fields)

    def _write_file(self) -> None:
        assert self._path is not None
        self._path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._path.with_suffix(f".{threading.get_ident()}.tmp")
        tmp.write_text(json.dumps(self._state))
        os.replace(tmp, self._path)

    def _write_side(self, fields: dict[str, Any]) -> None:
        if self._side_failed:
            return
        table = Job._meta.db_table
        columns = ", ".join(f"{name} = %s" for name in fields)
        try:
            if self._side is None:
                self._side = connections.create_connection(DEFAULT_DB_ALIAS)
            with self._side.cursor() as cur:
                cur.execute(
                    f"UPDATE {table} SET {columns} WHERE id = (SELECT id FROM {table} WHERE id = %s FOR NO KEY UPDATE SKIP LOCKED)",
                    [*(str(v)[:500] if name == "message" else v for name, v in fields.items()), self.job_id],
                )
        except DatabaseError:
            log.warning("job %s: live state cannot be written through a second connection; the job goes on", self.job_id, exc_info=True)
            self._side_failed = True


class JobContext:
    """What a handler gets: the job, its parameters, and a throttled progress reporter whose
    reports are seen while the job runs, inside a transaction or not (see the module docstring)."""

    def __init__(self, job: Job, min_interval: float = 0.5, live: _LiveState | None = None):
        self.job = job
        self.params = job.params
        self._min_interval = min_interval
        self._last = 0.0
        self._live = live

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
        for k, v in fields.items():
            setattr(self.job, k, v)
        in_transaction = connection.in_atomic_block
        if self._live is not None:
            self._live.publish(fields, in_transaction=in_transaction)
        if not in_transaction or connection.vendor == "sqlite":
            # Outside a transaction: seen at once. On SQLite inside one: seen at the commit (the
            # live file shows it meanwhile); on PostgreSQL the second connection writes it.
            Job.objects.filter(pk=self.job.pk).update(**fields)


@task()
def run_job(job_id: str) -> None:
    execute_job(job_id)


def execute_job(job_id: str) -> Job:
    """Run a queued job (the worker's task). A job that is no longer queued (cancelled, or run
    already) is left as it is."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=now, heartbeat_at=now, worker=worker_identity()
    )
    job = Job.objects.get(pk=job_id)
    if not claimed:
        log.info("job %s (%s) is %s: not run", job.pk, job.kind, job.status)
        return job
    kind = _KINDS.get(job.kind)
    live = _LiveState(job.pk)
    ctx = JobContext(job, live=live)
    live.start()
    final: dict[str, Any]
    try:
        if kind is None:
            raise ServiceError("unknown_job_kind", _("No handler is registered for job kind %(kind)s.") % {"kind": repr(job.kind)})
        with audit_source("job"):
            result = kind.handler(ctx) or {}
    except ServiceError as exc:
        final = {"status": Job.Status.FAILED, "error": exc.message, "result": exc.as_dict()}
    except Exception as exc:
        log.exception("job %s (%s) failed (reference %s)", job.pk, job.kind, job.pk)
        final = {"status": Job.Status.FAILED, "error": failure_message(exc, job)}
    else:
        final = {"status": Job.Status.SUCCEEDED, "result": result, "progress_done": max(ctx.job.progress_done, ctx.job.progress_total or 0)}
    finally:
        live.stop()
    # The handler's outcome is the truth, even over a reaper that took a slow job for dead.
    Job.objects.filter(pk=job.pk).update(
        finished_at=timezone.now(),
        **{"progress_done": ctx.job.progress_done, "progress_total": ctx.job.progress_total, "message": ctx.job.message, **final},
    )
    job.refresh_from_db()
    return job


def failure_message(exc: BaseException, job: Job) -> str:
    """What users see of an unexpected error: a translated sentence and the reference under which
    the error (masked) is in the server's log; never the exception's text, which can carry
    personal data (``Key (nik)=(…) already exists``) or a traceback."""
    return _(
        "The job stopped because of an unexpected error; nothing of its unfinished step was kept. It has been logged under reference %(ref)s."
    ) % {"ref": job.pk}


def start_job(kind: str, *, actor=None, sponsor=None, params: dict[str, Any] | None = None, retry_of: Job | None = None) -> Job:
    """Create a job and enqueue it. Returns the job (finished already on the inline backend).
    ``sponsor`` (a sponsor or its id) is the job's scope: a sponsor user sees its own sponsor's jobs."""
    if kind not in _KINDS:
        raise ServiceError("unknown_job_kind", _("No handler is registered for job kind %(kind)s.") % {"kind": repr(kind)})
    job = Job.objects.create(
        kind=kind,
        created_by=actor if getattr(actor, "pk", None) else None,
        sponsor_ref=getattr(sponsor, "pk", sponsor),
        params=params or {},
        retry_of=retry_of,
        attempt=(retry_of.attempt + 1) if retry_of is not None else 1,
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


# --- Retry and cancel -------------------------------------------------------------------------


def may_manage(user, job: Job, *, cancelling: bool = False) -> bool:
    """May ``user`` retry (or cancel) ``job``? The kind's permission, or the kernel's
    ``core.change_job``; the user who started a job may cancel it."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not Job.objects.visible_to(user).filter(pk=job.pk).exists():
        return False
    kind = _KINDS.get(job.kind)
    if kind is not None and kind.permission and user.has_perm(kind.permission):
        return True
    if cancelling and job.created_by_id and job.created_by_id == user.pk:
        return True
    return user.has_perm("core.change_job")


def retry_job(job: Job, *, actor) -> Job:
    """Start a failed or cancelled job again: a new job with the same kind, scope and parameters,
    pointing at ``job``. Refused while an earlier retry of it is queued, running or succeeded."""
    if actor is not None and not may_manage(actor, job):
        raise PermissionDenied(_("You may not retry this job."))
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.status not in (Job.Status.FAILED, Job.Status.CANCELLED):
            raise Conflict(
                "job_not_failed",
                _("Only a failed or cancelled job can be retried; this one is %(status)s.") % {"status": locked.get_status_display()},
                {"status": locked.status},
            )
        again = locked.retries.exclude(status__in=[Job.Status.FAILED, Job.Status.CANCELLED]).first()
        if again is not None:
            raise Conflict("job_retried", _("This job was retried already (job %(id)s).") % {"id": again.pk}, {"retry": str(again.pk)})
        audit.record(
            actor=actor,
            action="job.retry",
            obj=locked,
            summary=audit.Message(gettext_noop("%(kind)s retried"), kind=audit.as_label(locked.kind)),
            sponsor_id=locked.sponsor_ref,
        )
        new = start_job(locked.kind, actor=actor, sponsor=locked.sponsor_ref, params=locked.params, retry_of=locked)
    new.refresh_from_db()
    return new


def cancel_job(job: Job, *, actor) -> Job:
    """Cancel a job that is still queued (a running one is not stopped half-way)."""
    if actor is not None and not may_manage(actor, job, cancelling=True):
        raise PermissionDenied(_("You may not cancel this job."))
    who = actor.get_username() if actor is not None else "system"
    done = Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
        status=Job.Status.CANCELLED, finished_at=timezone.now(), message=(_("Cancelled by %(user)s.") % {"user": who})[:500]
    )
    job.refresh_from_db()
    if not done:
        raise Conflict(
            "job_not_queued",
            _("Only a queued job can be cancelled; this one is %(status)s.") % {"status": job.get_status_display()},
            {"status": job.status},
        )
    audit.record(
        actor=actor,
        action="job.cancel",
        obj=job,
        summary=audit.Message(gettext_noop("%(kind)s cancelled"), kind=audit.as_label(job.kind)),
        sponsor_id=job.sponsor_ref,
    )
    _abandoned(job)
    return job


# --- Jobs whose worker died --------------------------------------------------------------------


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed child not yet waited for is a zombie: gone all the same
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def last_beat(job: Job) -> dt.datetime | None:
    beat = job.heartbeat_at or job.started_at
    if _uses_live_file():
        raw = _read_live_file(job.pk).get("heartbeat_at")
        if raw:
            try:
                filed = dt.datetime.fromisoformat(raw)
            except ValueError:
                filed = None
            if filed is not None and (beat is None or filed > beat):
                beat = filed
    return beat


def abandoned_reason(job: Job, *, now: dt.datetime | None = None) -> str | None:
    """Why the running ``job`` is taken for abandoned, or ``None`` while it shows signs of life."""
    now = now or timezone.now()
    host, _sep, pid = job.worker.rpartition(":")
    if host == socket.gethostname() and pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid)):
        return _(
            "The worker process running this job (%(worker)s) has ended: it was stopped or crashed. Nothing of its unfinished step was kept."
        ) % {"worker": job.worker}
    beat = last_beat(job)
    if beat is None or beat < now - dt.timedelta(seconds=lease_seconds()):
        since = timezone.localtime(beat).strftime("%Y-%m-%d %H:%M:%S") if beat else "-"
        return _("No sign of life from the worker running this job (%(worker)s) since %(since)s: it was given up.") % {
            "worker": job.worker or "-",
            "since": since,
        }
    return None


def reap_abandoned_jobs(jobs=None, *, now: dt.datetime | None = None) -> list[Job]:
    """Mark failed, with the reason, every running job (of ``jobs``, default all) whose worker is
    gone; returns them."""
    now = now or timezone.now()
    qs = Job.objects.all() if jobs is None else jobs
    reaped = []
    for job in qs.filter(status=Job.Status.RUNNING):
        reason = abandoned_reason(job, now=now)
        if reason is None:
            continue
        # Only if it has not beaten in the meantime.
        done = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, heartbeat_at=job.heartbeat_at).update(
            status=Job.Status.FAILED, finished_at=now, error=reason
        )
        if not done:
            continue
        job.refresh_from_db()
        log.warning("job %s (%s) abandoned: %s", job.pk, job.kind, reason)
        _fail_task_result(job, reason)
        audit.record(actor=None, action="job.abandoned", obj=job, summary=reason[:500], sponsor_id=job.sponsor_ref)
        _abandoned(job)
        _live_path(job.pk).unlink(missing_ok=True)
        reaped.append(job)
    return reaped


def _fail_task_result(job: Job, reason: str) -> None:
    if not job.task_result_id:
        return
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - the database backend is not installed
        return
    try:
        DBTaskResult.objects.filter(id=job.task_result_id, status="RUNNING").update(
            status="FAILED", finished_at=timezone.now(), exception_class_path="lindung.core.jobs.JobAbandoned", traceback=reason
        )
    except (DatabaseError, ValueError):
        log.warning("job %s: its task result was not marked failed", job.pk, exc_info=True)


def _abandoned(job: Job) -> None:
    kind = _KINDS.get(job.kind)
    if kind is None or kind.on_abandoned is None:
        return
    try:
        kind.on_abandoned(job)
    except Exception:
        log.exception("job %s (%s): its on_abandoned hook failed", job.pk, job.kind)


def with_live_state(job: Job) -> Job:
    """``job`` as readers must see it: a running job whose worker is gone is marked failed first;
    a running job's progress is read from its live state (the row shows it only after the
    job's transaction commits)."""
    if job.status != Job.Status.RUNNING:
        return job
    if reap_abandoned_jobs(Job.objects.filter(pk=job.pk)):
        job.refresh_from_db()
        return job
    if _uses_live_file():
        live = _read_live_file(job.pk)
        for name in ("progress_done", "progress_total", "message"):
            if name in live:
                setattr(job, name, live[name])
    return job
