"""Billing self-paying BPU workers: one invoice per worker and month, written in three statements."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from lindung.contributions.allocation import running_total
from lindung.contributions.billing.numbering import VA_PREFIX
from lindung.contributions.billing.pricing import price_combinations, sql_date
from lindung.contributions.billing.summary import BillingSummary
from lindung.contributions.models import BillingRun
from lindung.membership.models import Participant
from lindung.rules import contribution_due_date
from lindung.rules.months import month_end

# Each line's place in its invoice's allocation order (one participant-month per invoice here).
_SELF_CUM = running_total("pr.amount", "pr.month", "p.kpj_number", "p.id", partition="i.id")
# The next invoice sequence of a self-paying worker's month (1 unless a cancelled one went before).
_SELF_SEQ = (
    "(SELECT COALESCE(MAX(i2.sequence), 0) + 1 FROM contributions_invoice i2 "
    "WHERE i2.payer_key = 'self:' || CAST(p.id AS TEXT) AND i2.period_start = %(period)s)"
)


def bill_self_paying(run: BillingRun, period: dt.date, today: dt.date, summary: BillingSummary) -> None:
    base = Participant.objects.filter(segment="BPU", agreement__isnull=True, start_date__lte=month_end(period)).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=period)
    )
    combos = {(s, tuple(p), w, r) for s, p, w, r in base.values_list("segment", "programs", "wage", "risk_class").distinct()}
    if not combos:
        return
    price_combinations(run, [(s, list(p), w, r) for s, p, w, r in combos], [period])
    due = contribution_due_date("BPU", period.year, period.month)
    ym = f"{period:%Y%m}"
    params = {"run": run.pk, "period": sql_date(period), "period_end": sql_date(month_end(period))}
    with connection.cursor() as cur:
        # Invoices first (one per worker without a live one for the month and with nothing billed
        # for it: a month whose lines a cancellation note netted out counts as not billed, and its
        # new invoice takes the next sequence number)…
        cur.execute(
            f"""
            INSERT INTO contributions_invoice (number, kind, payer_type, payer_key, participant_id, branch_id, segment, period_start,
                period_end, sequence, issue_date, due_date, total, paid_amount, fine_amount, line_count, status, virtual_account, run_id, created_at)
            SELECT 'INV-{ym}-3' || SUBSTR(CAST(1000000000 + p.id AS TEXT), 2) || '-' || CAST({_SELF_SEQ} AS TEXT), 'regular', 'self',
                   'self:' || CAST(p.id AS TEXT), p.id, p.branch_id, 'BPU', %(period)s, %(period)s, {_SELF_SEQ}, %(today)s, %(due)s, 0, 0, 0, 0,
                   'issued', '{VA_PREFIX}3' || SUBSTR(CAST(1000000000 + p.id AS TEXT), 2), %(run)s, %(now)s
            FROM membership_participant p
            WHERE p.segment = 'BPU' AND p.agreement_id IS NULL AND p.start_date <= %(period_end)s
              AND (p.end_date IS NULL OR p.end_date >= %(period)s)
              AND NOT EXISTS (SELECT 1 FROM contributions_invoice i WHERE i.payer_key = 'self:' || CAST(p.id AS TEXT)
                              AND i.period_start = %(period)s AND i.kind <> 'credit_note' AND i.status <> 'cancelled')
              AND COALESCE((SELECT SUM(l.amount) FROM contributions_invoiceline l WHERE l.participant_id = p.id AND l.period = %(period)s), 0) <= 0
            """,
            {**params, "today": sql_date(today), "due": sql_date(due), "now": connection.ops.adapt_datetimefield_value(timezone.now())},
        )
        created = cur.rowcount
        cur.execute(
            f"""
            INSERT INTO contributions_invoiceline (invoice_id, participant_id, program, period, amount, paid_amount, kind, alloc_cum)
            SELECT i.id, p.id, pr.program, pr.month, pr.amount, 0, 'regular', {_SELF_CUM}
            FROM contributions_invoice i
            JOIN membership_participant p ON p.id = i.participant_id
            JOIN contributions_billingprice pr
              ON pr.run_id = %(run)s AND pr.segment = p.segment AND pr.programs = p.programs AND pr.wage = p.wage
             AND pr.risk_class = p.risk_class AND pr.month = %(period)s
            WHERE i.run_id = %(run)s AND i.payer_type = 'self'
            """,
            params,
        )
        summary.lines_created += cur.rowcount
        cur.execute(
            "UPDATE contributions_invoice SET total = COALESCE((SELECT SUM(l.amount) FROM contributions_invoiceline l "
            "WHERE l.invoice_id = contributions_invoice.id), 0), line_count = (SELECT COUNT(*) FROM contributions_invoiceline l "
            "WHERE l.invoice_id = contributions_invoice.id) WHERE run_id = %s AND payer_type = 'self'",
            [run.pk],
        )
    summary.created += created
