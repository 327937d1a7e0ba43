"""Prepayment: a self-paying BPU worker pays several months ahead on one invoice."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from lindung.contributions.allocation import apply_credits_for
from lindung.contributions.billing.invoices import finish_invoice
from lindung.contributions.billing.numbering import invoice_number, next_sequence, payer_key, virtual_account
from lindung.contributions.models import Invoice, InvoiceLine, PayerType
from lindung.core import audit
from lindung.core.errors import ServiceError
from lindung.membership.models import Participant
from lindung.rules import ContributionCase, calculate_contribution, contribution_due_date
from lindung.rules.months import add_months, month_start


def prepay(*, participant: Participant, first_month: dt.date, months: int, actor=None, today: dt.date | None = None) -> Invoice:
    """A self-paying BPU worker prepays 3, 6 or 12 months: one invoice with a line per month."""
    if months not in (1, 3, 6, 12):
        raise ServiceError("invalid", _("Prepayment covers 1, 3, 6 or 12 months."), {"months": "1, 3, 6 or 12"})
    if participant.segment != "BPU" or participant.agreement_id:
        raise ServiceError("invalid", _("Only self-paying BPU workers prepay."), {"participant": "not self-paying BPU"})
    if participant.status == Participant.Status.ENDED:
        raise ServiceError("invalid", _("The membership has ended: re-register before paying again."), {"participant": "membership ended"})
    first = month_start(first_month)
    if first < month_start(participant.start_date):
        raise ServiceError(
            "invalid",
            _("Cover starts on %(start)s: prepay from %(month)s on.") % {"start": participant.start_date, "month": f"{participant.start_date:%Y-%m}"},
            {"first_month": "before the start of cover"},
        )
    window = [add_months(first, i) for i in range(months)]
    today = today or dt.date.today()
    lines = []
    for m in window:
        result = calculate_contribution(ContributionCase(segment="BPU", on=m, programs=tuple(participant.programs), wage=participant.wage))
        lines += [(c.program, m, c.amount) for c in result.components if c.program]
    key = payer_key(PayerType.SELF, participant.pk)
    try:
        with transaction.atomic():
            return _create(participant, key, first, window, lines, months, actor, today)
    except IntegrityError:
        # Another request created the same invoice at that moment (on a database where the lock
        # below does not wait): the same answer as when it had finished before.
        raise _already_billed() from None


def _already_billed() -> ServiceError:
    return ServiceError("already_billed", _("Some of these months are already billed."), {"first_month": "already billed"}, status=409)


def _create(participant, key, first, window, lines, months, actor, today) -> Invoice:
    # Concurrent identical prepayments: the participant row is locked (SELECT … FOR UPDATE on
    # PostgreSQL; SQLite's IMMEDIATE transactions serialise writers) before the months are checked,
    # so the second request waits, then finds them billed (409) instead of failing on the
    # invoice's unique number.
    list(Participant.objects.select_for_update().filter(pk=participant.pk).values_list("pk", flat=True))
    # a month counts as billed while its lines add up to something (a cancellation note nets them out)
    if InvoiceLine.objects.filter(participant=participant, period__in=window).values("period").annotate(net=Sum("amount")).filter(net__gt=0).exists():
        raise _already_billed()
    seq = next_sequence(key, first)
    invoice = Invoice.objects.create(
        number=invoice_number(first, PayerType.SELF, participant.pk, seq),
        kind=Invoice.Kind.PREPAYMENT,
        payer_type=PayerType.SELF,
        payer_key=key,
        participant=participant,
        branch=participant.branch,
        segment="BPU",
        period_start=first,
        period_end=window[-1],
        sequence=seq,
        issue_date=today,
        due_date=contribution_due_date("BPU", first.year, first.month),
        virtual_account=virtual_account(PayerType.SELF, participant.pk),
    )
    InvoiceLine.objects.bulk_create([InvoiceLine(invoice=invoice, participant=participant, program=p, period=m, amount=a) for p, m, a in lines])
    finish_invoice(invoice)
    audit.record(actor=actor, action="contributions.prepay", obj=invoice, changes={"months": months, "total": invoice.total})
    apply_credits_for([key], on=today)
    invoice.refresh_from_db()
    return invoice
