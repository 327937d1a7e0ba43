import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Regulation calculator: reads one JSON case on stdin, writes one JSON result on stdout "
        '(exit 0; exit 2 with {"error": ...} naming the bad field). '
        "Kinds: contribution, benefit, heirs, scholarship, late-payment, late-fine."
    )

    def add_arguments(self, parser):
        # Optional here so that a missing kind is answered by the calculator's own JSON error (exit 2).
        parser.add_argument("kind", nargs="?", help="contribution | benefit | heirs | scholarship | late-payment | late-fine")

    def handle(self, *args, **options):
        from lindung.rules import cli

        argv = [options["kind"]] if options["kind"] else []
        code = cli.main(argv, stdin=sys.stdin, stdout=self.stdout._out)
        if code:
            sys.exit(code)
