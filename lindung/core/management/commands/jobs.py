"""``lindung jobs list [--status S] [--kind K]``, ``lindung jobs show ID``, ``lindung jobs retry ID``,
``lindung jobs cancel ID`` and ``lindung jobs reap`` (mark failed the running jobs whose worker
is gone). ``--json`` prints machine-readable output; ``--as USERNAME`` names the operator."""

from __future__ import annotations

import argparse
import json

from django.core.management.base import CommandError

from lindung.core import jobs
from lindung.core.management.base import LindungCommand
from lindung.core.models import Job


def _as_dict(job: Job) -> dict:
    return {
        "id": str(job.pk),
        "kind": job.kind,
        "status": job.status,
        "progress_done": job.progress_done,
        "progress_total": job.progress_total,
        "message": job.message,
        "error": job.error,
        "result": job.result,
        "attempt": job.attempt,
        "retry_of": str(job.retry_of_id) if job.retry_of_id else None,
        "worker": job.worker,
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "heartbeat_at": job.heartbeat_at.isoformat() if job.heartbeat_at else None,
    }


class Command(LindungCommand):
    help = "Background jobs: list, show, retry a failed one, cancel a queued one, reap those whose worker died."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        # ``--as`` after the action too (``lindung jobs retry ID --as officer``).
        as_option = {"dest": "actor_username", "metavar": "USERNAME", "default": argparse.SUPPRESS, "help": "User recorded as the actor."}
        listing = sub.add_parser("list", help="The latest jobs.")
        listing.add_argument("--status", choices=Job.Status.values)
        listing.add_argument("--kind")
        listing.add_argument("--limit", type=int, default=20)
        listing.add_argument("--json", action="store_true")
        for name, text in (("show", "One job."), ("retry", "Start a failed or cancelled job again."), ("cancel", "Cancel a queued job.")):
            p = sub.add_parser(name, help=text)
            p.add_argument("job_id")
            p.add_argument("--json", action="store_true")
            p.add_argument("--as", **as_option)
        reap = sub.add_parser("reap", help="Mark failed every running job whose worker process is gone or silent.")
        reap.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "list":
            qs = Job.objects.all()
            if options.get("status"):
                qs = qs.filter(status=options["status"])
            if options.get("kind"):
                qs = qs.filter(kind=options["kind"])
            rows = [jobs.with_live_state(j) for j in qs[: max(1, options["limit"])]]
            return self._out(options, [_as_dict(j) for j in rows], lambda: "\n".join(self._line(j) for j in rows))
        if action == "reap":
            reaped = jobs.reap_abandoned_jobs()
            return self._out(
                options, [_as_dict(j) for j in reaped], lambda: f"{len(reaped)} job(s) marked failed." + "".join(f"\n{self._line(j)}" for j in reaped)
            )
        job = self._job(options["job_id"])
        if action == "retry":
            job = jobs.retry_job(job, actor=self.actor(options))
        elif action == "cancel":
            job = jobs.cancel_job(job, actor=self.actor(options))
        else:
            job = jobs.with_live_state(job)
        return self._out(options, _as_dict(job), lambda: self._line(job) + (f"\n  {job.error}" if job.error else ""))

    def _job(self, job_id: str) -> Job:
        try:
            job = Job.objects.filter(pk=job_id).first()
        except Exception:  # not a UUID
            job = None
        if job is None:
            raise CommandError(f"No job {job_id!r}.")
        return job

    @staticmethod
    def _line(job: Job) -> str:
        total = f"/{job.progress_total}" if job.progress_total else ""
        return f"{job.pk}  {job.kind:<28} {job.status:<10} {job.progress_done}{total}  {job.message}"

    def _out(self, options, data, text) -> None:
        self.stdout.write(json.dumps(data, indent=2, default=str) if options.get("json") else text())
