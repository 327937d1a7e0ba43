from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from lindung.core.scoping import Scope, ScopedQuerySet


class Region(models.Model):
    """An administrative region (wilayah) from the Kepmendagri code list.

    The official code is the primary key: ``14`` (province), ``14.72`` (regency/city),
    ``14.72.01`` (district, kecamatan), ``14.72.01.1003`` (village, kelurahan/desa).
    """

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("Province")
        REGENCY = 2, _("Regency / city")
        DISTRICT = 3, _("District (kecamatan)")
        VILLAGE = 4, _("Village (kelurahan / desa)")

    code = models.CharField(_("code"), max_length=13, primary_key=True)
    name = models.CharField(_("name"), max_length=200)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )

    access_scope = Scope(public=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=4), name="registry_region_level_range"),
            models.CheckConstraint(
                condition=(models.Q(level=1, parent__isnull=True) | models.Q(level__gt=1, parent__isnull=False)),
                name="registry_region_parent_by_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
