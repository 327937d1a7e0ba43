"""The reports context's panel on the home page (registered in ``ReportsConfig.ready``): a link to
the programme reports — for a sponsor user straight to its own sponsor's report."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lindung.core.scoping import scope_kind
from lindung.core.selectors import Panel
from lindung.reports.models import report_url


def reports_panels(user) -> list[Panel]:
    if not user.has_perm("reports.view_sponsorreport"):
        return []
    own = report_url(user.sponsor.code) if scope_kind(user) == "sponsor" and user.sponsor_id else None
    if own:
        link = (_("Open the programme report"), own)
    else:
        link = (_("Open the reports"), reverse("reports:index"))
    return [Panel(_("Reports"), _("Participants, contributions, claims and hand-overs per sponsor and period."), links=[link])]
