"""Frozen calculations: the parameter files a calculation used, and the calculation itself."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lindung.core.scoping import Scope, ScopedQuerySet


class ParameterSnapshot(models.Model):
    """The full content of the regulation parameter files as ``lindung.rules.load_parameters``
    loaded them, once per distinct content (``digest``: SHA-256 of the canonical JSON of
    ``content``). Whatever the files say later, a calculation pointing here can show the values
    and legal references it was made with."""

    digest = models.CharField(_("digest (SHA-256)"), max_length=64, unique=True)
    rules_version = models.CharField(_("parameter version"), max_length=32, blank=True)
    content = models.JSONField(_("parameters"))
    first_used_at = models.DateTimeField(_("first used"), auto_now_add=True)

    access_scope = Scope(public=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-first_used_at"]
        verbose_name = _("parameter snapshot")
        verbose_name_plural = _("parameter snapshots")

    def __str__(self) -> str:
        return f"parameters {self.digest[:12]} (first used {self.first_used_at:%Y-%m-%d})"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("Parameter snapshots never change.")
        super().save(*args, **kwargs)

    def entry(self, name: str, on) -> dict | None:
        """The stored dated value of parameter ``name`` in force on ``on`` (value, reference …)."""
        entries = (self.content.get("parameters", {}).get(name) or {}).get("entries") or []
        found = None
        for entry in entries:
            if entry["effective"] <= on.isoformat():
                found = entry
        return found


class CalculationRecord(models.Model):
    """One calculation of the rules engine, frozen: what went in, what came out, which parameter
    snapshot and which date's regulation. A claim, a scholarship schedule or a payment order points
    at it; it is displayed from ``result``, never recomputed."""

    class Kind(models.TextChoices):
        CONTRIBUTION = "contribution", _("Contribution")
        BENEFIT = "benefit", _("Benefit")
        HEIRS = "heirs", _("Heirs")
        SCHOLARSHIP = "scholarship", _("Scholarship")
        LATE_PAYMENT = "late-payment", _("Late-payment compensation")
        LATE_FINE = "late-fine", _("Late fine")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    inputs = models.JSONField(_("inputs"))
    result = models.JSONField(_("result"))
    total = models.BigIntegerField(_("total (Rp)"), null=True, blank=True)
    snapshot = models.ForeignKey(ParameterSnapshot, on_delete=models.PROTECT, related_name="calculations", verbose_name=_("parameter snapshot"))
    computed_for = models.DateField(_("computed for"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"), db_index=False
    )

    access_scope = Scope(staff_only=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("calculation")
        verbose_name_plural = _("calculations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["contribution", "benefit", "heirs", "scholarship", "late-payment", "late-fine"]),
                name="core_calculation_kind_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.computed_for} (#{self.pk})"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("A frozen calculation never changes.")
        super().save(*args, **kwargs)
