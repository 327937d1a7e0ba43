"""Words for the verification queue's codes (audit actions, reasons, states), registered with
``lindung.core.labels`` from ``MembershipConfig.ready()``."""

from django.utils.translation import gettext_lazy as _

from lindung.core import labels
from lindung.membership.held.reasons import PROPOSAL_REASONS, ROW_REASONS


def register() -> None:
    labels.register(
        {
            "roster.held_row.accept": _("Held roster row accepted"),
            "roster.held_row.reject": _("Held roster row rejected"),
            "roster.change_proposal.accept": _("Proposed change accepted"),
            "roster.change_proposal.reject": _("Proposed change rejected"),
            "participant.enrol": _("Worker enrolled"),
            **{code: text for code, text in ROW_REASONS.items() if code != "other"},
            **{code: text for code, text in PROPOSAL_REASONS.items() if code != "other"},
        }
    )
