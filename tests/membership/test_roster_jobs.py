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


def test_a_failed_import_shows_no_database_error_nor_traceback(users, agreement, client, data_dir, roster_file, monkeypatch):
    """Issue 10 item 7: a sponsor whose import hit a database error sees a translated message on
    the import page and on the job page, never ``Key (nik)=(…) already exists`` or a traceback."""
    from django.db import IntegrityError

    from lindung.membership.roster import importing
    from tests.membership.conftest import person_row

    row = person_row(serial=1)
    nik = row[0]

    def clash(*args, **kwargs):
        raise IntegrityError(f'duplicate key value violates unique constraint "registry_person_nik_key"\nDETAIL:  Key (nik)=({nik}) already exists.')

    monkeypatch.setattr(importing, "write_enrolments", clash)
    client.force_login(users["sponsor"])
    with open(roster_file([row]), "rb") as fh:
        r = client.post(f"/sponsors/{agreement.sponsor.code}/roster/", {"file": fh, "agreement": agreement.number, "start": "2023-10-01"})
    assert r.status_code == 302, r.content.decode()[:2000]
    batch = RosterImport.objects.get()
    assert batch.status == RosterImport.Status.FAILED and batch.job.status == Job.Status.FAILED
    pages = [client.get(r["Location"]).content.decode(), client.get(f"/jobs/{batch.job.pk}/").content.decode()]
    for page in pages:
        assert nik not in page and "Key (nik)" not in page and "Traceback" not in page and "IntegrityError" not in page
    assert "Impor berhenti karena kesalahan tak terduga" in pages[0]
    assert str(batch.job.pk) in pages[1]
