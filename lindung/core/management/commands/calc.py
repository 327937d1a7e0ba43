import sys

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Regulation calculator: reads one JSON case on stdin, writes one JSON result. Kinds: contribution, benefit, heirs, scholarship."

    def add_arguments(self, parser):
        parser.add_argument("kind", help="contribution | benefit | heirs | scholarship")

    def handle(self, *args, **options):
        from lindung.rules import cli

        code = cli.main([options["kind"]], stdin=sys.stdin, stdout=self.stdout._out)
        if code:
            sys.exit(code)
