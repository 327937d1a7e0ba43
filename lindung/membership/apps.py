from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembershipConfig(AppConfig):
    name = "lindung.membership"
    label = "membership"
    verbose_name = _("Membership")

    def ready(self) -> None:
        from lindung.core.selectors import register_home_panels
        from lindung.membership import (
            cards,  # noqa: F401 - registers the membership_cards job handler
            status,  # noqa: F401 - declares the participant status workflow
        )
        from lindung.membership.held import labels as held_labels
        from lindung.membership.held import workflow  # noqa: F401 - declares the verification queue's workflows
        from lindung.membership.panels import participant_panels, sponsor_panels
        from lindung.membership.roster import jobs  # noqa: F401 - registers the roster_import job handler

        register_home_panels(10, sponsor_panels)
        register_home_panels(30, participant_panels)
        held_labels.register()
