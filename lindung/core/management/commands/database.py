import sys

from django.core.management.base import CommandError
from django.db import connection, transaction

from lindung.core.db_roles import check_current_role, grant_app_statements
from lindung.core.management.base import LindungCommand


class Command(LindungCommand):
    help = (
        "Database roles (PostgreSQL). 'database grant-app ROLE [--apply]' prints (or, as the owner, applies) "
        "the GRANTs of the application's role; 'database check' tells whether the connected role could "
        "purge the audit trail (exit status 1 if so). See docs/security.md."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        grant = sub.add_parser("grant-app", help="the GRANTs of the application's role")
        grant.add_argument("role")
        grant.add_argument("--schema", default="public")
        grant.add_argument("--apply", action="store_true", help="run them (connected as the owner)")
        sub.add_parser("check", help="what the connected role could do to the audit trail")

    def handle(self, *args, **options):
        if options["action"] == "grant-app":
            if connection.vendor != "postgresql":
                raise CommandError("Database roles exist on PostgreSQL only; SQLite has none.")
            statements = grant_app_statements(options["role"], schema=options["schema"])
            if not options["apply"]:
                self.stdout.write(";\n".join(statements) + ";")
                return
            with transaction.atomic(), connection.cursor() as cur:
                for sql in statements:
                    cur.execute(sql)
            self.stdout.write(self.style.SUCCESS(f"Granted the application's privileges to {options['role']}."))
            return
        findings = check_current_role()
        for f in findings:
            self.stdout.write(f"{'ok  ' if f.ok else 'FAIL'}  {f.what}")
        if not all(f.ok for f in findings):
            self.stderr.write("This role could purge or rewrite the audit trail: serve with an application role (docs/security.md).")
            sys.exit(1)
