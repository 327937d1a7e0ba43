from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayoutsConfig(AppConfig):
    name = "lindung.payouts"
    label = "payouts"
    verbose_name = _("Payouts")

    def ready(self) -> None:
        from lindung.core.selectors import register_home_panels
        from lindung.payouts import workflow  # noqa: F401  (declares the order and batch workflows)
        from lindung.payouts.panels import payouts_panels

        register_home_panels(50, payouts_panels)
