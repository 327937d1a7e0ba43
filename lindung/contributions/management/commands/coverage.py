"""``lindung coverage KPJ DATE [--program JKM] [--json]`` and ``lindung coverage --daily [--on DATE]``"""

import datetime as dt
import json

from django.core.management.base import CommandError

from lindung.contributions.coverage import coverage_on
from lindung.core.jobs import start_job
from lindung.core.management.base import LindungCommand
from lindung.membership.models import Participant


class Command(LindungCommand):
    help = "Was a participant covered on a date? Or run the daily cover job (--daily)."

    def add_arguments(self, parser):
        parser.add_argument("kpj", nargs="?")
        parser.add_argument("date", nargs="?", help="YYYY-MM-DD")
        parser.add_argument("--program")
        parser.add_argument("--daily", action="store_true", help="Run the daily job: overdue invoices, active/grace/ended statuses.")
        parser.add_argument("--on", help="Date for --daily (default today)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        if options["daily"]:
            on = options.get("on") or dt.date.today().isoformat()
            try:
                dt.date.fromisoformat(on)
            except ValueError:
                raise CommandError(f"--on: {on!r} is not a date (YYYY-MM-DD).") from None
            job = start_job("contributions.daily", actor=self.actor(options), params={"on": on})
            self.stdout.write(json.dumps({"job": str(job.pk), "status": job.status, "result": job.result}))
            if job.status == "failed":
                # A scheduler (cron, systemd timer) must see the failure in the exit status.
                raise CommandError(f"The daily job failed: {job.error}")
            return
        if not options.get("kpj") or not options.get("date"):
            raise CommandError("Give a KPJ number and a date, or --daily.")
        participant = Participant.objects.filter(kpj_number=options["kpj"]).first()
        if participant is None:
            raise CommandError(f"No participant with KPJ {options['kpj']}.")
        try:
            on = dt.date.fromisoformat(options["date"])
        except ValueError:
            raise CommandError("The date must be YYYY-MM-DD.") from None
        result = coverage_on(participant, on, program=options.get("program"))
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict()))
        else:
            self.stdout.write(
                f"{result.kpj_number} {result.program} {on}: {result.status} (paid through {result.paid_through}) - {result.reason.text_en}"
            )
            for ref in result.invoices + result.payments:
                self.stdout.write(f"  {ref}")
