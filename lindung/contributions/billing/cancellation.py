"""Cancelling an invoice issued in error: a cancellation note with the opposite lines."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lindung.contributions.billing.invoices import finish_invoice, follow_up_invoice
from lindung.contributions.models import Invoice
from lindung.core import audit
from lindung.core.errors import ServiceError


def cancel_invoice(*, invoice: Invoice, reason: str, actor=None, today: dt.date | None = None) -> Invoice:
    """Cancel an invoice nothing was paid on (issued in error: wrong payer, wrong period). The
    issued invoice is not edited: it is marked *cancelled* and a cancellation note with the
    opposite lines nets it out of the ledger (its months count as not billed; a correction run
    bills them again if they are due). Returns the cancellation note."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("invalid", _("Give the reason for the cancellation."), {"reason": "required"})
    today = today or dt.date.today()
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.kind == Invoice.Kind.CREDIT_NOTE or invoice.status == Invoice.Status.CANCELLED:
            raise ServiceError(
                "invalid",
                _("%(number)s is a credit note or already cancelled.") % {"number": invoice.number},
                {"invoice": "cannot be cancelled"},
                status=409,
            )
        if invoice.paid_amount or invoice.allocations.exists():
            raise ServiceError(
                "invalid",
                _("Money was applied to %(number)s: issue a credit note with a correction run instead.") % {"number": invoice.number},
                {"invoice": "has payments"},
                status=409,
            )
        note = follow_up_invoice(invoice, Invoice.Kind.CREDIT_NOTE, today=today)
        with connection.cursor() as cur:
            # Opposite lines, unpaid: the month nets to nothing billed and nothing paid. No payer
            # credit arises (nothing was paid).
            cur.execute(
                "INSERT INTO contributions_invoiceline (invoice_id, participant_id, program, period, amount, paid_amount, kind) "
                "SELECT %s, participant_id, program, period, -amount, 0, 'adjustment' FROM contributions_invoiceline WHERE invoice_id = %s",
                [note.pk, invoice.pk],
            )
        finish_invoice(note)
        invoice.status = Invoice.Status.CANCELLED
        invoice.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="contributions.cancel_invoice",
            obj=invoice,
            object_repr=invoice.number,
            changes={"reason": reason, "total": invoice.total, "cancellation_note": note.number},
            sponsor_id=invoice.sponsor_id,
            summary=audit.Message(gettext_noop("Invoice %(number)s cancelled (%(reason)s)"), number=invoice.number, reason=reason[:100]),
        )
    return note
