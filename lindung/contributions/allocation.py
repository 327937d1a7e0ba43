"""Allocation: money (a payment or the payer's credit) applied to an invoice and its lines, the
payer's credit ledger, invoice statuses (overdue) and late fines (PU).

Allocation rule for a multi-participant invoice (see docs/contributions.md): money paid on an
invoice goes to the contribution before the late fine; within the contribution, whole
participant-months are paid in order — oldest month first, then KPJ number — as long as the money
covers the whole participant-month (all its programmes). A partly paid participant-month covers
nothing; the remainder waits on the invoice for the next payment."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.db import connection
from django.db.models import Sum

from lindung.contributions.models import Allocation, ContributionPayment, Invoice, PayerCredit
from lindung.rules import LateFineCase, pu_late_fine

OPEN_STATUSES = (Invoice.Status.ISSUED, Invoice.Status.PARTLY_PAID, Invoice.Status.OVERDUE)


def _status_for(invoice: Invoice, on: dt.date) -> str:
    if invoice.status == Invoice.Status.CANCELLED:
        return invoice.status
    if invoice.paid_amount >= invoice.total + invoice.fine_amount:
        return Invoice.Status.PAID
    if invoice.due_date < on:
        return Invoice.Status.OVERDUE
    return Invoice.Status.PARTLY_PAID if invoice.paid_amount > 0 else Invoice.Status.ISSUED


def allocate_lines(invoice: Invoice) -> None:
    """Mark the invoice's lines paid by the allocation rule: one set-based ``UPDATE … FROM`` (no
    per-line Python), the same statement on PostgreSQL and SQLite (3.33+).

    The participant-months of the invoice are summed and ordered (oldest month, then KPJ number),
    a running total over them (a window function) says which whole participant-months the money
    paid on the invoice covers, and only the participant-months whose state changes are joined
    back to their lines and written — a small payment on a million-line invoice writes the few
    lines it covers, not a million.

    Participant-months that a credit note of the same payer and period cancels (an exit, a death,
    a lower wage) come first: the credit note's credit is what pays them, so the cash goes to the
    participants still covered."""
    sql, params = allocation_statement(invoice)
    with connection.cursor() as cur, hash_joins(cur):
        cur.execute(sql, params)


@contextlib.contextmanager
def hash_joins(cur):
    """On PostgreSQL, plan the allocation with hash joins. Lines just billed are not in the
    table's statistics yet: the planner expects one line for the invoice and joins by nested
    loops, re-running the running total for every line (33 s for 4,000 lines), or merges on the
    month alone (12 s); hash joins hold whatever the statistics say."""
    if connection.vendor != "postgresql":
        yield
        return
    cur.execute("SET LOCAL enable_nestloop = off")
    cur.execute("SET LOCAL enable_mergejoin = off")
    cur.execute("SET LOCAL work_mem = '256MB'")
    try:
        yield
    finally:
        cur.execute("RESET enable_nestloop")
        cur.execute("RESET enable_mergejoin")
        cur.execute("RESET work_mem")


def allocation_statement(invoice: Invoice) -> tuple[str, list]:
    """The ``UPDATE … FROM`` that applies the allocation rule to ``invoice``'s lines, and its
    parameters."""
    available = min(invoice.paid_amount, invoice.total)
    credited = Invoice.objects.filter(payer_key=invoice.payer_key, period_start=invoice.period_start, kind=Invoice.Kind.CREDIT_NOTE).exists()
    if credited:
        cte = """c AS (
              SELECT DISTINCT cl.participant_id AS pid, cl.period AS period
              FROM contributions_invoiceline cl JOIN contributions_invoice ci ON ci.id = cl.invoice_id
              WHERE ci.payer_key = %s AND ci.period_start = %s AND ci.kind = 'credit_note'
            ),"""
        join, first = "LEFT JOIN c ON c.pid = l.participant_id AND c.period = l.period", "MAX(CASE WHEN c.pid IS NULL THEN 1 ELSE 0 END), "
        params = [invoice.payer_key, connection.ops.adapt_datefield_value(invoice.period_start)]
    else:
        cte, join, first, params = "", "", "", []
    new_paid = "CASE WHEN g.cum <= %s THEN contributions_invoiceline.amount ELSE 0 END"
    if connection.vendor == "postgresql":
        # A hashable equality (project lines have no participant: 0 stands for none).
        pid, same_participant = "COALESCE(l.participant_id, 0)", "COALESCE(contributions_invoiceline.participant_id, 0) = g.pid"
    else:
        # SQLite looks each participant-month up in the unique (invoice, period, participant,
        # program) index; ``IS`` matches a missing participant and still uses the index.
        pid, same_participant = "l.participant_id", "contributions_invoiceline.participant_id IS g.pid"
    sql = f"""
        WITH {cte} months AS (
          SELECT {pid} AS pid, l.period AS period,
                 SUM(SUM(l.amount)) OVER (ORDER BY {first}l.period, p.kpj_number, l.participant_id ROWS UNBOUNDED PRECEDING) AS cum,
                 CASE WHEN SUM(l.paid_amount) = SUM(l.amount) THEN 1 WHEN SUM(l.paid_amount) = 0 THEN 0 ELSE -1 END AS was_paid
          FROM contributions_invoiceline l LEFT JOIN membership_participant p ON p.id = l.participant_id {join}
          WHERE l.invoice_id = %s AND l.amount > 0
          GROUP BY l.participant_id, l.period, p.kpj_number
        ),
        g AS (SELECT pid, period, cum FROM months WHERE CASE WHEN cum <= %s THEN 1 ELSE 0 END <> was_paid)
        UPDATE contributions_invoiceline SET paid_amount = {new_paid}
        FROM g
        WHERE contributions_invoiceline.invoice_id = %s AND contributions_invoiceline.amount > 0
          AND contributions_invoiceline.period = g.period
          AND {same_participant}
          AND contributions_invoiceline.paid_amount <> {new_paid}
        """
    return sql, [*params, invoice.pk, available, available, invoice.pk, available]


def _accrue_fine(invoice: Invoice, settling: int, on: dt.date) -> int:
    """PU only: 2% per month late of the contribution settled late (rules engine); BPU none."""
    if invoice.segment != "PU" or on <= invoice.due_date or settling <= 0:
        return 0
    m = invoice.period_start
    fine = pu_late_fine(LateFineCase(segment="PU", amount_due=settling, year=m.year, month=m.month, payment_date=on)).total
    return int(fine)


def apply_to_invoice(
    invoice: Invoice, amount: int, *, on: dt.date, payment: ContributionPayment | None = None, credit: PayerCredit | None = None
) -> int:
    """Apply up to ``amount`` to ``invoice``; returns what was applied."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status == Invoice.Status.CANCELLED:
        return 0  # money naming a cancelled invoice becomes the payer's credit
    contribution_open = max(0, invoice.total - invoice.paid_amount)
    settling = min(amount, contribution_open)
    fine = _accrue_fine(invoice, settling, on)
    invoice.fine_amount += fine
    applied = min(amount, invoice.outstanding)
    if applied <= 0:
        if fine:
            invoice.save(update_fields=["fine_amount"])
        return 0
    invoice.paid_amount += applied
    invoice.status = _status_for(invoice, on)
    invoice.save(update_fields=["paid_amount", "fine_amount", "status"])
    Allocation.objects.create(invoice=invoice, payment=payment, credit=credit, amount=applied, fine_accrued=fine, applied_on=on)
    allocate_lines(invoice)
    return applied


def add_credit(*, payer_key: str, sponsor_id=None, amount: int, kind: str, payment=None, invoice=None, note: str = "") -> PayerCredit:
    return PayerCredit.objects.create(
        payer_key=payer_key, sponsor_id=sponsor_id, amount=amount, kind=kind, payment=payment, invoice=invoice, note=note[:300]
    )


def apply_credits_for(payer_keys, *, on: dt.date) -> int:
    """Carry each payer's credit to its open invoices, oldest first."""
    applied_total = 0
    keys = list(
        PayerCredit.objects.filter(payer_key__in=list(payer_keys))
        .values("payer_key")
        .annotate(s=Sum("amount"))
        .filter(s__gt=0)
        .values_list("payer_key", "s")
    )
    for key, balance in keys:
        for invoice in (
            Invoice.objects.filter(payer_key=key, status__in=OPEN_STATUSES)
            .exclude(kind=Invoice.Kind.CREDIT_NOTE)
            .order_by("period_start", "sequence")
        ):
            if balance <= 0:
                break
            entry = add_credit(
                payer_key=key,
                sponsor_id=invoice.sponsor_id,
                amount=0,
                kind=PayerCredit.Kind.APPLIED,
                invoice=invoice,
                note=f"Applied to {invoice.number}",
            )
            applied = apply_to_invoice(invoice, balance, on=on, credit=entry)
            if applied:
                entry.amount = -applied
                entry.save(update_fields=["amount"])
            else:
                entry.delete()
            balance -= applied
            applied_total += applied
    return applied_total


def mark_overdue(*, on: dt.date) -> int:
    return (
        Invoice.objects.filter(status__in=(Invoice.Status.ISSUED, Invoice.Status.PARTLY_PAID), due_date__lt=on)
        .exclude(kind=Invoice.Kind.CREDIT_NOTE)
        .update(status=Invoice.Status.OVERDUE)
    )
