"""``lindung report programme --sponsor CODE --period 2024-Q1 [--format text|json|xlsx|pdf] [--out FILE]``:
a sponsor's programme report for a month, a quarter or a year — the page's figures, on the terminal
or as the same workbook and PDF the page downloads (audited). ``--as USERNAME`` reads it as that
user (their scope applies: another sponsor's report is refused)."""

from __future__ import annotations

import argparse
import json
import sys

from django.core.management.base import CommandError
from django.core.serializers.json import DjangoJSONEncoder

from lindung.core import formatting
from lindung.core.errors import NotFound
from lindung.core.management.base import LindungCommand
from lindung.membership.models import Sponsor
from lindung.reports import document, downloads, selectors
from lindung.reports.periods import parse_period


class Command(LindungCommand):
    help = "Reports: a sponsor's programme report for a month, a quarter or a year."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("programme", help="A sponsor's programme report for a period.")
        p.add_argument("--sponsor", required=True, help="The sponsor's code (PEMKO-DUMAI)")
        p.add_argument("--period", help="2024-03 (a month), 2024-Q1 (a quarter) or 2024 (a year); default: this quarter")
        p.add_argument("--format", choices=("text", "json", "xlsx", "pdf"), default="text")
        p.add_argument("--out", help="Write the file here (xlsx and pdf; default: standard output)")
        p.add_argument("--as", dest="actor_username", metavar="USERNAME", default=argparse.SUPPRESS, help="Read as this user (role and scope apply).")

    def handle(self, *args, **options):
        actor = self.actor(options)
        period = parse_period(options.get("period"))
        code = options["sponsor"]
        if actor is not None:
            if not actor.has_perm("reports.view_sponsorreport"):
                raise CommandError(f"{actor.username} may not read reports.")
            try:
                report = selectors.programme_report(user=actor, code=code, period=period)
            except NotFound:
                raise CommandError(f"No sponsor {code!r} in {actor.username}'s scope.") from None
        else:
            sponsor = Sponsor.objects.filter(code=code).first()
            if sponsor is None:
                raise CommandError(f"No sponsor {code!r}.")
            report = selectors.build_report(sponsor, period)
        fmt = options["format"]
        if fmt == "json":
            self.stdout.write(json.dumps(report.as_dict(), indent=2, cls=DjangoJSONEncoder))
        elif fmt == "text":
            self.stdout.write(_text(report))
        else:
            file = downloads.report_file(report, fmt, actor=actor)
            if options.get("out"):
                with open(options["out"], "wb") as fh:
                    fh.write(file.content)
                self.stdout.write(f"{options['out']}: {formatting.number(len(file.content))} bytes")
            else:
                sys.stdout.buffer.write(file.content)


def _text(report) -> str:
    lines = [document.title(report), document.subtitle(report)]
    for section in document.sections(report):
        lines += ["", section.title]
        rows = [section.columns, *[[("  " if c.indent else "") + c.text for c in r] for r in section.rows]]
        if section.total:
            rows.append([c.text for c in section.total])
        if len(section.rows) or section.total:
            widths = [max(len(str(r[i])) for r in rows if len(r) > i) for i in range(len(section.columns))]
            for r in rows:
                lines.append(
                    "  " + "  ".join(str(v).ljust(w) if i == 0 else str(v).rjust(w) for i, (v, w) in enumerate(zip(r, widths, strict=False)))
                )
        if section.note:
            lines.append("  " + section.note)
    return "\n".join(lines)
