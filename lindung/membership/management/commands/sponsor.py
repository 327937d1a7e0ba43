import datetime as dt
import json

from django.core.management.base import CommandError

from lindung.core.management.base import LindungCommand
from lindung.membership import services
from lindung.membership.models import Sponsor, SponsorAgreement
from lindung.membership.roster import agreement_usage


class Command(LindungCommand):
    help = "Sponsors and their agreements (PKS): 'sponsor create', 'sponsor agreement CODE', 'sponsor list'."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a sponsor (a local government, company or zakat agency).")
        create.add_argument("--code", required=True)
        create.add_argument("--name", required=True)
        create.add_argument("--region", required=True, help="Region code, e.g. 14.72")
        create.add_argument("--type", required=True, choices=Sponsor.Type.values)
        create.add_argument("--funding", default=Sponsor.FundingSource.APBD, choices=Sponsor.FundingSource.values)
        create.add_argument("--branch", help="Branch office code")
        create.add_argument("--json", action="store_true")
        agr = sub.add_parser("agreement", help="Create an agreement (PKS) for sponsor CODE.")
        agr.add_argument("code")
        agr.add_argument("--number", required=True, help="PKS number")
        agr.add_argument("--start", required=True, type=dt.date.fromisoformat)
        agr.add_argument("--end", required=True, type=dt.date.fromisoformat)
        agr.add_argument("--budget", required=True, type=int, help="Budget in rupiah")
        agr.add_argument("--quota", required=True, type=int, help="Maximum number of workers")
        agr.add_argument("--billing", default="monthly", choices=SponsorAgreement.Billing.values)
        agr.add_argument("--programs", default="JKK,JKM", help="JKK or JKK,JKM")
        agr.add_argument("--income", type=int, default=1_000_000, help="Declared income per worker (Rp)")
        agr.add_argument("--eligible-region", help="Region the workers must live in (default: the sponsor's)")
        agr.add_argument("--min-age", type=int, default=18)
        agr.add_argument("--max-age", type=int, default=65)
        agr.add_argument("--json", action="store_true")
        lst = sub.add_parser("list", help="List sponsors with their agreements and usage.")
        lst.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        actor = self.actor(o)
        if o["action"] == "create":
            branch = None
            if o["branch"]:
                from lindung.accounts.models import Branch

                branch = Branch.objects.filter(code=o["branch"]).first()
                if branch is None:
                    raise CommandError(f"No branch office {o['branch']!r}.")
            s = services.sponsor_create(
                actor=actor, code=o["code"], name=o["name"], type=o["type"], region_code=o["region"], funding_source=o["funding"], branch=branch
            )
            out = {"code": s.code, "name": s.name, "type": s.type, "region": s.region_id}
            self.stdout.write(json.dumps(out) if o["json"] else self.style.SUCCESS(f"Sponsor {s.code} created."))
        elif o["action"] == "agreement":
            sponsor = Sponsor.objects.filter(code=o["code"]).first()
            if sponsor is None:
                raise CommandError(f"No sponsor {o['code']!r}.")
            a = services.agreement_create(
                actor=actor,
                sponsor=sponsor,
                number=o["number"],
                start_date=o["start"],
                end_date=o["end"],
                budget=o["budget"],
                quota=o["quota"],
                billing_frequency=o["billing"],
                programs=[p.strip() for p in o["programs"].split(",") if p.strip()],
                declared_income=o["income"],
                eligible_region_code=o["eligible_region"],
                min_age=o["min_age"],
                max_age=o["max_age"],
            )
            out = {
                "sponsor": sponsor.code,
                "number": a.number,
                "start": a.start_date.isoformat(),
                "end": a.end_date.isoformat(),
                "budget": a.budget,
                "quota": a.quota,
                "billing": a.billing_frequency,
                "programs": a.programs,
            }
            self.stdout.write(json.dumps(out) if o["json"] else self.style.SUCCESS(f"Agreement {a.number} of {sponsor.code} created."))
        else:
            rows = []
            for s in Sponsor.objects.all():
                for a in s.agreements.all():
                    u = agreement_usage(a)
                    rows.append(
                        {
                            "sponsor": s.code,
                            "agreement": a.number,
                            "start": a.start_date.isoformat(),
                            "end": a.end_date.isoformat(),
                            "quota": a.quota,
                            "active": u.active,
                            "budget": a.budget,
                            "committed": u.committed,
                        }
                    )
                if not s.agreements.exists():
                    rows.append({"sponsor": s.code, "agreement": None})
            if o["json"]:
                self.stdout.write(json.dumps(rows))
            else:
                for r in rows:
                    if r["agreement"] is None:
                        self.stdout.write(f"{r['sponsor']:<16} (no agreement)")
                    else:
                        self.stdout.write(
                            f"{r['sponsor']:<16} {r['agreement']:<20} {r['start']}..{r['end']}  workers {r['active']}/{r['quota']}"
                            f"  committed Rp {r['committed']:,} of Rp {r['budget']:,}"
                        )
