from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lindung.core.models import AuditEvent, Job
from lindung.membership.models import Sponsor


@dataclass
class Panel:
    title: str
    body: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)
    figure: str | None = None


def home_panels(user) -> list[Panel]:
    """The panels of a user's home page, by role. Later contexts add theirs here."""
    panels: list[Panel] = []
    roles = user.role_names
    sponsors = Sponsor.objects.visible_to(user)
    if "sponsor" in roles:
        sponsor = user.sponsor
        panels.append(
            Panel(
                _("Your programme"),
                _("Workers, invoices and claims of %(sponsor)s.") % {"sponsor": sponsor.name if sponsor else "-"},
                [(str(_("Sponsor profile")), reverse("membership:sponsor_detail", args=[sponsor.code]))] if sponsor else [],
            )
        )
    else:
        panels.append(
            Panel(
                _("Sponsors"),
                _("Local governments and other sponsors paying premiums for vulnerable workers."),
                [(str(_("All sponsors")), reverse("membership:sponsor_list"))],
                figure=str(sponsors.count()),
            )
        )
    if roles & {"officer", "admin"}:
        panels.append(
            Panel(_("Data entry"), _("Register workers and import sponsor rosters."), [(str(_("Regions")), reverse("registry:region_list"))])
        )
    if user.has_perm("membership.view_participant"):
        from lindung.membership.models import Participant

        links = [(str(_("All participants")), reverse("membership:participant_list"))]
        if user.has_perms(["membership.add_participant", "registry.add_person"]):
            links.append((str(_("Register a self-paying BPU worker")), reverse("membership:participant_register_bpu")))
        if user.has_perm("membership.view_employer"):
            links.append((str(_("Employers and projects")), reverse("membership:employer_list")))
        if "sponsor" in roles and user.sponsor_id:
            links.append((str(_("Membership cards")), reverse("membership:sponsor_cards", args=[user.sponsor.code])))
        panels.append(
            Panel(
                _("Participants"),
                _("Current memberships: sponsored and self-paying BPU workers, wage earners and construction workers."),
                links,
                figure=str(Participant.objects.visible_to(user).exclude(status=Participant.Status.ENDED).count()),
            )
        )
    if roles & {"verifier", "branch_head"}:
        panels.append(Panel(_("Claims to check"), _("Claims waiting for verification or approval appear here.")))
    if "finance" in roles:
        panels.append(Panel(_("Payments"), _("Contribution payments and benefit payouts appear here.")))
    if roles & {"finance", "officer", "branch_head", "admin", "sponsor"} and user.has_perm("contributions.view_invoice"):
        from lindung.contributions.selectors import home_figures

        figures = home_figures(user)
        links = [(str(_("Invoices")), reverse("contributions:invoice_list"))]
        if user.has_perm("contributions.view_contributionpayment"):
            links.append((str(_("Unmatched payments: %(n)s") % {"n": figures["unmatched_payments"]}), reverse("contributions:payment_list")))
        panels.append(
            Panel(
                _("Contributions"),
                _("%(n)s open invoice(s), Rp %(amount)s outstanding.")
                % {"n": figures["open_invoices"], "amount": f"{figures['outstanding']:,}".replace(",", ".")},
                links,
                figure=str(figures["open_invoices"]),
            )
        )
    if user.has_perm("core.view_auditevent"):
        panels.append(
            Panel(
                _("Audit trail"),
                _("Every change made through Lindung, who made it and when."),
                [(str(_("Open the audit trail")), reverse("core:audit_list"))],
                figure=str(AuditEvent.objects.count()),
            )
        )
    recent_jobs = list(Job.objects.visible_to(user).filter(created_by=user)[:5])
    if recent_jobs:
        panels.append(
            Panel(_("Your recent jobs"), "", [(f"{j.kind} — {j.get_status_display()}", reverse("core:job_detail", args=[j.pk])) for j in recent_jobs])
        )
    return panels
