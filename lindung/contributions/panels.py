"""The contributions context's panel on the home page (registered in ``ContributionsConfig.ready``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lindung.contributions.selectors import home_figures
from lindung.core.formatting import number
from lindung.core.selectors import Panel


def contributions_panels(user) -> list[Panel]:
    if not (user.role_names & {"finance", "officer", "branch_head", "admin", "sponsor"} and user.has_perm("contributions.view_invoice")):
        return []
    figures = home_figures(user)
    links = [(str(_("Invoices")), reverse("contributions:invoice_list"))]
    if "sponsor" not in user.role_names:  # staff: "was this worker covered on this day?"
        links.append((str(_("Was this worker covered on this day?")), reverse("contributions:coverage_check")))
    if getattr(user, "sponsor_id", None) and "sponsor" in user.role_names and user.sponsor.detail_url:  # a code a URL can carry
        links.append((str(_("Account statement")), reverse("contributions:sponsor_statement", args=[user.sponsor.code])))
    if user.has_perm("contributions.view_contributionpayment"):
        links.append((str(_("Unmatched payments: %(n)s") % {"n": figures["unmatched_payments"]}), reverse("contributions:payment_list")))
    return [
        Panel(
            _("Contributions"),
            _("%(n)s open invoice(s), Rp %(amount)s outstanding.") % {"n": figures["open_invoices"], "amount": number(figures["outstanding"])},
            links,
            figure=number(figures["open_invoices"]),
        )
    ]
