"""The membership context's panels on the home page (registered in ``MembershipConfig.ready``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lindung.core.formatting import number
from lindung.core.selectors import Panel
from lindung.membership.models import Participant, Sponsor


def sponsor_panels(user) -> list[Panel]:
    """A sponsor user's own programme; everyone else the sponsors they see."""
    if "sponsor" in user.role_names:
        sponsor = user.sponsor
        links = []
        if sponsor and sponsor.detail_url:
            if user.has_perm("membership.import_roster"):
                links.append((str(_("Upload a roster")), reverse("membership:roster_upload", args=[sponsor.code])))
            links.append((str(_("Sponsor profile")), sponsor.detail_url))
        return [
            Panel(
                _("Your programme"),
                _("Workers, invoices and claims of %(sponsor)s.") % {"sponsor": sponsor.name if sponsor else "-"},
                links,
            )
        ]
    return [
        Panel(
            _("Sponsors"),
            _("Local governments and other sponsors paying premiums for vulnerable workers."),
            [(str(_("All sponsors")), reverse("membership:sponsor_list"))],
            figure=number(Sponsor.objects.visible_to(user).count()),
        )
    ]


def participant_panels(user) -> list[Panel]:
    if not user.has_perm("membership.view_participant"):
        return []
    links = [(str(_("All participants")), reverse("membership:participant_list"))]
    if user.has_perms(["membership.add_participant", "registry.add_person"]):
        links.append((str(_("Register a self-paying BPU worker")), reverse("membership:participant_register_bpu")))
    if user.has_perm("membership.view_employer"):
        links.append((str(_("Employers and projects")), reverse("membership:employer_list")))
    if "sponsor" in user.role_names and user.sponsor_id and user.sponsor.detail_url:
        links.append((str(_("Membership cards")), reverse("membership:sponsor_cards", args=[user.sponsor.code])))
    return [
        Panel(
            _("Participants"),
            _("Current memberships: sponsored and self-paying BPU workers, wage earners and construction workers."),
            links,
            figure=number(Participant.objects.visible_to(user).exclude(status=Participant.Status.ENDED).count()),
        )
    ]
