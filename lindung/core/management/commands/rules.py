import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Regulation parameters: 'rules docs' regenerates docs/rules.md; 'rules docs --check' fails if it is stale."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["docs"])
        parser.add_argument("--check", action="store_true")

    def handle(self, *args, **options):
        from lindung.rules import cli

        argv = ["docs"] + (["--check"] if options["check"] else [])
        code = cli.main(argv, stdin=sys.stdin, stdout=self.stdout._out)
        if code:
            sys.exit(code)
