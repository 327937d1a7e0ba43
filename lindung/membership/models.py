from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from lindung.core.scoping import SELF, Scope, ScopedQuerySet


class Sponsor(models.Model):
    """Who pays the premiums of sponsored (vulnerable) workers: a local government, a company
    (CSR) or a zakat agency."""

    class Type(models.TextChoices):
        PROVINCE = "province", _("Provincial government")
        CITY = "city", _("City government")
        REGENCY = "regency", _("Regency government")
        VILLAGE = "village", _("Village government")
        CSR = "csr", _("Company (CSR)")
        ZAKAT = "zakat", _("Zakat agency")

    class FundingSource(models.TextChoices):
        APBD = "APBD", _("Regional budget (APBD)")
        APBDES = "APBDES", _("Village budget (APBDes)")
        CSR = "CSR", _("Corporate social responsibility (CSR)")
        BAZNAS = "BAZNAS", _("Zakat (BAZNAS)")
        OTHER = "OTHER", _("Other")

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    funding_source = models.CharField(_("funding source"), max_length=10, choices=FundingSource.choices)
    branch = models.ForeignKey(
        "accounts.Branch", null=True, blank=True, on_delete=models.PROTECT, related_name="sponsors", verbose_name=_("branch office")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(sponsor=SELF, branch="branch")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("sponsor")
        verbose_name_plural = _("sponsors")

    def __str__(self) -> str:
        return self.name
