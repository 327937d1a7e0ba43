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

from lindung.claims import benefit as claim_benefit
from lindung.claims.models import Claim, ClaimHeir, ClaimStatus, Payee, PayeeKind
from lindung.core import audit, formatting, pdf
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


def handover_pdf(event: HandoverEvent, *, compress: bool = True) -> bytes:
    """The printable list (Indonesian): heir, deceased participant, programme, amount and mark; the
    total in figures and words; the press line and the event's note."""
    with translation.override("id"):
        cases = list(event.cases.order_by("id"))
        summary = event_summary(event, cases)
        doc = pdf.Document(event.title, compress=compress)
        doc.heading(_("BENEFIT HAND-OVER"), event.title)
        doc.paragraph(_("%(date)s, %(place)s") % {"date": formatting.date(event.date), "place": event.place})
        if event.officials:
            doc.paragraph(_("Officials present:"))
            for o in event.officials:
                doc.paragraph(f"- {o['name']} ({o['role']})", height=5)
        doc.ln(3)
        doc.rows(
            ("No", _("Heir"), _("Deceased participant"), _("Programme"), _("Amount"), _("Status")),
            ((str(n), c.heir_name, c.deceased_name, c.program, formatting.rupiah(c.amount), c.get_mark_display()) for n, c in enumerate(cases, 1)),
            widths=(8, 44, 44, 16, 30, 38),
            align=("RIGHT", "LEFT", "LEFT", "LEFT", "RIGHT", "LEFT"),
        )
        doc.ln(2)
        for mark in summary["by_mark"].values():
            if mark["count"]:
                doc.paragraph(f"{mark['label']}: {mark['count']} - {formatting.rupiah(mark['total'])}", size=9, height=5)
        doc.paragraph(_("Total: %(amount)s") % {"amount": formatting.rupiah(summary["total"])}, size=11, style="B", height=6)
        doc.paragraph(_("In words: %(words)s") % {"words": terbilang(summary["total"], capitalize=True)})
        doc.ln(3)
        doc.paragraph(summary["press_line"], style="I")
        if event.note:
            doc.paragraph(event.note, size=9)
        return doc.content()
