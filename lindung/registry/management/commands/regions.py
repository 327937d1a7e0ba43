import json

from django.core.management.base import CommandError

from lindung.core.management.base import LindungCommand
from lindung.registry import services


class Command(LindungCommand):
    help = "Region (wilayah) code list: 'regions import FILE' loads a Kepmendagri CSV (kode,nama); 'regions import --bundled' loads the project's Dumai data."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Load a Kepmendagri code list (CSV kode,nama) idempotently; a malformed row rejects the whole file.")
        imp.add_argument("file", nargs="?", help="CSV file with the header kode,nama")
        imp.add_argument("--bundled", action="store_true", help="Load the bundled Riau / Kota Dumai regions instead of a file")
        imp.add_argument("--json", action="store_true", help="Print the result as JSON")

    def handle(self, *args, **options):
        if options["action"] == "import":
            if bool(options["file"]) == bool(options["bundled"]):
                raise CommandError("Give either FILE or --bundled.")
            actor = self.actor(options)
            if options["bundled"]:
                result = services.import_bundled_regions(actor=actor)
            else:
                try:
                    result = services.import_regions(options["file"], actor=actor)
                except FileNotFoundError:
                    raise CommandError(f"No such file: {options['file']}") from None
                except UnicodeDecodeError as exc:
                    raise CommandError(f"The file is not UTF-8 text: {exc}") from None
            if options["json"]:
                self.stdout.write(json.dumps(result.as_dict()))
            else:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{result.rows} regions read: {result.created} created, {result.updated} updated, {result.unchanged} unchanged."
                    )
                )
