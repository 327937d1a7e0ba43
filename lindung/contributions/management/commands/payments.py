"""``lindung payments record|import|match|unmatched``"""

import argparse
import datetime as dt
import json
from pathlib import Path

from django.core.management.base import CommandError

from lindung.contributions import bank_statements, payments, selectors
from lindung.contributions.models import ContributionPayment, Invoice
from lindung.core.management.base import LindungCommand


class Command(LindungCommand):
    help = "Contribution payments: record one, import a bank statement CSV, match from the unmatched queue."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        rec = sub.add_parser("record")
        rec.add_argument("--amount", type=int, required=True)
        rec.add_argument("--date", required=True, help="YYYY-MM-DD")
        rec.add_argument("--reference", default="", help="Invoice number or virtual account in the text")
        rec.add_argument("--bank-reference")
        rec.add_argument("--invoice")
        imp = sub.add_parser("import")
        imp.add_argument("file")
        match = sub.add_parser("match")
        match.add_argument("payment", type=int)
        match.add_argument("invoice")
        sub.add_parser("unmatched")
        for p in (rec, imp, match):
            p.add_argument("--json", action="store_true")
            p.add_argument("--as", dest="actor_username", default=argparse.SUPPRESS, help="User recorded as the actor.")

    def handle(self, *args, **options):
        actor = self.actor(options)
        action = options["action"]
        if action == "record":
            invoice = None
            if options.get("invoice"):
                invoice = Invoice.objects.filter(number=options["invoice"]).first()
                if invoice is None:
                    raise CommandError(f"--invoice: no invoice {options['invoice']!r}.")
            try:
                paid_on = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"--date: {options['date']!r} is not a date (YYYY-MM-DD).") from None
            p = payments.record_payment(
                amount=options["amount"],
                paid_on=paid_on,
                reference=options["reference"],
                bank_reference=options.get("bank_reference"),
                invoice=invoice,
                actor=actor,
            )
            out = {"payment": p.pk, "status": p.status}
        elif action == "import":
            path = Path(options["file"])
            if not path.exists():
                raise CommandError(f"No file {path}.")
            batch = bank_statements.import_bank_statement(content=path.read_bytes(), file_name=path.name, actor=actor)
            out = {"rows": batch.rows, "matched": batch.matched, "unmatched": batch.unmatched, "total": batch.total}
        elif action == "match":
            payment = ContributionPayment.objects.filter(pk=options["payment"]).first()
            invoice = Invoice.objects.filter(number=options["invoice"]).first()
            if payment is None or invoice is None:
                raise CommandError("No such payment or invoice.")
            p = payments.match_payment(payment=payment, invoice=invoice, actor=actor)
            out = {"payment": p.pk, "status": p.status}
        else:
            for p in selectors.unmatched_queue():
                self.stdout.write(f"{p.pk}\t{p.paid_on}\t{p.amount}\t{p.bank_reference or ''}\t{p.reference}")
            return
        self.stdout.write(json.dumps(out) if options.get("json") else " ".join(f"{k}={v}" for k, v in out.items()))
