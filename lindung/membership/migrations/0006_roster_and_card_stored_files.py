"""Roster uploads, roster error files and bulk card PDFs move from path strings onto the kernel's
stored files (``core.StoredFile``, kept through Django's storage API).

Each existing file is copied into the default storage; a path whose file is gone is left empty.
The old copies under ``<LINDUNG_DATA_DIR>/roster/`` and ``<LINDUNG_DATA_DIR>/cards/`` are not
deleted (a deployment removes them once the migration is committed)."""

import hashlib
import os
import uuid

import django.db.models.deletion
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import migrations, models
from django.utils import timezone

TYPES = {".csv": "text/csv", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".pdf": "application/pdf"}


def _store(StoredFile, path, *, kind, name, owner_type, owner_id, sponsor_ref):
    if not path or not os.path.isfile(path):
        return None
    ext = os.path.splitext(name)[1].lower() or os.path.splitext(path)[1].lower()
    pk = uuid.uuid4()
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
        fh.seek(0)
        saved = default_storage.save(f"{kind}/{timezone.now():%Y/%m}/{pk}{ext}", File(fh))
    return StoredFile.objects.create(
        id=pk,
        kind=kind,
        file=saved,
        name=name[:255],
        content_type=TYPES.get(ext, "application/octet-stream"),
        size=os.path.getsize(path),
        sha256=digest.hexdigest(),
        owner_type=owner_type,
        owner_id=str(owner_id),
        sponsor_ref=sponsor_ref,
    )


def forwards(apps, schema_editor):
    StoredFile = apps.get_model("core", "StoredFile")
    RosterImport = apps.get_model("membership", "RosterImport")
    for batch in RosterImport.objects.exclude(stored_file_path="", error_file_path="").iterator():
        upload = _store(
            StoredFile,
            batch.stored_file_path,
            kind="roster",
            name=batch.file_name or os.path.basename(batch.stored_file_path),
            owner_type="membership.rosterimport",
            owner_id=batch.pk,
            sponsor_ref=batch.sponsor_id,
        )
        errors = _store(
            StoredFile,
            batch.error_file_path,
            kind="roster_errors",
            name=f"roster-{batch.pk}-kesalahan.csv",
            owner_type="membership.rosterimport",
            owner_id=batch.pk,
            sponsor_ref=batch.sponsor_id,
        )
        RosterImport.objects.filter(pk=batch.pk).update(stored_file=upload, error_file=errors)
    Job = apps.get_model("core", "Job")
    cards_dir = os.path.join(str(settings.DATA_DIR), "cards")
    for job in Job.objects.filter(kind="membership_cards", status="succeeded").iterator():
        result = dict(job.result or {})
        name = result.get("file")
        if not name or "/" in name or "\\" in name or result.get("file_id"):
            continue
        stored = _store(
            StoredFile, os.path.join(cards_dir, name), kind="membership_cards", name=name, owner_type="core.job", owner_id=job.pk, sponsor_ref=job.sponsor_ref
        )
        if stored is not None:
            result.update(file_id=str(stored.pk), download=f"/files/{stored.pk}/")
            Job.objects.filter(pk=job.pk).update(result=result)


def backwards(apps, schema_editor):
    RosterImport = apps.get_model("membership", "RosterImport")
    for batch in RosterImport.objects.select_related("stored_file", "error_file").iterator():
        paths = {}
        for field in ("stored_file", "error_file"):
            stored = getattr(batch, field)
            if stored is not None:
                try:
                    paths[f"{field}_path"] = default_storage.path(stored.file.name)
                except NotImplementedError:
                    paths[f"{field}_path"] = stored.file.name
        if paths:
            RosterImport.objects.filter(pk=batch.pk).update(**paths)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_stored_file"),
        ("membership", "0005_statuschange_decision"),
    ]

    operations = [
        migrations.RenameField("rosterimport", "stored_file", "stored_file_path"),
        migrations.RenameField("rosterimport", "error_file", "error_file_path"),
        migrations.AddField(
            model_name="rosterimport",
            name="stored_file",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="core.storedfile", verbose_name="file"
            ),
        ),
        migrations.AddField(
            model_name="rosterimport",
            name="error_file",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="core.storedfile", verbose_name="error file"
            ),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField("rosterimport", "stored_file_path"),
        migrations.RemoveField("rosterimport", "error_file_path"),
    ]
