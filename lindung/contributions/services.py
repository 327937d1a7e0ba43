"""Writes of the contributions context that are not a use-case module of their own (billing runs
are in ``billing/``, payments in ``payments.py``, bank statements in ``bank_statements.py``, the
daily status refresh in ``statuses.py``): refunds after a death and audited arrears settlements."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from lindung.contributions.models import ArrearsSettlement, ContributionPayment, Invoice, InvoiceLine, Refund, RefundMonth
from lindung.contributions.payments import record_payment
from lindung.contributions.statuses import refresh_statuses
from lindung.core import audit
from lindung.core.errors import ServiceError
from lindung.membership.models import Participant


def refund_after_death(*, participant, actor=None) -> Refund | None:
    """Contributions paid for months after the month of death are owed back to the payer
    (a refund record with an audit event). Months already credited by a correction run and
    earlier refunds are not refunded twice.

    Exactly one refund whatever arrives at the same time: the participant row is locked
    (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's IMMEDIATE transactions serialise writers)
    before what was already refunded is read, and the database holds one refunded month per
    payer and participant (``RefundMonth``), so a request that slipped past the lock fails
    instead of paying twice."""
    with transaction.atomic():
        participant = Participant.objects.select_for_update(of=("self",)).select_related("person").get(pk=participant.pk)
        death = participant.end_date if participant.exit_reason == "death" else None
        if death is None:
            death = getattr(participant.person, "death_date", None)
        if death is None:
            raise ServiceError("not_deceased", _("The participant has no recorded death."), {"participant": "not deceased"})
        after = InvoiceLine.objects.filter(participant=participant, period__gt=death.replace(day=1))
        done = set(RefundMonth.objects.filter(participant=participant).values_list("payer_key", "period"))
        by_payer: dict[str, dict] = {}
        for payer, sponsor_id, period, paid in (
            after.values_list("invoice__payer_key", "invoice__sponsor_id", "period").annotate(p=Sum("paid_amount")).order_by("period")
        ):
            if not paid or paid <= 0:
                continue  # unpaid, or cancelled by a credit note (its negative lines net the month out)
            if (payer, period) in done:
                continue  # refunded before
            entry = by_payer.setdefault(payer, {"sponsor_id": sponsor_id, "months": {}})
            entry["months"][period] = entry["months"].get(period, 0) + paid
        refund = None
        try:
            with transaction.atomic():
                for payer, entry in by_payer.items():
                    due = sum(entry["months"].values())
                    months = sorted(entry["months"])
                    refund = Refund.objects.create(
                        payer_key=payer,
                        sponsor_id=entry["sponsor_id"],
                        participant=participant,
                        amount=due,
                        months=[m.isoformat() for m in months],
                        created_by=actor if getattr(actor, "pk", None) else None,
                    )
                    RefundMonth.objects.bulk_create(
                        [RefundMonth(refund=refund, participant=participant, payer_key=payer, period=m, amount=entry["months"][m]) for m in months]
                    )
                    audit.record(
                        actor=actor,
                        action="contributions.refund_after_death",
                        obj=refund,
                        changes={"amount": due, "months": refund.months, "payer": payer, "death_date": death},
                        sponsor_id=entry["sponsor_id"],
                    )
        except IntegrityError:
            raise ServiceError(
                "already_refunded",
                _("These months were refunded at the same moment by another request."),
                {"participant": "already refunded"},
                status=409,
            ) from None
    return refund


def settle_arrears(
    *,
    invoice: Invoice,
    amount: int,
    paid_on: dt.date,
    reason: str,
    document_reference: str,
    bank_reference: str | None = None,
    actor=None,
    today: dt.date | None = None,
) -> ArrearsSettlement:
    """Record a sponsor's late settlement of arrears (e.g. a late budget disbursement): the
    payment is allocated, paid-through extends, and participants in grace return to active at
    once (the daily job would do the same). A documented, audited action."""
    if not reason.strip() or not document_reference.strip():
        raise ServiceError(
            "invalid",
            _("A settlement needs a reason and a supporting document."),
            {"reason": "required" if not reason.strip() else "", "document_reference": "required" if not document_reference.strip() else ""},
        )
    with transaction.atomic():
        payment = record_payment(
            amount=amount,
            paid_on=paid_on,
            reference=f"{invoice.number} {reason}"[:300],
            bank_reference=bank_reference,
            invoice=invoice,
            method=ContributionPayment.Method.SETTLEMENT,
            actor=actor,
        )
        moved = refresh_statuses(on=today or dt.date.today(), invoice_id=invoice.pk, actor=actor)
        settlement = ArrearsSettlement.objects.create(
            invoice=invoice,
            payment=payment,
            reason=reason[:300],
            document_reference=document_reference[:200],
            participants_restored=moved.get("grace_to_active", 0),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit.record(
            actor=actor,
            action="contributions.settle_arrears",
            obj=settlement,
            object_repr=invoice.number,
            changes={
                "invoice": invoice.number,
                "amount": amount,
                "paid_on": paid_on,
                "reason": reason,
                "document": document_reference,
                "restored": settlement.participants_restored,
            },
            sponsor_id=invoice.sponsor_id,
        )
    return settlement
