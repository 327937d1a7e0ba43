from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembershipConfig(AppConfig):
    name = "lindung.membership"
    label = "membership"
    verbose_name = _("Membership")

    def ready(self) -> None:
        from lindung.core.selectors import register_home_panels
        from lindung.membership import status  # noqa: F401 - declares the participant status workflow
        from lindung.membership.panels import participant_panels, sponsor_panels

        register_home_panels(10, sponsor_panels)
        register_home_panels(30, participant_panels)
