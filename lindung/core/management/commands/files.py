"""``lindung files sweep [--older-than HOURS] [--dry-run] [--json] [--as USERNAME]``: remove the
storage files no stored-file row names (what a killed process wrote inside a transaction it never
committed), older than the grace period (24 hours by default). The job ``files.sweep`` does the same
in the worker."""

from __future__ import annotations

import argparse
import datetime as dt
import json

from django.core.management.base import CommandError

from lindung.core.files.sweep import DEFAULT_GRACE, sweep
from lindung.core.management.base import LindungCommand


class Command(LindungCommand):
    help = "Stored files: sweep (remove the storage files no row names, older than a grace period)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sw = sub.add_parser("sweep", help="Remove the storage files no stored-file row names, older than --older-than hours.")
        sw.add_argument("--older-than", type=float, default=DEFAULT_GRACE.total_seconds() / 3600, metavar="HOURS", help="Grace period (default 24).")
        sw.add_argument("--dry-run", action="store_true", help="List what would be removed; remove nothing.")
        sw.add_argument("--json", action="store_true")
        sw.add_argument("--as", dest="actor_username", metavar="USERNAME", default=argparse.SUPPRESS, help="User recorded as the actor.")

    def handle(self, *args, **options):
        if options["older_than"] < 0:
            raise CommandError("--older-than: a number of hours, 0 or more.")
        result = sweep(older_than=dt.timedelta(hours=options["older_than"]), dry_run=options["dry_run"], actor=self.actor(options))
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict()))
            return
        verb = "would be removed" if result.dry_run else "removed"
        for name in result.deleted:
            self.stdout.write(name)
        self.stderr.write(
            f"{result.checked} file(s) checked, {result.referenced} referenced, {result.young} unreferenced within the grace period, "
            f"{len(result.deleted)} {verb} ({result.bytes} bytes)."
        )
