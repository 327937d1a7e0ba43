from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Translations: 'i18n compile' compiles locale/*/LC_MESSAGES/*.po to .mo with polib (no gettext tools needed); "
        "'i18n check' fails if a .mo is stale or a message untranslated; "
        "'i18n sources [PATH ...]' lists the messages of the source tree (optionally only under PATHs of the lindung "
        "package, e.g. core/ templates/core/) that the Indonesian catalogue does not translate yet."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["compile", "check", "sources"])
        parser.add_argument("paths", nargs="*", help="for 'sources': only these paths, relative to the lindung package")

    def handle(self, *args, **options):
        try:
            import polib
        except ImportError:  # pragma: no cover
            raise CommandError("polib is needed: pip install -e '.[dev]'") from None
        if options["action"] == "sources":
            return self.sources(options["paths"])
        problems = []
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
                po = polib.pofile(str(po_path))
                mo_path = po_path.with_suffix(".mo")
                source_language = po_path.parent.parent.name == "en"  # msgids are English already
                untranslated = [] if source_language else [e.msgid for e in po.untranslated_entries() if not e.obsolete]
                fuzzy = [e.msgid for e in po.fuzzy_entries()]
                if options["action"] == "compile":
                    po.save_as_mofile(str(mo_path))
                    self.stdout.write(f"{mo_path.relative_to(settings.BASE_DIR)}: {len(po.translated_entries())} messages")
                else:
                    expected = {(e.msgctxt, e.msgid): e.msgstr for e in po.translated_entries()}
                    actual = {}
                    if mo_path.exists():
                        actual = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(mo_path)) if e.msgid}
                    if expected != actual:
                        problems.append(f"{mo_path.name} in {po_path.parent.parent.name} is stale: run 'lindung i18n compile'")
                    if untranslated:
                        problems.append(f"{po_path.parent.parent.name}: untranslated: {untranslated[:10]}")
                    if fuzzy:
                        problems.append(f"{po_path.parent.parent.name}: fuzzy: {fuzzy[:10]}")
        if problems:
            raise CommandError("\n".join(problems))
        if options["action"] == "check":
            self.stdout.write("translations are complete and compiled")

    def sources(self, paths: list[str]) -> None:
        from lindung.core.i18n_sources import missing_translations

        po_path = Path(settings.LOCALE_PATHS[0]) / "id" / "LC_MESSAGES" / "django.po"
        missing = missing_translations(Path(settings.BASE_DIR), po_path, paths or None)
        for (context, msgid), files in sorted(missing.items(), key=lambda item: (item[1][0], item[0][1])):
            where = ", ".join(files[:3]) + (" …" if len(files) > 3 else "")
            self.stdout.write(f"{where}: {msgid!r}" + (f" (context {context!r})" if context else ""))
        if missing:
            raise CommandError(
                f"{len(missing)} message(s) of the source are not translated in {po_path.name} (id): add them, then 'lindung i18n compile'"
            )
        self.stdout.write("every message of the source is translated")
