"""The one decision table: every transition of every workflow, and every bulk batch."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lindung.core.scoping import Scope, ScopedQuerySet


class Decision(models.Model):
    """Who moved which object (or which batch of objects) from which state to which, when, why.

    Append-only like the audit trail: the model refuses updates and deletes and database triggers
    refuse them too. A single transition names its object (``object_type``, ``object_id``); a
    bulk transition leaves ``object_id`` empty and describes its batch in ``batch`` (the ids, or a
    filter when there are too many to list) with ``count`` objects.
    """

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by"), db_index=False
    )
    actor_username = models.CharField(_("decided by (username)"), max_length=150, blank=True)
    source = models.CharField(_("source"), max_length=10, blank=True)
    workflow = models.CharField(_("workflow"), max_length=64)
    transition = models.CharField(_("step"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    from_state = models.CharField(_("from"), max_length=32, blank=True)
    to_state = models.CharField(_("to"), max_length=32)
    reason = models.CharField(_("reason"), max_length=64, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    amount = models.BigIntegerField(_("amount (Rp)"), null=True, blank=True)
    effective_date = models.DateField(_("effective"), null=True, blank=True)
    count = models.PositiveBigIntegerField(_("objects"), default=1)
    batch = models.JSONField(_("batch"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    access_scope = Scope(staff_only=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        indexes = [
            models.Index(fields=["object_type", "object_id", "id"], name="core_decision_object_idx"),
            models.Index(fields=["actor", "transition"], condition=Q(actor__isnull=False), name="core_decision_actor_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="core_decision_count_positive"),
            models.CheckConstraint(
                condition=(~Q(object_id="") & Q(count=1) & Q(batch__isnull=True)) | (Q(object_id="") & Q(batch__isnull=False)),
                name="core_decision_object_or_batch",
            ),
        ]

    def __str__(self) -> str:
        what = f"{self.object_type}:{self.object_id}" if self.object_id else f"{self.count} × {self.object_type}"
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username or '-'} {self.transition} {what} {self.from_state} → {self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("Decisions are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Decisions are append-only.")

    @property
    def is_batch(self) -> bool:
        return not self.object_id
