from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "lindung.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from lindung.core import checks  # noqa: F401 - registers the system checks
        from lindung.core.audit import register_sqlite_permit
        from lindung.core.calculations.snapshots import clear_cache
        from lindung.core.files import sweep  # noqa: F401 - registers the files.sweep job
        from lindung.core.log_filters import install_log_masking

        install_log_masking()  # every handler configured so far masks NIKs (gunicorn's included)

        # A flushed or migrated database no longer holds the snapshot ids cached in this process.
        post_migrate.connect(clear_cache, sender=self, dispatch_uid="lindung.core.snapshot_cache")
        # The SQLite audit triggers ask the connection for the purge permit (migration 0008).
        connection_created.connect(register_sqlite_permit, dispatch_uid="lindung.core.audit_permit")
