from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "lindung.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from lindung.core.selectors import register_home_panels
        from lindung.reports.panels import reports_panels

        register_home_panels(70, reports_panels)
