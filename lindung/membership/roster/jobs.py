"""The ``roster_import`` job handler (started by ``importing.start_import_from_upload``)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from lindung.core.jobs import job_handler
from lindung.membership.models import RosterImport
from lindung.membership.roster.importing import run_import


def _close_import(job) -> None:
    """The job was cancelled while queued, or its worker died: the import it was running ends as
    failed with the job's reason (its transaction was rolled back: nothing of it was written)."""
    RosterImport.objects.filter(pk=job.params.get("import_id"), status__in=[RosterImport.Status.PENDING, RosterImport.Status.RUNNING]).update(
        status=RosterImport.Status.FAILED, summary={"error": job.error or job.message}, finished_at=timezone.now()
    )


@job_handler("roster_import", permission="membership.import_roster", on_abandoned=_close_import)
def roster_import_job(ctx) -> dict:
    """Job handler: ``params = {"import_id": id, "start": "YYYY-MM-DD" | None, "sheet": name | None,
    "mapping": {field: column} | None, "remembered": {field: column}}`` (the sponsor's remembered
    mapping, applied where the file has its columns, when no mapping was given)."""
    from lindung.accounts.models import User

    batch = RosterImport.objects.get(pk=ctx.params["import_id"])
    actor = User.objects.filter(pk=ctx.job.created_by_id).first() if ctx.job.created_by_id else None
    start = dt.date.fromisoformat(ctx.params["start"]) if ctx.params.get("start") else None
    RosterImport.objects.filter(pk=batch.pk).update(job=ctx.job)
    summary = run_import(
        batch,
        actor=actor,
        start=start,
        sheet=ctx.params.get("sheet"),
        mapping=ctx.params.get("mapping"),
        remembered=ctx.params.get("remembered"),
        progress=lambda done, total=None, message=None: ctx.progress(done, total, message),
    )
    return {k: v for k, v in summary.as_dict().items() if k != "error_file"}
