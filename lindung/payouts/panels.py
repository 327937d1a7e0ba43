"""The payouts context's panel on the home page (registered in ``PayoutsConfig.ready``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from lindung.core.selectors import Panel


def payouts_panels(user) -> list[Panel]:
    if "finance" not in user.role_names:
        return []
    return [Panel(_("Payments"), _("Contribution payments and benefit payouts appear here."))]
