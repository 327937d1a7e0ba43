"""``lindung verification …``: the branch office's queue of roster rows held for verification and
of changes rosters propose to the register, as a named user (``--as``: role and branch apply)."""

from __future__ import annotations

import argparse
import json

from django.core.management.base import CommandError

from lindung.core.errors import NotFound, ServiceError
from lindung.core.management.base import LindungCommand
from lindung.core.masking import mask_nik
from lindung.membership.held import selectors, services
from lindung.membership.held.reasons import PROPOSAL_REASONS, ROW_REASONS, proposal_reason_text, row_reason_text


def _row_dict(row, *, full: bool = False) -> dict:
    out = {
        "id": row.pk,
        "sponsor": row.sponsor.code,
        "agreement": row.agreement.number,
        "roster_import": row.roster_import_id,
        "row": row.row_number,
        "nik": row.nik if full else mask_nik(row.nik),
        "full_name": row.full_name,
        "birth_date": row.birth_date.isoformat(),
        "status": row.status,
        "reason": row.reason,
        "reason_text": row_reason_text(row.reason),
        "kpj": row.participant.kpj_number if row.participant_id else None,
    }
    if full:
        out["comparison"] = [{"field": c.field, "row": c.row, "registered": c.registered} for c in selectors.comparison(row)]
    return out


def _proposal_dict(p) -> dict:
    return {
        "id": p.pk,
        "sponsor": p.sponsor.code,
        "roster_import": p.roster_import_id,
        "row": p.row_number,
        "person_nik": mask_nik(p.person.nik),
        "field": p.field,
        "current_value": p.current_value,
        "proposed_value": p.proposed_value,
        "status": p.status,
        "reason": p.reason,
        "reason_text": proposal_reason_text(p.reason),
    }


def _as(parser) -> None:
    """``--as`` after the action too (``verification accept 7 --as verifikator``)."""
    parser.add_argument("--as", dest="actor_username", metavar="USERNAME", default=argparse.SUPPRESS, help="The user acting (role and branch apply).")


class Command(LindungCommand):
    help = (
        "The verification queue: roster rows held for the branch office (list, show, accept, reject) and changes rosters "
        "propose to the register (proposals, accept-proposal, reject-proposal). Every action as --as USERNAME."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (("list", "Rows held for verification"), ("proposals", "Proposed changes to the register")):
            p = sub.add_parser(name, help=text)
            p.add_argument("--status", default="pending", help="pending (default), accepted, rejected or all")
            p.add_argument("--sponsor", help="Sponsor code")
            p.add_argument("--json", action="store_true")
            _as(p)
        show = sub.add_parser("show", help="One held row beside the registered person")
        show.add_argument("id", type=int)
        show.add_argument("--json", action="store_true")
        _as(show)
        for name, text in (("accept", "Accept a held row: enrol the worker"), ("accept-proposal", "Accept a proposed change")):
            p = sub.add_parser(name, help=text)
            p.add_argument("id", type=int)
            p.add_argument("--note", default="")
            p.add_argument("--json", action="store_true")
            _as(p)
        for name, reasons in (("reject", ROW_REASONS), ("reject-proposal", PROPOSAL_REASONS)):
            p = sub.add_parser(name, help=f"Reject ({', '.join(reasons)})")
            p.add_argument("id", type=int)
            p.add_argument("--reason", required=True, choices=list(reasons))
            p.add_argument("--note", default="")
            p.add_argument("--json", action="store_true")
            _as(p)

    def handle(self, *args, **o):
        user = self.actor(o)
        if user is None:
            raise CommandError("--as USERNAME is required: the queue is read and decided by a named user (role and branch apply).")
        try:
            self._run(o, user)
        except ServiceError as exc:
            if o.get("json"):
                self.stdout.write(json.dumps(exc.as_dict(), ensure_ascii=False))
            raise

    def _need(self, user, perm: str) -> None:
        if not user.has_perm(perm):
            raise ServiceError("forbidden", "This user may not do this.", {"as": "forbidden"}, status=403)

    def _run(self, o, user) -> None:
        action = o["action"]
        status = None if o.get("status") == "all" else o.get("status")
        if action == "list":
            self._need(user, "membership.view_heldrow")
            rows = [_row_dict(r) for r in selectors.held_rows(user=user, status=status, sponsor=o.get("sponsor"))]
            return self._out(
                o, rows, lambda r: f"#{r['id']} {r['sponsor']} import {r['roster_import']} row {r['row']} {r['nik']} {r['full_name']} {r['status']}"
            )
        if action == "proposals":
            self._need(user, "membership.view_changeproposal")
            rows = [_proposal_dict(p) for p in selectors.proposals(user=user, status=status, sponsor=o.get("sponsor"))]
            return self._out(
                o,
                rows,
                lambda p: f"#{p['id']} {p['sponsor']} {p['person_nik']} {p['field']}: {p['current_value']!r} → {p['proposed_value']!r} {p['status']}",
            )
        if action in ("show", "accept", "reject"):
            self._need(user, "membership.view_heldrow")
            row = selectors.held_row_get(user=user, pk=o["id"])
            if action == "accept":
                self._need(user, "membership.decide_heldrow")
                services.accept_held_row(row, actor=user, note=o["note"])
            elif action == "reject":
                self._need(user, "membership.decide_heldrow")
                services.reject_held_row(row, actor=user, reason=o["reason"], note=o["note"])
            row = selectors.held_row_get(user=user, pk=o["id"])
            data = _row_dict(row, full=action == "show")
            return self._out(
                o,
                data,
                lambda r: json.dumps(r, ensure_ascii=False, indent=2) if action == "show" else f"#{r['id']} {r['status']} {r['kpj'] or ''}".rstrip(),
            )
        if action in ("accept-proposal", "reject-proposal"):
            self._need(user, "membership.view_changeproposal")
            proposal = selectors.proposal_get(user=user, pk=o["id"])
            self._need(user, "membership.decide_changeproposal")
            if action == "accept-proposal":
                services.accept_proposal(proposal, actor=user, note=o["note"])
            else:
                services.reject_proposal(proposal, actor=user, reason=o["reason"], note=o["note"])
            data = _proposal_dict(selectors.proposal_get(user=user, pk=o["id"]))
            return self._out(o, data, lambda p: f"#{p['id']} {p['status']}")
        raise NotFound(fields={"action": "unknown"})  # pragma: no cover - argparse refuses it first

    def _out(self, o, data, line) -> None:
        if o.get("json"):
            self.stdout.write(json.dumps(data, ensure_ascii=False, default=str))
        elif isinstance(data, list):
            for item in data:
                self.stdout.write(line(item))
            if not data:
                self.stdout.write("Nothing to verify.")
        else:
            self.stdout.write(line(data))
