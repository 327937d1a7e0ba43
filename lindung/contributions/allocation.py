"""Allocation: money (a payment or the payer's credit) applied to an invoice and its lines, the
payer's credit ledger, invoice statuses (overdue) and late fines (PU).

Allocation rule for a multi-participant invoice (see docs/contributions.md): money paid on an
invoice goes to the contribution before the late fine; within the contribution, whole
participant-months are paid in order — those a credit note of the same payer and period cancels
first, then oldest month, then KPJ number — as long as the money covers the whole participant-month
(all its programmes). A partly paid participant-month covers nothing; the remainder waits on the
invoice for the next payment. Each line keeps its place in that order (``InvoiceLine.alloc_cum``),
so a payment writes only the participant-months its money changes (``allocate_lines``)."""

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


def running_total(amount: str, month: str, kpj: str, participant: str, partition: str | None = None) -> str:
    """SQL for a line's ``alloc_cum`` (its place in the allocation order) over the lines of a
    query: the running total of the positive amounts, ordered by month, KPJ number and participant.
    The window's frame is a range, so the lines of one participant-month (its programmes, which
    share the order's key) are peers and all get the total up to and including the whole
    participant-month. ``partition`` separates invoices when one query writes several."""
    over = f"PARTITION BY {partition} " if partition else ""
    return (
        f"SUM(CASE WHEN {amount} > 0 THEN {amount} ELSE 0 END) OVER ({over}ORDER BY {month}, {kpj}, {participant} "
        "RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
    )


def allocate_lines(invoice: Invoice, before: int | None = None) -> None:
    """Mark the invoice's lines paid by the allocation rule, set-based (no per-line Python), the
    same statements on PostgreSQL and SQLite (3.33+).

    ``before`` is the contribution the lines were allocated for until now (the invoice's paid
    amount, at most its total, before this money). Each line carries its place in the
    allocation order (``InvoiceLine.alloc_cum``, the running total of the invoice's
    participant-months up to its own), so only the participant-months whose place lies between
    ``before`` and what is paid now change: one ``UPDATE`` over that range of the (invoice,
    alloc_cum) index (``range_statement``) — a Rp 1,000 payment on a million-line invoice reads
    no line, and its cost does not grow with the invoice.

    Participant-months that a credit note of the same payer and period cancels (an exit, a death,
    a lower wage) come first: the credit note's credit is what pays them, so the cash goes to the
    participants still covered. That order is not the one stored on the lines, so while the
    payer's period has a credit note the whole invoice is re-allocated (``allocation_statement``);
    so is an invoice whose lines have no place yet (written outside billing's insert), which
    then gets it (``rank_statement``)."""
    available = min(invoice.paid_amount, invoice.total)
    credited, unranked = _allocation_state(invoice)
    if unranked and not credited:
        rank_lines(invoice)
        return
    with connection.cursor() as cur:
        if credited or before is None:
            sql, params = allocation_statement(invoice, credited=credited)
            with hash_joins(cur):
                cur.execute(sql, params)
        elif before != available:
            cur.execute(*range_statement(invoice.pk, before, available))


def _allocation_state(invoice: Invoice) -> tuple[bool, bool]:
    """(Has the payer's period a credit note?, has a charged line of the invoice no place in the
    allocation order yet?), in one query."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT EXISTS (SELECT 1 FROM contributions_invoice WHERE payer_key = %s AND period_start = %s AND kind = 'credit_note'), "
            "EXISTS (SELECT 1 FROM contributions_invoiceline WHERE invoice_id = %s AND alloc_cum IS NULL AND amount > 0)",
            [invoice.payer_key, connection.ops.adapt_datefield_value(invoice.period_start), invoice.pk],
        )
        credited, unranked = cur.fetchone()
    return bool(credited), bool(unranked)


def range_statement(invoice_id: int, before: int, available: int) -> tuple[str, list]:
    """The ``UPDATE`` for a change of the contribution paid on an invoice from ``before`` to
    ``available``: the participant-months whose place lies between the two become covered (or,
    going down, no longer), read from the (invoice, alloc_cum) index; nothing else is read."""
    low, high = min(before, available), max(before, available)
    sql = """
        UPDATE contributions_invoiceline SET paid_amount = CASE WHEN alloc_cum <= %s THEN amount ELSE 0 END
        WHERE invoice_id = %s AND alloc_cum > %s AND alloc_cum <= %s AND amount > 0
        """
    return sql, [available, invoice_id, low, high]


def rank_statement(invoice_id: int, available: int) -> tuple[str, list]:
    """The ``UPDATE`` that gives every line of an invoice its place in the allocation order and
    allocates ``available`` by it: for lines written without a place (a prepayment, a project,
    an adjustment invoice, a database from before the places were kept). Writes every line."""
    cum = running_total("l.amount", "l.period", "p.kpj_number", "l.participant_id")
    sql = f"""
        UPDATE contributions_invoiceline SET alloc_cum = r.cum,
          paid_amount = CASE WHEN contributions_invoiceline.amount <= 0 THEN contributions_invoiceline.paid_amount
                             WHEN r.cum <= %s THEN contributions_invoiceline.amount ELSE 0 END
        FROM (SELECT l.id AS id, {cum} AS cum
              FROM contributions_invoiceline l LEFT JOIN membership_participant p ON p.id = l.participant_id
              WHERE l.invoice_id = %s) r
        WHERE contributions_invoiceline.invoice_id = %s AND contributions_invoiceline.id = r.id
        """
    return sql, [available, invoice_id, invoice_id]


def rank_lines(invoice: Invoice) -> None:
    """Give the lines of ``invoice``, written outside billing's insert, their place in the
    allocation order (a payment then reads only the range it changes)."""
    sql, params = rank_statement(invoice.pk, min(invoice.paid_amount, invoice.total))
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
    # One round trip each way (statements without parameters may be sent together).
    cur.execute("SET LOCAL enable_nestloop = off; SET LOCAL enable_mergejoin = off; SET LOCAL work_mem = '256MB'")
    try:
        yield
    finally:
        cur.execute("RESET enable_nestloop; RESET enable_mergejoin; RESET work_mem")


def allocation_statement(invoice: Invoice, credited: bool | None = None) -> tuple[str, list]:
    """The ``UPDATE … FROM`` that applies the allocation rule to all of ``invoice``'s lines
    whatever their state, and its parameters: the invoice's participant-months are summed and
    ordered (cancelled by a credit note first, then oldest month, then KPJ number), a running
    total over them (a window function) says which whole participant-months the money paid on
    the invoice covers, and only the participant-months whose state changes are joined back to
    their lines and written. It reads the whole invoice (about 7 s for a million lines)."""
    available = min(invoice.paid_amount, invoice.total)
    if credited is None:
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
    before = min(invoice.paid_amount, invoice.total)  # what the lines are allocated for until now
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
    allocate_lines(invoice, before)
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
