"""The claims context's panel on the home page (registered in ``ClaimsConfig.ready``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lindung.core.formatting import number
from lindung.core.selectors import Panel


def claims_panels(user) -> list[Panel]:
    if not user.role_names & {"verifier", "branch_head"}:
        return []
    from lindung.claims.selectors import queue_counts

    counts = queue_counts(user=user)
    queue = "approval" if "branch_head" in user.role_names else "verification"
    body = _("%(waiting)s waiting for you, %(overdue)s past the payment deadline.") % {"waiting": counts[queue], "overdue": counts["overdue"]}
    links = [(str(gettext_lazy("Open the queue")), reverse("claims:queue") + f"?queue={queue}")]
    if counts["overdue"]:
        links.append((str(gettext_lazy("Overdue")), reverse("claims:queue") + "?queue=overdue"))
    return [Panel(gettext_lazy("Claims to check"), body, links, figure=number(counts[queue]))]
