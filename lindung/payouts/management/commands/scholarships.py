"""``lindung scholarships open --year 2025``: open the yearly scholarship claim of every active
child (proof of enrolment needed); schedules past the age limit or the maximum end by themselves."""

from __future__ import annotations

import argparse
import json

from django.core.management.base import CommandError

from lindung.core.management.base import LindungCommand
from lindung.payouts import services


class Command(LindungCommand):
    help = "Yearly scholarships: open a school year."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        op = sub.add_parser("open", help="Open the yearly scholarship claims of a school year.")
        op.add_argument("--year", type=int, required=True, help="The school year's first calendar year (2025 = 2025/2026)")
        op.add_argument("--json", action="store_true")
        for p in sub.choices.values():
            p.add_argument(
                "--as", dest="actor_username", metavar="USERNAME", default=argparse.SUPPRESS, help="The user acting (role and scope apply)."
            )

    def handle(self, *args, **options):
        actor = self.actor(options)
        if actor is not None and not actor.has_perm("payouts.change_scholarshipyear"):
            raise CommandError(f"{actor.username} may not open scholarship years.")
        result = services.open_school_year(options["year"], actor=actor, branch=actor.branch if actor is not None and actor.branch_id else None)
        if options.get("json"):
            self.stdout.write(json.dumps(result, indent=2))
        else:
            self.stdout.write(
                f"School year {result['school_year']}/{result['school_year'] + 1}: {result['opened']} opened, "
                f"{result['already_open']} open already, {result['ended_age_limit']} ended at the age limit, {result['ended_maximum']} at the maximum"
            )
