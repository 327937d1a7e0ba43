"""Correction runs: the difference between what should be billed and what was billed goes on an
adjustment invoice (more) or a credit note (less); the issued invoice is not edited."""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum

from lindung.contributions.allocation import add_credit
from lindung.contributions.billing.invoices import finish_invoice, follow_up_invoice
from lindung.contributions.billing.summary import BillingSummary
from lindung.contributions.models import BillingRun, Invoice, InvoiceLine
from lindung.membership.models import Participant


def correct_invoice(run: BillingRun, invoice: Invoice, desired: dict, window: list[dt.date], today: dt.date, summary: BillingSummary) -> None:
    """Adjustment lines for the difference between what should be billed and what was billed to
    this payer for the window: a positive difference goes on an adjustment invoice, a negative one
    on a credit note. Paid months after a participant's death are left to the refund rule."""
    billed: dict = {}
    paid: dict = {}
    for pid, prog, m, amt, p in (
        InvoiceLine.objects.filter(invoice__payer_key=invoice.payer_key, period__gte=window[0], period__lte=window[-1])
        .values_list("participant_id", "program", "period")
        .annotate(s=Sum("amount"), p=Sum("paid_amount"))
    ):
        billed[(pid, prog, m)] = amt
        paid[(pid, prog, m)] = p
    died = dict(Participant.objects.filter(pk__in={k[0] for k in billed}, exit_reason=Participant.ExitReason.DEATH).values_list("pk", "end_date"))
    positive, negative = [], []
    for key in set(desired) | set(billed):
        pid, prog, m = key
        if pid in died and died[pid] and m > died[pid] and paid.get(key, 0) > 0:
            continue  # paid months after death are refunded to the payer (payments.refund_after_death)
        delta = desired.get(key, 0) - billed.get(key, 0)
        if delta > 0:
            positive.append((pid, prog, m, delta))
        elif delta < 0:
            negative.append((pid, prog, m, delta))
    for rows, kind in [(positive, Invoice.Kind.ADJUSTMENT), (negative, Invoice.Kind.CREDIT_NOTE)]:
        if not rows:
            continue
        adj = follow_up_invoice(invoice, kind, today=today, run=run)
        InvoiceLine.objects.bulk_create(
            [
                InvoiceLine(
                    invoice=adj,
                    participant_id=pid,
                    program=prog,
                    period=m,
                    amount=amt,
                    paid_amount=amt if amt < 0 else 0,
                    kind=InvoiceLine.Kind.ADJUSTMENT,
                )
                for pid, prog, m, amt in sorted(rows, key=lambda r: (r[2], r[0] or 0, r[1]))
            ],
            batch_size=5000,
        )
        finish_invoice(adj)
        summary.created += 1
        summary.lines_created += len(rows)
        if kind == Invoice.Kind.CREDIT_NOTE:
            add_credit(
                payer_key=adj.payer_key,
                sponsor_id=adj.sponsor_id,
                amount=-adj.total,
                kind="credit_note",
                invoice=adj,
                note=f"Credit note {adj.number}",
            )
