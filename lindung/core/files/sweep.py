"""``sweep``: remove the storage files no ``StoredFile`` row names, older than a grace period.

A file tied to a transaction that rolled back is deleted at once (``storage.delete_on_rollback``);
what is left is what a killed process wrote and never committed, or a file whose deletion failed.
The sweep walks the directories of the known kinds (``<kind>/<yyyy>/<mm>/``) through the storage
API (so an S3 store works too), asks the database which of each directory's names a row holds,
and deletes the others once they are older than the grace period (24 hours by default, so a file
of a transaction still running is never touched). ``lindung files sweep`` runs it, the job
``files.sweep`` runs it in the worker (start it from cron), and each run is audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext_noop

from lindung.core import audit
from lindung.core.files.kinds import KINDS
from lindung.core.files.models import StoredFile
from lindung.core.jobs import job_handler

DEFAULT_GRACE = dt.timedelta(hours=24)
JOB_KIND = "files.sweep"


@dataclass
class SweepResult:
    checked: int = 0  # storage files looked at
    referenced: int = 0  # named by a row
    young: int = 0  # not named, but within the grace period
    deleted: list[str] = field(default_factory=list)  # (or that would be, on a dry run)
    bytes: int = 0  # their size
    dry_run: bool = False

    def as_dict(self) -> dict:
        return {
            "checked": self.checked,
            "referenced": self.referenced,
            "young": self.young,
            "deleted": len(self.deleted),
            "bytes": self.bytes,
            "dry_run": self.dry_run,
            "names": self.deleted[:100],
        }


def _walk(storage, top: str) -> Iterator[tuple[str, list[str]]]:
    """(directory, file names) under ``top``, depth first; nothing when ``top`` does not exist."""
    try:
        dirs, names = storage.listdir(top)
    except (FileNotFoundError, NotADirectoryError):
        return
    yield top, [f"{top}/{n}" for n in names]
    for d in sorted(dirs):
        yield from _walk(storage, f"{top}/{d}")


def sweep(*, older_than: dt.timedelta = DEFAULT_GRACE, dry_run: bool = False, actor=None, storage=None, now=None) -> SweepResult:
    storage = storage or default_storage
    cutoff = (now or timezone.now()) - older_than
    result = SweepResult(dry_run=dry_run)
    for kind in sorted(KINDS):
        for _directory, names in _walk(storage, kind):
            for start in range(0, len(names), 500):
                chunk = names[start : start + 500]
                known = set(StoredFile.objects.filter(file__in=chunk).values_list("file", flat=True))
                result.checked += len(chunk)
                result.referenced += len(known)
                for name in chunk:
                    if name in known:
                        continue
                    if storage.get_modified_time(name) > cutoff:
                        result.young += 1
                        continue
                    size = storage.size(name)
                    if not dry_run:
                        # A row may have been committed since the chunk was read: look again.
                        if StoredFile.objects.filter(file=name).exists():
                            result.referenced += 1
                            continue
                        storage.delete(name)
                    result.deleted.append(name)
                    result.bytes += size
    if not dry_run and result.deleted:
        audit.record(
            actor=actor,
            action=JOB_KIND,
            object_type="core.storedfile",
            object_repr=f"{len(result.deleted)} unreferenced file(s)",
            changes={"deleted": len(result.deleted), "bytes": result.bytes, "older_than_hours": older_than.total_seconds() / 3600},
            summary=audit.Message(gettext_noop("%(count)s unreferenced stored file(s) removed"), count=len(result.deleted)),
        )
    return result


@job_handler(JOB_KIND, permission="core.delete_storedfile")
def sweep_job(ctx) -> dict:
    hours = float(ctx.params.get("older_than_hours") or DEFAULT_GRACE.total_seconds() / 3600)
    result = sweep(older_than=dt.timedelta(hours=hours), dry_run=bool(ctx.params.get("dry_run")), actor=ctx.job.created_by)
    return result.as_dict()
