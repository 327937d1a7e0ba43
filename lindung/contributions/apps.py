from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContributionsConfig(AppConfig):
    name = "lindung.contributions"
    label = "contributions"
    verbose_name = _("Contributions")

    def ready(self) -> None:
        from lindung.contributions import (
            jobs,  # noqa: F401 - registers the billing run job handler
            statuses,  # noqa: F401 - registers the daily job handler
        )
        from lindung.contributions.panels import contributions_panels
        from lindung.core.selectors import register_home_panels

        register_home_panels(60, contributions_panels)
