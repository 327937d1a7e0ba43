"""The ``roster_import`` job handler (started by ``importing.start_import_from_upload``)."""

from __future__ import annotations

import datetime as dt

from lindung.core.jobs import job_handler
from lindung.membership.models import RosterImport
from lindung.membership.roster.importing import run_import


@job_handler("roster_import")
def roster_import_job(ctx) -> dict:
    """Job handler: ``params = {"import_id": id, "start": "YYYY-MM-DD" | None}``."""
    from lindung.accounts.models import User

    batch = RosterImport.objects.get(pk=ctx.params["import_id"])
    actor = User.objects.filter(pk=ctx.job.created_by_id).first() if ctx.job.created_by_id else None
    start = dt.date.fromisoformat(ctx.params["start"]) if ctx.params.get("start") else None
    RosterImport.objects.filter(pk=batch.pk).update(job=ctx.job)
    summary = run_import(batch, actor=actor, start=start, progress=lambda done, total=None, message=None: ctx.progress(done, total, message))
    return {k: v for k, v in summary.as_dict().items() if k != "error_file"}
