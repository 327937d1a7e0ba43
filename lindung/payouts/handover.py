"""Public hand-over events (penyerahan santunan): date, place, the officials present and the cases
handed over, each marked as it stood — paid, approved and awaiting payment, or a reported death whose
benefit is computed but not yet claimed by the heirs. A printable list (PDF) with the total in
figures and words, and the press line ("14 ahli waris menerima santunan sebesar Rp 504.000.000").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Sum
from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from lindung.claims import benefit as claim_benefit
from lindung.claims.models import Claim, ClaimHeir, ClaimStatus, Payee, PayeeKind
from lindung.core import audit, formatting
from lindung.core.errors import ServiceError
from lindung.core.terbilang import terbilang
from lindung.payouts.models import HandoverCase, HandoverEvent, OrderStatus, PaymentOrder

Mark = HandoverCase.Mark


def _heir_name(claim: Claim) -> str:
    payee = Payee.objects.filter(claim=claim, kind=PayeeKind.HEIR).order_by("-share", "id").first()
    if payee is not None:
        return payee.name
    heir = ClaimHeir.objects.filter(claim=claim, entitled=True).order_by("id").first()
    return heir.full_name if heir is not None else "-"


def case_for(claim: Claim) -> dict:
    """How the claim stands today for a hand-over: its mark, the heir, the deceased and the amount."""
    orders = PaymentOrder.objects.filter(claim=claim, group="benefit").exclude(status__in=[OrderStatus.CANCELLED, OrderStatus.REISSUED])
    paid = orders.filter(status=OrderStatus.PAID).aggregate(total=Sum("amount"))["total"] or 0
    pending = orders.exclude(status=OrderStatus.PAID).exists()
    if paid and not pending:
        mark, amount = Mark.PAID, paid
    elif claim.status in (ClaimStatus.APPROVED, ClaimStatus.READY):
        mark, amount = Mark.AWAITING_PAYMENT, (orders.aggregate(total=Sum("amount"))["total"] or claim.benefit_total or 0)
    elif claim.status == ClaimStatus.REPORTED:
        mark, amount = Mark.AWAITING_CLAIM, claim_benefit.compute(claim).total
    else:
        raise ServiceError(
            "claim_not_decided",
            _("Claim %(number)s is “%(status)s”: only paid, approved or reported cases are handed over.")
            % {"number": claim.number, "status": claim.get_status_display()},
            {"claims": claim.number or str(claim.pk)},
        )
    return {
        "claim": claim,
        "mark": mark,
        "amount": amount,
        "heir_name": _heir_name(claim)[:200],
        "deceased_name": claim.participant.person.full_name[:200],
        "program": claim.program,
    }


@transaction.atomic
def create_handover_event(
    *,
    actor,
    title: str,
    date: dt.date,
    place: str,
    claims: Iterable[Claim],
    officials: Iterable[dict] = (),
    branch=None,
    note: str = "",
) -> HandoverEvent:
    """An event with its cases marked as they stand now (each claim once). ``officials``: dicts of
    ``role`` and ``name`` (mayor, head of Disnaker, branch head…)."""
    claims = list(claims)
    if not claims:
        raise ServiceError("no_cases", _("Name at least one case to hand over."), {"claims": "required"})
    if len({c.pk for c in claims}) != len(claims):
        raise ServiceError("duplicate_case", _("A case is named twice."), {"claims": "duplicate"})
    officials = [{"role": str(o.get("role", ""))[:100], "name": str(o.get("name", ""))[:200]} for o in officials]
    if not title.strip() or not place.strip():
        raise ServiceError("invalid", _("Give the event a title and a place."), {"title" if not title.strip() else "place": "required"})
    cases = [case_for(c) for c in claims]
    event = HandoverEvent.objects.create(
        title=title.strip()[:200],
        date=date,
        place=place.strip()[:200],
        branch=branch or claims[0].branch,
        officials=officials,
        note=note[:500],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    HandoverCase.objects.bulk_create([HandoverCase(event=event, **c) for c in cases])
    summary = event_summary(event)
    audit.record(actor=actor, action="payouts.handover_create", obj=event, changes={"cases": summary["count"], "total": summary["total"]})
    return event


def event_summary(event: HandoverEvent, cases=None) -> dict:
    """Counts and totals per mark, the total in figures and words, and the press line."""
    rows = list(cases if cases is not None else event.cases.all())
    by_mark = {m.value: {"label": str(m.label), "count": 0, "total": 0} for m in Mark}
    for c in rows:
        by_mark[c.mark]["count"] += 1
        by_mark[c.mark]["total"] += c.amount
    total = sum(c.amount for c in rows)
    with translation.override("id"):
        press = _("%(count)s heirs receive benefits totalling %(amount)s") % {"count": len(rows), "amount": formatting.rupiah(total)}
    return {
        "count": len(rows),
        "total": total,
        "total_in_words": terbilang(total),
        "by_mark": by_mark,
        "press_line": press,
    }


def _latin1(text) -> str:
    return (
        str(text)
        .replace("–", "-")
        .replace("—", "-")
        .replace("’", "'")
        .replace("“", '"')
        .replace("”", '"')
        .encode("latin-1", "replace")
        .decode("latin-1")
    )


def handover_pdf(event: HandoverEvent, *, compress: bool = True) -> bytes:
    """The printable list (Indonesian): heir, deceased participant, programme, amount and mark; the
    total in figures and words; the press line."""
    with translation.override("id"):
        cases = list(event.cases.order_by("id"))
        summary = event_summary(event, cases)
        pdf = FPDF(format="A4", unit="mm")
        pdf.set_compression(compress)
        pdf.set_title(_latin1(event.title))
        pdf.set_margins(15, 15, 15)
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 13)
        pdf.multi_cell(0, 7, _latin1(_("BENEFIT HAND-OVER")), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "B", 11)
        pdf.multi_cell(0, 6, _latin1(event.title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(
            0, 5.5, _latin1(_("%(date)s, %(place)s") % {"date": formatting.date(event.date), "place": event.place}), new_x="LMARGIN", new_y="NEXT"
        )
        if event.officials:
            pdf.multi_cell(0, 5.5, _latin1(_("Officials present:")), new_x="LMARGIN", new_y="NEXT")
            for o in event.officials:
                pdf.multi_cell(0, 5, _latin1(f"- {o['name']} ({o['role']})"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        pdf.set_font("Helvetica", "", 8.5)
        with pdf.table(col_widths=(8, 44, 44, 16, 30, 38), text_align=("RIGHT", "LEFT", "LEFT", "LEFT", "RIGHT", "LEFT"), line_height=4.6) as table:
            table.row([_latin1(h) for h in ("No", _("Heir"), _("Deceased participant"), _("Programme"), _("Amount"), _("Status"))])
            for n, c in enumerate(cases, 1):
                table.row(
                    [
                        str(n),
                        _latin1(c.heir_name),
                        _latin1(c.deceased_name),
                        c.program,
                        _latin1(formatting.rupiah(c.amount)),
                        _latin1(c.get_mark_display()),
                    ]
                )
        pdf.ln(2)
        pdf.set_font("Helvetica", "", 9)
        for mark in summary["by_mark"].values():
            if mark["count"]:
                pdf.multi_cell(0, 5, _latin1(f"{mark['label']}: {mark['count']} - {formatting.rupiah(mark['total'])}"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "B", 11)
        pdf.multi_cell(0, 6, _latin1(_("Total: %(amount)s") % {"amount": formatting.rupiah(summary["total"])}), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(
            0, 5.5, _latin1(_("In words: %(words)s") % {"words": terbilang(summary["total"], capitalize=True)}), new_x="LMARGIN", new_y="NEXT"
        )
        pdf.ln(3)
        pdf.set_font("Helvetica", "I", 10)
        pdf.multi_cell(0, 5.5, _latin1(summary["press_line"]), new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())
