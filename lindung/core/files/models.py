"""``StoredFile``: one uploaded or generated file, kept through Django's storage API."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lindung.core.scoping import Scope, ScopedQuerySet


def _upload_to(instance: StoredFile, filename: str) -> str:
    # <kind>/<yyyy>/<mm>/<uuid><ext>: names never come from the user (no traversal, no clash).
    ext = "".join(c for c in (filename.rsplit(".", 1)[-1] if "." in filename else "") if c.isalnum())[:8].lower()
    created = instance.created_at
    from django.utils import timezone

    when = created or timezone.now()
    return f"{instance.kind}/{when:%Y/%m}/{instance.pk}{'.' + ext if ext else ''}"


class StoredFile(models.Model):
    """An uploaded or generated file in the default storage (FileSystemStorage under
    ``LINDUNG_DATA_DIR`` unless a deployment configures another, e.g. S3 with django-storages).

    ``owner`` (``owner_type`` app_label.model and ``owner_id``) is the object the file belongs to
    (a roster import, a job, a claim document): a user may download the file only if they see its
    owner through the owner's own scope, so the file follows the owner (a transferred claim's
    documents follow the claim's branch). ``sponsor_ref`` is the owner's sponsor, for listing."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    file = models.FileField(_("file"), upload_to=_upload_to, max_length=300)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.BigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64, db_index=True)
    owner_type = models.CharField(max_length=100, blank=True)
    owner_id = models.CharField(max_length=64, blank=True)
    sponsor_ref = models.BigIntegerField(null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(sponsor="sponsor_ref")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")
        indexes = [models.Index(fields=["owner_type", "owner_id"], name="core_file_owner_idx")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("core:file_download", kwargs={"file_id": self.pk})
