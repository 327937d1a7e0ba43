from django.conf import settings
from django.core.management.base import CommandError

from lindung.core.management.base import LindungCommand
from lindung.demo.base import DEMO_USERS
from lindung.demo.loading import load_demo


class Command(LindungCommand):
    help = "Load the demo data (Dumai regions, branch, sponsors, one user per role). Idempotent. Refused outside DEBUG unless --force."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load even when DEBUG is off (never on a production database)")
        parser.add_argument("--quiet-logins", action="store_true")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError("Demo data is only loaded with DEBUG=1 (or --force): it creates users with a known password.")
        result = load_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready (branch {result['branch']}, sponsors {', '.join(result['sponsors'])})."))
        if not options["quiet_logins"]:
            self.stdout.write(f"Demo logins (password for all: {settings.LINDUNG_DEMO_PASSWORD}):")
            for d in DEMO_USERS:
                self.stdout.write(f"  {d.username:14} {d.role}{' (' + d.sponsor + ')' if d.sponsor else ''}")
