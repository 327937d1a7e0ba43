"""The roster import job closes its import when the job ends without its handler."""

import socket
import subprocess

import pytest
from django.utils import timezone

from lindung.core import jobs
from lindung.core.models import Job
from lindung.membership.models import RosterImport

pytestmark = pytest.mark.django_db


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_an_abandoned_roster_import_ends_failed_too(agreement):
    now = timezone.now()
    job = Job.objects.create(
        kind="roster_import", status=Job.Status.RUNNING, worker=f"{socket.gethostname()}:{_dead_pid()}", started_at=now, heartbeat_at=now
    )
    batch = RosterImport.objects.create(
        agreement=agreement, sponsor=agreement.sponsor, file_name="r.csv", status=RosterImport.Status.RUNNING, job=job
    )
    Job.objects.filter(pk=job.pk).update(params={"import_id": batch.pk})
    jobs.reap_abandoned_jobs()
    batch.refresh_from_db()
    assert batch.status == RosterImport.Status.FAILED and batch.finished_at and batch.summary["error"]
