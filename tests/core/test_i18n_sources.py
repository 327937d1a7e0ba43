from pathlib import Path

from django.core.management import call_command

from lindung.core.i18n_sources import source_messages

# The parts of the interface the platform owns; each context adds its own paths as it is translated.
PLATFORM = ["core/", "accounts/", "templates/core/", "templates/accounts/", "templates/base.html"]


def test_messages_are_found_in_python_and_templates(tmp_path):
    (tmp_path / "views.py").write_text(
        "from django.utils.translation import gettext_lazy as _, pgettext, ngettext\n"
        "A = _('Saved.')\nB = pgettext('month', 'May')\nC = ngettext('%(n)s row', '%(n)s rows', 2)\nD = _(f'{A}')\n",
        encoding="utf-8",
    )
    (tmp_path / "page.html").write_text(
        '{% load i18n %}<h1>{% translate "Log in" %}</h1>{% blocktranslate with n=3 %}{{ n }} left{% endblocktranslate %}'
        "{% translate 'Kept' context 'menu' %}",
        encoding="utf-8",
    )
    found = set(source_messages(tmp_path))
    assert found == {(None, "Saved."), ("month", "May"), (None, "%(n)s row"), (None, "Log in"), (None, "%(n)s left"), ("menu", "Kept")}


def test_platform_pages_are_translated_into_indonesian():
    call_command("i18n", "sources", *PLATFORM)


def test_the_scan_finds_what_the_home_page_shows():
    import lindung

    found = source_messages(Path(lindung.__file__).parent, ["membership/panels.py"])
    assert (None, "All participants") in found
