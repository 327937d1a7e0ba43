"""Shared pieces of Lindung's management commands."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lindung.core.audit import audit_source
from lindung.core.errors import FileRejected, ServiceError


class LindungCommand(BaseCommand):
    """A command whose writes are audited as ``cli`` and whose service errors exit cleanly.

    ``--as USERNAME`` names the operator recorded in the audit trail.
    """

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument("--as", dest="actor_username", metavar="USERNAME", help="User recorded as the actor in the audit trail.")
        return parser

    def actor(self, options):
        from django.contrib.auth import get_user_model

        name = options.get("actor_username")
        if not name:
            return None
        user = get_user_model().objects.filter(username=name).first()
        if user is None:
            raise CommandError(f"--as: no user {name!r}.")
        return user

    def execute(self, *args, **options):
        with audit_source("cli"):
            try:
                return super().execute(*args, **options)
            except FileRejected as exc:
                for err in exc.errors:
                    self.stderr.write(f"  {err}")
                raise CommandError(
                    _("%(what)s: %(count)s problem(s), listed above.") % {"what": exc.message.split(":")[0], "count": len(exc.errors)}
                ) from None
            except ServiceError as exc:
                fields = "".join(f"\n  {k}: {v}" for k, v in exc.fields.items())
                raise CommandError(f"{exc.message}{fields}") from None
