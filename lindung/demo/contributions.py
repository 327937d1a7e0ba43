"""Demo step: bill Dumai's quarters Oct–Dec 2023 and Jan–Mar 2024, pay the first in full, and run
the daily job as of the hand-over day (21 March 2024), so the second quarter's invoice is overdue and
its workers are in grace, as they stood that day (idempotent; does nothing when no participants are
enrolled yet)."""

from __future__ import annotations

import datetime as dt

from lindung.contributions import allocation, billing, payments, statuses
from lindung.contributions.models import ContributionPayment, Invoice
from lindung.demo.base import DUMAI_SPONSOR
from lindung.membership.models import Participant

QUARTERS = [dt.date(2023, 10, 1), dt.date(2024, 1, 1)]
STORY_DAY = dt.date(2024, 3, 21)  # the public hand-over at the Dumai branch


def load(context: dict) -> dict:
    sponsor = context["sponsors"][DUMAI_SPONSOR]
    if not Participant.objects.filter(sponsor=sponsor).exists():
        return {"invoices": 0, "skipped": "no participants"}
    created = 0
    for quarter in QUARTERS:
        created += billing.run_billing(period=quarter, sponsor=sponsor, today=quarter).created
    first = Invoice.objects.filter(sponsor=sponsor, period_start=QUARTERS[0], sequence=1).first()
    reference = "DEMO-SP2D-2023-10"
    if first is not None and not ContributionPayment.objects.filter(bank_reference=reference).exists():
        payments.record_payment(
            amount=first.total,
            paid_on=dt.date(2023, 10, 12),
            reference=f"Pembayaran iuran {first.number}",
            bank_reference=reference,
            method=ContributionPayment.Method.BANK,
        )
    allocation.mark_overdue(on=STORY_DAY)
    statuses.refresh_statuses(on=STORY_DAY)
    return {
        "invoices": Invoice.objects.filter(sponsor=sponsor).count(),
        "created": created,
        "billed": sum(Invoice.objects.filter(sponsor=sponsor).values_list("total", flat=True)),
    }
