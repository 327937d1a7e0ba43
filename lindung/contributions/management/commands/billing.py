"""``lindung billing run --period 2024-03 [--sponsor CODE] [--employer NPP] [--correction] [--json]``"""

import argparse
import datetime as dt
import json

from django.core.management.base import CommandError

from lindung.contributions import billing
from lindung.core.formatting import rupiah
from lindung.core.management.base import LindungCommand
from lindung.membership.models import Employer, Sponsor


class Command(LindungCommand):
    help = "Billing runs: one invoice per payer for a period (idempotent; --correction adds adjustment lines)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="Bill a period.")
        run.add_argument("--period", required=True, help="YYYY-MM")
        run.add_argument("--sponsor", help="Sponsor code")
        run.add_argument("--employer", help="Employer NPP")
        run.add_argument("--correction", action="store_true", help="Add adjustment lines for changes since the period was billed.")
        run.add_argument("--today", help="Issue date (YYYY-MM-DD), default today")
        run.add_argument("--json", action="store_true")
        run.add_argument("--as", dest="actor_username", default=argparse.SUPPRESS, help="User recorded as the actor.")
        can = sub.add_parser("cancel", help="Cancel an invoice nothing was paid on (a cancellation note nets it out).")
        can.add_argument("number", help="Invoice number")
        can.add_argument("--reason", required=True)
        can.add_argument("--json", action="store_true")
        can.add_argument("--as", dest="actor_username", default=argparse.SUPPRESS, help="User recorded as the actor.")
        pre = sub.add_parser("prepay", help="A self-paying BPU worker prepays 1, 3, 6 or 12 months (one invoice).")
        pre.add_argument("kpj", help="KPJ number")
        pre.add_argument("--from", dest="first_month", required=True, help="First month, YYYY-MM")
        pre.add_argument("--months", type=int, required=True, choices=(1, 3, 6, 12))
        pre.add_argument("--json", action="store_true")
        pre.add_argument("--as", dest="actor_username", default=argparse.SUPPRESS, help="User recorded as the actor.")

    def handle(self, *args, **options):
        if options["action"] == "prepay":
            return self.prepay(options)
        if options["action"] == "cancel":
            from lindung.contributions.models import Invoice

            invoice = Invoice.objects.filter(number=options["number"]).first()
            if invoice is None:
                raise CommandError(f"No invoice {options['number']!r}.")
            note = billing.cancel_invoice(invoice=invoice, reason=options["reason"], actor=self.actor(options))
            out = {"invoice": invoice.number, "status": "cancelled", "cancellation_note": note.number, "total": note.total}
            self.stdout.write(json.dumps(out) if options["json"] else " ".join(f"{k}={v}" for k, v in out.items()))
            return
        period = billing.parse_period(options["period"])
        sponsor = employer = None
        # A code given but empty or unknown is refused: it never widens the run to every payer.
        if options.get("sponsor") is not None:
            sponsor = Sponsor.objects.filter(code=options["sponsor"].strip()).first() if options["sponsor"].strip() else None
            if sponsor is None:
                raise CommandError(f"--sponsor: no sponsor {options['sponsor']!r}.")
        if options.get("employer") is not None:
            employer = Employer.objects.filter(npp=options["employer"].strip()).first() if options["employer"].strip() else None
            if employer is None:
                raise CommandError(f"--employer: no employer {options['employer']!r}.")
        try:
            today = dt.date.fromisoformat(options["today"]) if options.get("today") else None
        except ValueError:
            raise CommandError(f"--today: {options['today']!r} is not a date (YYYY-MM-DD).") from None
        summary = billing.run_billing(
            period=period, sponsor=sponsor, employer=employer, correction=options["correction"], actor=self.actor(options), today=today
        )
        if options["json"]:
            self.stdout.write(json.dumps(summary.as_dict()))
        else:
            self.stdout.write(
                f"Period {period:%Y-%m}: {summary.created} invoice(s) created ({summary.lines_created} lines); "
                f"in scope {summary.invoices} invoice(s), {summary.lines} lines, total {rupiah(summary.total)}"
            )

    def prepay(self, options):
        from lindung.membership.models import Participant

        participant = Participant.objects.filter(kpj_number=options["kpj"]).first()
        if participant is None:
            raise CommandError(f"No participant with KPJ {options['kpj']}.")
        invoice = billing.prepay(
            participant=participant, first_month=billing.parse_period(options["first_month"]), months=options["months"], actor=self.actor(options)
        )
        out = {
            "invoice": invoice.number,
            "months": options["months"],
            "total": invoice.total,
            "due_date": invoice.due_date.isoformat(),
            "virtual_account": invoice.virtual_account,
        }
        self.stdout.write(json.dumps(out) if options["json"] else " ".join(f"{k}={v}" for k, v in out.items()))
