"""A file written inside a transaction that rolls back is deleted from the storage; one that
commits stays; ``lindung files sweep`` removes what no row names (what a killed process left),
older than the grace period, and never a file a row names or a young one."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import time

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import IntegrityError, transaction

from lindung.core import files
from lindung.core.files.models import StoredFile
from lindung.core.files.sweep import sweep
from lindung.core.jobs import start_job
from lindung.core.models import AuditEvent


class Boom(Exception):
    pass


def _store(content=b"a,b\r\n1,2\r\n", kind="roster_errors"):
    return files.store(content, kind=kind, name="x.csv", content_type="text/csv")


@pytest.mark.django_db(transaction=True)
def test_a_file_written_in_a_transaction_that_rolls_back_is_deleted_and_one_that_commits_stays():
    with pytest.raises(Boom), transaction.atomic():
        lost = _store()
        assert default_storage.exists(lost.file.name)  # written while the transaction runs
        raise Boom
    assert not default_storage.exists(lost.file.name) and not StoredFile.objects.exists()
    with transaction.atomic():
        kept = _store()
    assert default_storage.exists(kept.file.name) and StoredFile.objects.get() == kept
    # outside a transaction the row is committed at once: the file stays
    alone = _store()
    assert default_storage.exists(alone.file.name)


@pytest.mark.django_db(transaction=True)
def test_savepoints_a_file_follows_the_savepoint_it_was_written_in_and_the_outer_transaction():
    with transaction.atomic():
        outer = _store()
        with pytest.raises(Boom), transaction.atomic():
            inner = _store()
            raise Boom
        assert not default_storage.exists(inner.file.name) and default_storage.exists(outer.file.name)
        with transaction.atomic():
            released = _store()  # savepoint released: still tied to the outer transaction
    assert default_storage.exists(outer.file.name) and default_storage.exists(released.file.name)
    with pytest.raises(Boom), transaction.atomic():
        with transaction.atomic():
            nested = _store()
        raise Boom  # the outer transaction rolls back the released savepoint with it
    assert not default_storage.exists(nested.file.name)
    assert set(StoredFile.objects.values_list("pk", flat=True)) == {outer.pk, released.pk}


@pytest.mark.django_db
def test_a_row_that_cannot_be_written_leaves_no_file(monkeypatch):
    names = []
    real_save = StoredFile.save

    def failing_save(self, *args, **kwargs):
        names.append(self.file.name)
        raise IntegrityError("forced")

    monkeypatch.setattr(StoredFile, "save", failing_save)
    with pytest.raises(IntegrityError):
        _store()
    monkeypatch.setattr(StoredFile, "save", real_save)
    assert names and not default_storage.exists(names[0])


def _all_storage_names():
    root = default_storage.path("")
    for dirpath, _dirs, names in os.walk(root):
        for n in names:
            yield os.path.relpath(os.path.join(dirpath, n), root).replace(os.sep, "/")


def _orphan(name: str, *, age_hours: float) -> str:
    saved = default_storage.save(name, io.BytesIO(b"left behind"))
    when = time.time() - age_hours * 3600
    os.utime(default_storage.path(saved), (when, when))
    return saved


@pytest.mark.django_db
def test_sweep_removes_unreferenced_files_past_the_grace_period_only(users):
    kept = _store()
    old = os.path.getmtime(default_storage.path(kept.file.name)) - 48 * 3600
    os.utime(default_storage.path(kept.file.name), (old, old))  # old, but a row names it
    stale = _orphan("roster_errors/2024/01/11111111-1111-1111-1111-111111111111.csv", age_hours=30)
    young = _orphan("bank_file/2026/12/22222222-2222-2222-2222-222222222222.xml", age_hours=1)
    foreign = _orphan("elsewhere/notes.txt", age_hours=100)  # not a directory of a file kind
    dry = sweep(dry_run=True)
    assert dry.deleted == [stale] and default_storage.exists(stale) and not AuditEvent.objects.filter(action="files.sweep").exists()
    result = sweep(actor=users["admin"])
    assert result.deleted == [stale] and result.young == 1 and result.referenced == 1 and result.bytes == len(b"left behind")
    assert not default_storage.exists(stale)
    assert default_storage.exists(young) and default_storage.exists(kept.file.name) and default_storage.exists(foreign)
    event = AuditEvent.objects.get(action="files.sweep")
    assert event.actor == users["admin"] and event.changes["deleted"] == 1
    # a shorter grace period takes the young one too
    assert sweep(older_than=dt.timedelta(minutes=30)).deleted == [young]


@pytest.mark.django_db
def test_lindung_files_sweep_command_and_job(users):
    stale = _orphan("membership_cards/2024/02/33333333-3333-3333-3333-333333333333.pdf", age_hours=25)
    out = io.StringIO()
    call_command("files", "sweep", "--dry-run", "--json", stdout=out)
    assert json.loads(out.getvalue())["names"] == [stale] and default_storage.exists(stale)
    out, err = io.StringIO(), io.StringIO()
    call_command("files", "sweep", "--older-than", "48", stdout=out, stderr=err)
    assert default_storage.exists(stale) and "0 removed" in err.getvalue()
    call_command("files", "sweep", "--as", users["admin"].username, stdout=io.StringIO(), stderr=err)
    assert not default_storage.exists(stale)
    assert AuditEvent.objects.get(action="files.sweep").source == "cli"
    again = _orphan("roster/2024/03/44444444-4444-4444-4444-444444444444.csv", age_hours=25)
    job = start_job("files.sweep", actor=users["admin"], params={})
    job.refresh_from_db()
    assert job.status == "succeeded" and job.result["deleted"] == 1 and not default_storage.exists(again)
