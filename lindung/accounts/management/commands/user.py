import argparse

from django.core.management.base import CommandError

from lindung.accounts import services
from lindung.accounts.models import User
from lindung.core.management.base import LindungCommand


class Command(LindungCommand):
    help = (
        "Users: 'user reset-password USERNAME [--password P]' sets a temporary password (printed once) "
        "that the user must change at the next log-in, and lifts the user's log-in lock."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        reset = sub.add_parser("reset-password")
        reset.add_argument("username")
        reset.add_argument("--password", default=None, help="the temporary password (default: a generated one)")
        reset.add_argument("--as", dest="actor_username", metavar="USERNAME", default=argparse.SUPPRESS, help="The administrator resetting it.")

    def handle(self, *args, **options):
        actor = self.actor(options)
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']!r}.")
        password = services.password_reset(actor=actor, user=user, temporary=options["password"])
        self.stdout.write(password)
