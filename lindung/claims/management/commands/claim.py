"""``lindung claim …``: scripted intake and decisions, each as a named user (``--as``, checked
against that user's role and scope), with ``--json`` printing the claim as the API returns it."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from django.core.files import File
from django.core.management.base import CommandError

from lindung.claims import heirs as heirs_service
from lindung.claims import intake, selectors, services, transfer
from lindung.core.errors import NotFound, ServiceError
from lindung.core.management.base import LindungCommand

STEPS = services.STEPS


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def _datetime(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


class Command(LindungCommand):
    help = "Claims: report a death or accident, open the claim, heirs, payees, documents, decisions, transfer, show."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)

        def claim_parser(name, text):
            p = sub.add_parser(name, help=text)
            p.add_argument("number", help="Claim number (KLM-…)")
            p.add_argument("--json", action="store_true", help="Print the claim as JSON (as the API returns it)")
            return p

        rep = sub.add_parser("report", help="Report a death (or with --accident-at, a work accident): opens a case awaiting the claim.")
        for flag in ("--nik", "--kpj", "--name"):
            rep.add_argument(flag, default="")
        rep.add_argument("--death-date", type=_date)
        rep.add_argument("--accident-at", type=_datetime, help="Accident date and time (YYYY-MM-DDTHH:MM)")
        rep.add_argument("--reported-at", type=_datetime, help="When the accident was reported (default: now)")
        rep.add_argument("--place", default="")
        rep.add_argument("--description", default="")
        rep.add_argument("--note", default="")
        rep.add_argument("--json", action="store_true")

        df = sub.add_parser("death-file", help="Open cases from a file of deaths (NIK, name, date of death; CSV or a workbook).")
        df.add_argument("file")
        df.add_argument("--json", action="store_true")

        op = claim_parser("open", "Open the claim of a reported case (the heirs come to claim).")
        op.add_argument("--claimant-name", default=None)
        op.add_argument("--claimant-relation", default=None)
        op.add_argument("--claimant-phone", default=None)
        op.add_argument("--funeral-arranger", default=None)
        op.add_argument("--program", choices=["JKM", "JKK"], default=None)
        op.add_argument("--outcome", default=None, help="death, total_disability, partial_disability, temporary_incapacity, medical")
        op.add_argument("--wage", type=int, default=None)
        op.add_argument("--incapacity-months", type=int, default=None)
        op.add_argument("--death-date", type=_date, default=None, help="JKK: the participant died of the accident on this date")

        heir = claim_parser("heir", "Add a relative named at intake (to the family register and the claim).")
        heir.add_argument("--relation", required=True)
        heir.add_argument("--full-name", required=True)
        heir.add_argument("--nik", default="")
        heir.add_argument("--birth-date", type=_date, default=None)
        heir.add_argument("--sex", default="")
        heir.add_argument("--school-level", default="")
        heir.add_argument("--phone", default="")

        pay = claim_parser("payee", "Designate a payee (an entitled heir with a share, the funeral arranger or the social security fund).")
        pay.add_argument("--heir", type=int, help="Heir id (see 'claim show')")
        pay.add_argument("--kind", default="heir", choices=["heir", "funeral_arranger", "social_security_fund", "participant"])
        pay.add_argument("--share", type=int, default=10_000, help="Share in 10,000 parts (default the whole)")
        pay.add_argument("--bank", default="", help="Bank code (3 digits, e.g. 119)")
        pay.add_argument("--account", default="")
        pay.add_argument("--holder", default="")
        pay.add_argument("--name", default="")

        doc = claim_parser(
            "document", "Upload the file of a checklist item (--upload PATH --code CODE), or check an uploaded one (--id N --accept/--refuse)."
        )
        doc.add_argument("--upload", default=None, help="File to upload (PDF, JPEG or PNG)")
        doc.add_argument("--code", default=None, help="Checklist item, e.g. death_certificate, heir_ktp, family_card")
        doc.add_argument("--id", type=int, default=None, help="Document id to check (see 'claim show --json')")
        doc.add_argument("--accept", action="store_true")
        doc.add_argument("--refuse", action="store_true")
        doc.add_argument("--note", default="")

        for step in STEPS:
            p = claim_parser(step, f"Take the step '{step}'.")
            p.add_argument("--reason", default="")
            p.add_argument("--note", default="")

        tr = claim_parser("transfer", "Transfer the claim to another branch office (the heir moved).")
        tr.add_argument("--to", required=True, help="Branch code")
        tr.add_argument("--reason", required=True)

        claim_parser("show", "Show the claim: status, checks, heirs, payees, benefit, deadline, late compensation.")
        for p in sub.choices.values():
            p.add_argument(
                "--as", dest="actor_username", metavar="USERNAME", default=argparse.SUPPRESS, help="The user taking the step (role and scope apply)."
            )

    # ------------------------------------------------------------------ plumbing
    def handle(self, *args, **o):
        try:
            return self._run(o)
        except ServiceError as exc:
            if o.get("json"):
                self.stdout.write(json.dumps(exc.as_dict(), ensure_ascii=False))
            raise

    def _user(self, o):
        if not o.get("actor_username"):
            raise ServiceError("as_required", "--as USERNAME is required: every claim step is taken by a named user.", {"as": "required"})
        try:
            return self.actor(o)
        except CommandError:
            raise NotFound(f"--as: no user {o['actor_username']!r}.", {"as": "no such user"}) from None

    def _out(self, o, claim, user):
        view = selectors.claim_view(claim, user=user)
        if o.get("json"):
            data = selectors.claim_json(view, user=user, history=[{**r, "at": r["at"].isoformat()} for r in selectors.timeline(claim)])
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        c = view.claim
        self.stdout.write(
            f"{c.number}  {c.program} {c.outcome}  {c.get_status_display()}  participant {c.participant.kpj_number}  event {c.event_date}"
        )
        for check in view.checks:
            mark = {"pass": "✓", "fail": "✗", "warn": "!", "not_applicable": "-"}[check.result]
            self.stdout.write(f"  {mark} {check.label}: {check.reason}")
        for h in view.heirs:
            self.stdout.write(f"  heir {h.pk}: {h.full_name} ({h.relation}){' entitled' if h.entitled else ''}")
        for p in view.payees:
            self.stdout.write(f"  payee {p.pk}: {p.name} {p.kind} share {p.share}/10000 Rp {view.amounts.get(p.pk, 0):,}")
        if c.benefit_total is not None:
            self.stdout.write(f"  benefit Rp {c.benefit_total:,}")
        if c.deadline:
            self.stdout.write(f"  deadline {c.deadline}{' OVERDUE' if view.overdue else ''}")
        if view.late and view.late["amount"]:
            self.stdout.write(f"  late compensation Rp {view.late['amount']:,} ({view.late['days_late']} days)")

    def _death_file(self, o, user):
        from pathlib import Path

        from lindung.claims import death_file

        if not user.has_perm("claims.report_death"):
            raise ServiceError("forbidden", "This user may not report deaths.", {"as": "forbidden"}, status=403)
        path = Path(o["file"])
        if not path.exists():
            raise NotFound(f"No file {path}.", {"file": "missing"})
        result = death_file.open_from_file(path, name=path.name, actor=user)
        data = result.as_dict()
        if o.get("json"):
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        self.stdout.write(f"{data['rows']} rows, {data['opened']} cases opened, {data['rejected']} rejected")
        for e in result.errors:
            self.stdout.write(f"  {e}")

    # ------------------------------------------------------------------ actions
    def _run(self, o):
        user = self._user(o)
        action = o["action"]
        if action == "report":
            participant = intake.find_participant(user=user, nik=o["nik"], kpj=o["kpj"], name=o["name"])
            if o["accident_at"]:
                claim = intake.report_accident(
                    participant,
                    actor=user,
                    accident_at=o["accident_at"],
                    place=o["place"],
                    description=o["description"],
                    reported_at=o["reported_at"],
                )
            else:
                if not o["death_date"]:
                    raise ServiceError("invalid", "Give --death-date (or --accident-at for a work accident).", {"death_date": "required"})
                claim = intake.report_death(participant, actor=user, death_date=o["death_date"], note=o["note"])
            return self._out(o, claim, user)
        if action == "death-file":
            return self._death_file(o, user)
        claim = selectors.claim_get(user=user, number=o["number"])
        if action == "show":
            return self._out(o, claim, user)
        if action == "open":
            fields = {
                k: o[k]
                for k in (
                    "claimant_name",
                    "claimant_relation",
                    "claimant_phone",
                    "funeral_arranger",
                    "program",
                    "outcome",
                    "wage",
                    "incapacity_months",
                )
                if o.get(k) is not None
            }
            intake.open_claim(claim, actor=user, **fields)
            if o["death_date"]:
                intake.record_accident_death(claim, actor=user, death_date=o["death_date"])
        elif action == "heir":
            heirs_service.add_relative(
                claim,
                actor=user,
                relation=o["relation"],
                full_name=o["full_name"],
                nik=o["nik"],
                birth_date=o["birth_date"],
                sex=o["sex"],
                school_level=o["school_level"],
                phone=o["phone"],
            )
        elif action == "payee":
            row = {
                "kind": o["kind"],
                "heir": o["heir"],
                "share": o["share"],
                "bank_code": o["bank"],
                "account_number": o["account"],
                "account_holder": o["holder"],
                "name": o["name"],
            }
            heirs_service.add_payee(claim, row, actor=user)
        elif action == "document" and o["upload"]:
            if not o["code"]:
                raise ServiceError("invalid", "Give --code with --upload (the checklist item).", {"code": "required"})
            path = Path(o["upload"])
            if not path.is_file():
                raise ServiceError("not_found", f"No such file: {path}", {"upload": "no such file"}, status=404)
            with open(path, "rb") as fh:
                upload = File(fh, name=path.name)
                intake.upload_document(claim, actor=user, code=o["code"], upload=upload, note=o["note"])
        elif action == "document":
            if o["id"] is None:
                raise ServiceError("invalid", "Give --upload PATH --code CODE, or --id N with --accept or --refuse.", {"id": "required"})
            if o["accept"] == o["refuse"]:
                raise ServiceError("invalid", "Give --accept or --refuse.", {"accept": "or --refuse"})
            intake.check_document(claim, actor=user, document_id=o["id"], accepted=o["accept"], note=o["note"])
        elif action in STEPS:
            services.take_step(claim, action, actor=user, reason=o["reason"], note=o["note"])
        elif action == "transfer":
            branch = selectors.branch_get(user=user, code=o["to"])
            transfer.transfer_claim(claim, actor=user, to_branch=branch, reason=o["reason"])
        claim.refresh_from_db()
        return self._out(o, claim, user)
