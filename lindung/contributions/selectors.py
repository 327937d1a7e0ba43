"""Reads of the contributions context, always scoped to the user (out of scope → NotFound)."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, OuterRef, Prefetch, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext as _

from lindung.contributions.models import Allocation, ContributionPayment, Invoice, PayerCredit, Refund
from lindung.core.errors import NotFound
from lindung.membership.models import Participant, Sponsor

OPEN = (Invoice.Status.ISSUED, Invoice.Status.PARTLY_PAID, Invoice.Status.OVERDUE)


def invoice_list(*, user, status: str | None = None, sponsor: str | None = None, period: dt.date | None = None, payer_type: str | None = None):
    qs = Invoice.objects.visible_to(user).select_related("sponsor", "agreement", "employer", "participant", "project")
    if status == "open":
        qs = qs.filter(status__in=OPEN)
    elif status:
        qs = qs.filter(status=status)
    if sponsor:
        qs = qs.filter(sponsor__code=sponsor)
    if period:
        qs = qs.filter(period_start__lte=period, period_end__gte=period)
    if payer_type:
        qs = qs.filter(payer_type=payer_type)
    return qs.order_by("-period_start", "number")


def invoice_get(*, user, number: str) -> Invoice:
    invoice = (
        Invoice.objects.visible_to(user).select_related("sponsor", "agreement", "employer", "participant", "project").filter(number=number).first()
    )
    if invoice is None:
        raise NotFound(_("No such invoice."))
    return invoice


def invoice_summary(invoice: Invoice) -> list[dict]:
    """Lines grouped by month and programme (an invoice may hold a million lines)."""
    from django.db.models import Count

    return list(
        invoice.lines.values("period", "program")
        .annotate(participants=Count("participant_id"), amount=Sum("amount"), paid=Sum("paid_amount"))
        .order_by("period", "program")
    )


def invoice_allocations(invoice: Invoice):
    return Allocation.objects.filter(invoice=invoice).select_related("payment", "credit")


def payment_list(*, user, status: str | None = None):
    """Payments the user may see, with the invoices each was applied to (one extra query a page)."""
    qs = ContributionPayment.objects.visible_to(user).prefetch_related(
        Prefetch("allocations", Allocation.objects.select_related("invoice").order_by("invoice__number"))
    )
    if status:
        qs = qs.filter(status=status)
    return qs


def payment_get(*, user, pk: int) -> ContributionPayment:
    payment = ContributionPayment.objects.visible_to(user).filter(pk=pk).first()
    if payment is None:
        raise NotFound(_("No such payment."))
    return payment


def participant_get(*, user, kpj: str) -> Participant:
    participant = Participant.objects.visible_to(user).select_related("person", "sponsor").filter(kpj_number=kpj).first()
    if participant is None:
        raise NotFound(_("No such participant."))
    return participant


def sponsor_get(*, user, code: str) -> Sponsor:
    sponsor = Sponsor.objects.visible_to(user).filter(code=code).first()
    if sponsor is None:
        raise NotFound(_("No such sponsor."))
    return sponsor


def sponsor_statement(*, user, code: str, start: dt.date, end: dt.date) -> dict:
    """Billed, paid and outstanding of a sponsor's invoices whose first month lies in [start, end];
    the credit balance and refunds due as they stood at ``end``."""
    sponsor = sponsor_get(user=user, code=code)
    invoices = list(
        Invoice.objects.visible_to(user)
        .filter(sponsor=sponsor, period_start__gte=start, period_start__lte=end)
        .select_related("sponsor", "agreement")
        .order_by("period_start", "number")
    )
    billed = sum(i.total for i in invoices)
    fines = sum(i.fine_amount for i in invoices)
    paid = sum(i.paid_amount for i in invoices)
    credit = credit_balance_on(PayerCredit.objects.filter(sponsor=sponsor), end)
    refunds = (
        Refund.objects.filter(sponsor=sponsor, created_at__date__lte=end).exclude(status=Refund.Status.DUPLICATE).aggregate(s=Sum("amount"))["s"] or 0
    )
    return {
        "sponsor": sponsor,
        "start": start,
        "end": end,
        "invoices": invoices,
        "billed": billed,
        "fines": fines,
        "paid": paid,
        "outstanding": sum(i.outstanding for i in invoices),
        "credit": credit,
        "refunds_due": refunds,
    }


def credit_balance_on(credits, on: dt.date) -> int:
    """The credit balance on a date: each entry counts from when the money moved — an overpayment
    from the payment's date, a credit note from its issue date, credit applied from the
    allocation's date (otherwise the day it was recorded)."""
    applied_on = Allocation.objects.filter(credit=OuterRef("pk")).values("applied_on")[:1]
    dated = credits.annotate(effective=Coalesce("payment__paid_on", Subquery(applied_on), "invoice__issue_date", TruncDate("created_at")))
    return dated.filter(effective__lte=on).aggregate(s=Sum("amount"))["s"] or 0


def reconciliation(*, user, start: dt.date, end: dt.date) -> list[dict]:
    """Billed vs paid vs outstanding per payer and period (first month in [start, end])."""
    rows = (
        Invoice.objects.visible_to(user)
        .filter(period_start__gte=start, period_start__lte=end)
        .values(
            "payer_type",
            "payer_key",
            "period_start",
            "period_end",
            "sponsor__code",
            "agreement__number",
            "employer__npp",
            "participant__kpj_number",
            "project__number",
        )
        .annotate(billed=Sum("total"), fines=Sum("fine_amount"), paid=Sum("paid_amount"))
        .order_by("period_start", "payer_type", "payer_key")
    )
    out = []
    for r in rows:
        # A project's invoice also names its contractor (employer): the project comes first.
        payer = (
            (r["agreement__number"] and f"{r['sponsor__code']} {r['agreement__number']}")
            or r["project__number"]
            or r["employer__npp"]
            or r["participant__kpj_number"]
            or r["payer_key"]
        )
        out.append(
            {
                "payer_type": r["payer_type"],
                "payer": payer,
                "period": r["period_start"],
                "period_end": r["period_end"],
                "billed": r["billed"],
                "fines": r["fines"],
                "paid": r["paid"],
                "outstanding": max(0, r["billed"] + r["fines"] - r["paid"]),
            }
        )
    return out


def credit_balance(payer_key: str) -> int:
    """A payer's credit balance now (overpayments and credit notes less credit applied)."""
    return PayerCredit.objects.filter(payer_key=payer_key).aggregate(s=Sum("amount"))["s"] or 0


def unmatched_queue():
    """Every unmatched payment (the command line, which acts for the operator; the web and the API
    list them with ``payment_list(user=..., status="unmatched")``)."""
    return ContributionPayment.objects.filter(status=ContributionPayment.Status.UNMATCHED)


def home_figures(user) -> dict:
    invoices = Invoice.objects.visible_to(user).filter(status__in=OPEN)
    agg = invoices.aggregate(due=Sum(F("total") + F("fine_amount") - F("paid_amount")))
    return {
        "open_invoices": invoices.count(),
        "outstanding": agg["due"] or 0,
        "unmatched_payments": ContributionPayment.objects.visible_to(user).filter(status=ContributionPayment.Status.UNMATCHED).count(),
    }
