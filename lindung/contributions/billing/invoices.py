"""Writing invoices: lines inserted set-based (``INSERT … SELECT``), an invoice's totals, and the
follow-up invoice (adjustment or credit note) of a payer's period."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Count, Sum

from lindung.contributions.allocation import rank_lines
from lindung.contributions.billing.numbering import invoice_number, next_sequence
from lindung.contributions.models import BillingRun, Invoice, InvoiceLine


def as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


_LINE_COLUMNS = "INSERT INTO contributions_invoiceline (invoice_id, participant_id, program, period, amount, paid_amount, kind, alloc_cum) "


def insert_lines(select_sql: str, params: list, invoice_id: int) -> tuple[int, int]:
    """Run ``INSERT … SELECT`` of lines; return (lines, total). The select's last column is the
    line's place in the allocation order (``allocation.running_total``), so a payment on the
    invoice reads only the lines it changes. On PostgreSQL the count and total come back from the
    insert itself (no second pass over a million lines)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # The planner underestimates the joins on the small price table (multi-column, jsonb)
            # and picks nested loops over a million rows; hash joins in memory are faster here.
            cur.execute("SET LOCAL enable_nestloop = off")
            cur.execute("SET LOCAL work_mem = '256MB'")
            cur.execute(f"WITH ins AS ({_LINE_COLUMNS}{select_sql} RETURNING amount) SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM ins", params)
            count, total = cur.fetchone()
            cur.execute("RESET enable_nestloop")
            cur.execute("RESET work_mem")
            return int(count), int(total)
        cur.execute(_LINE_COLUMNS + select_sql, params)
        cur.execute("SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM contributions_invoiceline WHERE invoice_id = %s", [invoice_id])
        count, total = cur.fetchone()
        return int(count), int(total)


def finish_invoice(invoice: Invoice, count: int | None = None, total: int | None = None) -> None:
    """The invoice's total and line count; lines written without their place in the allocation
    order (``bulk_create``: prepayments, projects, adjustments) get it here."""
    ranked = count is not None and total is not None
    if not ranked:
        agg = InvoiceLine.objects.filter(invoice=invoice).aggregate(s=Sum("amount"), n=Count("id"))
        count, total = agg["n"] or 0, agg["s"] or 0
    invoice.total = total
    invoice.line_count = count
    invoice.save(update_fields=["total", "line_count"])
    if not ranked and invoice.kind != Invoice.Kind.CREDIT_NOTE:
        rank_lines(invoice)


def follow_up_invoice(invoice: Invoice, kind: str, *, today: dt.date, run: BillingRun | None = None) -> Invoice:
    """The next invoice of ``invoice``'s payer and period (an adjustment invoice, or a credit note,
    which is settled as issued): the next sequence number, the same payer, period and virtual
    account, due no earlier than ``today``."""
    seq = next_sequence(invoice.payer_key, invoice.period_start)
    return Invoice.objects.create(
        number=invoice_number(invoice.period_start, invoice.payer_type, int(invoice.payer_key.split(":")[1]), seq),
        kind=kind,
        payer_type=invoice.payer_type,
        payer_key=invoice.payer_key,
        sponsor=invoice.sponsor,
        agreement=invoice.agreement,
        employer=invoice.employer,
        project=invoice.project,
        participant=invoice.participant,
        branch=invoice.branch,
        segment=invoice.segment,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        sequence=seq,
        issue_date=today,
        due_date=max(invoice.due_date, today),
        virtual_account=invoice.virtual_account,
        run=run,
        status=Invoice.Status.PAID if kind == Invoice.Kind.CREDIT_NOTE else Invoice.Status.ISSUED,
    )
