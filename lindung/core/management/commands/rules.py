import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Regulation parameters: 'rules docs' regenerates docs/rules.md; 'rules docs --check' fails if it is stale."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["docs"])
        parser.add_argument("--check", action="store_true")

    def handle(self, *args, **options):
        from lindung.rules import docs

        code = docs.main(["--check"] if options["check"] else [])
        if code:
            sys.exit(code)
