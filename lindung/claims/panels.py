"""The claims context's panel on the home page (registered in ``ClaimsConfig.ready``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from lindung.core.selectors import Panel


def claims_panels(user) -> list[Panel]:
    if not user.role_names & {"verifier", "branch_head"}:
        return []
    return [Panel(_("Claims to check"), _("Claims waiting for verification or approval appear here."))]
