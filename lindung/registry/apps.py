from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "lindung.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from lindung.core.selectors import register_home_panels
        from lindung.registry.panels import data_entry_panels

        register_home_panels(20, data_entry_panels)
