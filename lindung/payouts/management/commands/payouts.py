"""``lindung payouts …``: orders for ready claims, batch export (pain.001 or CSV) and the import of
the bank's answer, each as a named user (``--as``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from django.core.management.base import CommandError

from lindung.core.errors import NotFound
from lindung.core.management.base import LindungCommand
from lindung.payouts import selectors, services


class Command(LindungCommand):
    help = "Payouts: make orders for claims ready for payment, export a batch for the bank, import the bank's answer."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("orders", help="Make the payment orders of every claim ready for payment.")
        ex = sub.add_parser("export", help="Export an authorised batch: pain.001.001.09 (default) or the bank CSV.")
        ex.add_argument("batch", help="Batch number (PB-…)")
        ex.add_argument("--format", default="pain001", help="pain001, or csv (the batch's bank format) or csv:<format>")
        ex.add_argument("--out", help="File to write (default: standard output)")
        ex.add_argument("--regenerate", action="store_true", help="Make the file again from the orders (the first one is kept; audited).")
        imp = sub.add_parser("import-answer", help="Import the bank's answer (result CSV, pain.002 or camt.054) for a batch.")
        imp.add_argument("batch")
        imp.add_argument("file")
        imp.add_argument("--json", action="store_true")
        for p in sub.choices.values():
            p.add_argument(
                "--as", dest="actor_username", metavar="USERNAME", default=argparse.SUPPRESS, help="The user acting (role and scope apply)."
            )

    def handle(self, *args, **options):
        actor = self.actor(options)
        if actor is None:
            raise CommandError("--as USERNAME is required (a finance user).")
        action = options["action"]
        if action == "orders":
            made = services.create_orders_for_ready_claims(actor=actor, branch=actor.branch if actor.branch_id else None)
            self.stdout.write(f"{len(made)} order(s): {sum(o.amount for o in made)} IDR")
            return
        try:
            batch = selectors.batch(user=actor, number=options["batch"])
        except NotFound:
            raise CommandError(f"No batch {options['batch']!r} visible to {actor.username}.") from None
        if action == "export":
            if not actor.has_perm("payouts.export_paymentbatch"):
                raise CommandError(f"{actor.username} may not export batches.")
            fmt = options["format"]
            chunks = (
                services.export_pain001(batch, actor=actor, regenerate=options["regenerate"])
                if fmt == "pain001"
                else services.export_csv(batch, actor=actor, bank_format=fmt.partition(":")[2] or None, regenerate=options["regenerate"])
            )
            if options.get("out"):
                with open(options["out"], "wb") as fh:
                    for chunk in chunks:
                        fh.write(chunk)
                self.stderr.write(f"{batch.number}: {batch.count} orders, {batch.total} IDR written to {options['out']}")
            else:
                for chunk in chunks:
                    sys.stdout.buffer.write(chunk)
                sys.stdout.flush()
            return
        if not actor.has_perm("payouts.import_bankanswer"):
            raise CommandError(f"{actor.username} may not import the bank's answer.")
        path = Path(options["file"])
        result = services.import_bank_answer(batch, path.read_bytes(), actor=actor, filename=path.name)
        out = {
            "batch": batch.number,
            "batch_status": batch.status,
            "duplicate": result.duplicate,
            "paid": result.paid,
            "failed": result.failed,
            "unknown": result.unknown,
            "unchanged": result.unchanged,
        }
        if options.get("json"):
            self.stdout.write(json.dumps(out, indent=2))
        else:
            self.stdout.write(
                f"{batch.number}: {len(result.paid)} paid, {len(result.failed)} failed, {len(result.unknown)} unknown, "
                f"{len(result.unchanged)} unchanged{' (imported before: nothing changed)' if result.duplicate else ''}; batch {batch.status}"
            )
