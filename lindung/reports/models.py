"""The reports context reads other contexts' tables and owns no table of its own.

``SponsorReport`` is the sponsor seen as its programme report: a proxy of ``membership.Sponsor``
(no table) that carries the report's permission (``reports.view_sponsorreport``, which the
sponsor, branch and auditor roles get through ``reports.view_*``) and the sponsor's own scope —
a sponsor user reads only its own sponsor's report, branch staff the sponsors of their branch,
administrators and auditors every sponsor."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from lindung.membership.models import Sponsor


class SponsorReport(Sponsor):
    # access_scope and the ScopedQuerySet manager come from Sponsor (Scope(sponsor=SELF, branch="branch")).

    class Meta:
        proxy = True
        default_permissions = ("view",)
        verbose_name = _("sponsor's programme report")
        verbose_name_plural = _("sponsors' programme reports")

    @property
    def report_url(self) -> str | None:
        """The report's page, or None for a code a URL cannot carry (a '/' from before codes were
        validated), like ``Sponsor.detail_url``."""
        return report_url(self.code)


def report_url(code: str | None) -> str | None:
    from django.urls import reverse

    if not code or "/" in code:
        return None
    return reverse("reports:sponsor", args=[code])
