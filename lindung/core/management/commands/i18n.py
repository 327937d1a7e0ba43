from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Translations: 'i18n compile' compiles locale/*/LC_MESSAGES/*.po to .mo with polib (no gettext tools needed); 'i18n check' fails if a .mo is stale or a message untranslated."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["compile", "check"])

    def handle(self, *args, **options):
        try:
            import polib
        except ImportError:  # pragma: no cover
            raise CommandError("polib is needed: pip install -e '.[dev]'") from None
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
