"""Shared pieces exist once: display formats, month arithmetic, the KPJ check digit, the 404
helper. A second copy written inline fails here and names the file."""

from __future__ import annotations

import re
from pathlib import Path

import lindung

ROOT = Path(lindung.__file__).parent

PATTERNS = {
    "thousands separator by hand (use lindung.core.formatting)": re.compile(r"""\.replace\(\s*["'],["']\s*,\s*["']\.["']\s*\)"""),
    "a display date by strftime (use lindung.core.formatting.date)": re.compile(r"""strftime\(\s*["']%d[-/]%m[-/]%Y"""),
    "month arithmetic by hand (use lindung.rules.months)": re.compile(r"""\*\s*12\s*\+|replace\(day=28\)\s*\+|calendar\.monthrange"""),
    "a Luhn digit by hand (use lindung.membership.kpj)": re.compile(r"""10\s*-\s*\w+\s*%\s*10"""),
    "a NotFound → 404 helper (use lindung.core.shortcuts.or_404)": re.compile(r"""except NotFound as \w+:\s*\n\s*raise Http404"""),
}
HOMES = {
    # the generator writes dates the way office spreadsheets do (a file, not a page)
    "a display date by strftime (use lindung.core.formatting.date)": {"membership/roster_gen.py", "demo/dumai/people.py"},
    "thousands separator by hand (use lindung.core.formatting)": {"rules/money.py"},
    "month arithmetic by hand (use lindung.rules.months)": {"rules/months.py"},
    "a Luhn digit by hand (use lindung.membership.kpj)": {"membership/kpj.py"},
    "a NotFound → 404 helper (use lindung.core.shortcuts.or_404)": {"core/shortcuts.py"},
}


def test_each_shared_piece_is_written_once():
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if "/migrations/" in rel:
            continue
        text = path.read_text(encoding="utf-8")
        for what, pattern in PATTERNS.items():
            if rel not in HOMES.get(what, set()) and pattern.search(text):
                found.append(f"{rel}: {what}")
    assert found == []


def test_templates_use_the_shared_number_filters():
    offenders = [
        p.relative_to(ROOT).as_posix()
        for p in sorted((ROOT / "templates").rglob("*.html"))
        if "|intcomma" in p.read_text(encoding="utf-8") or re.search(r"""\|date:["'](d-m-Y|m/Y|m-Y)""", p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
