from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "lindung.claims"
    label = "claims"
    verbose_name = _("Claims")

    def ready(self) -> None:
        from lindung.claims import workflow  # noqa: F401  (declares the claim workflow and its exclusive roles)
        from lindung.claims.panels import claims_panels
        from lindung.core.selectors import register_home_panels

        register_home_panels(40, claims_panels)
