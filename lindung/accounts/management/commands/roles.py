from lindung.accounts.roles import ROLES, sync_roles
from lindung.core.management.base import LindungCommand


class Command(LindungCommand):
    help = "Roles: 'roles sync' brings the role groups in line with lindung/accounts/roles.py; 'roles list' shows them."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("sync")
        sub.add_parser("list")

    def handle(self, *args, **options):
        if options["action"] == "sync":
            for name, count in sync_roles().items():
                self.stdout.write(f"{name}: {count} permissions")
        else:
            for role in ROLES.values():
                self.stdout.write(f"{role.name:12} {role.label} — {role.description}")
