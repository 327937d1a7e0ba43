"""The registry's panel on the home page (registered in ``RegistryConfig.ready``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lindung.core.selectors import Panel


def data_entry_panels(user) -> list[Panel]:
    if not user.role_names & {"officer", "admin"}:
        return []
    return [Panel(_("Data entry"), _("Register workers and import sponsor rosters."), [(str(_("Regions")), reverse("registry:region_list"))])]
