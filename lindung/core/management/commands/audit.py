import argparse
import datetime as dt

from django.core.management.base import CommandError

from lindung.core import audit
from lindung.core.management.base import LindungCommand
from lindung.core.models import AuditEvent


class Command(LindungCommand):
    help = (
        "The audit trail. 'audit purge --before YYYY-MM-DD [--dry-run]' deletes the events older than the date "
        "(retention) and records the purge; it must run connected as the database owner."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        purge = sub.add_parser("purge")
        purge.add_argument("--before", required=True, help="YYYY-MM-DD: events before this day are deleted")
        purge.add_argument("--dry-run", action="store_true", help="count only")
        purge.add_argument("--as", dest="actor_username", metavar="USERNAME", default=argparse.SUPPRESS, help="The operator recorded as the actor.")

    def handle(self, *args, **options):
        try:
            before = dt.date.fromisoformat(options["before"])
        except ValueError:
            raise CommandError(f"--before: not a date YYYY-MM-DD: {options['before']!r}") from None
        if options["dry_run"]:
            from django.utils import timezone

            cutoff = timezone.make_aware(dt.datetime.combine(before, dt.time.min))
            self.stdout.write(f"{AuditEvent.objects.filter(at__lt=cutoff).count()} events before {before} would be deleted")
            return
        count = audit.purge(before=before, actor=self.actor(options))
        self.stdout.write(self.style.SUCCESS(f"{count} events before {before} deleted; the purge is recorded."))
