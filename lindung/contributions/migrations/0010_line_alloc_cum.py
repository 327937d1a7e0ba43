"""Invoice lines keep their place in the allocation order (``InvoiceLine.alloc_cum``: the running
total of the invoice's participant-months up to their own, oldest month then KPJ number), indexed
with the invoice, so a payment writes only the participant-months its money changes instead of
re-reading the whole invoice (issue 10, item 3).

Existing lines get it for the invoices that can still be paid (issued, partly paid, overdue),
whose payer and period have no credit note (their order is recomputed at each payment) and whose
lines are allocated as that order says for what is paid on them; one set-based statement, the same
on PostgreSQL and SQLite. Other invoices keep it empty: a paid or cancelled invoice takes no more
money, and an open one left out gets its places at its next payment."""

from django.db import migrations, models

RANK_OPEN_INVOICES = """
UPDATE contributions_invoiceline SET alloc_cum = r.cum
FROM (
  SELECT y.id AS id, y.cum AS cum
  FROM (
    SELECT x.id, x.cum,
           MIN(CASE WHEN x.amount <= 0 OR x.paid_amount = CASE WHEN x.cum <= x.available THEN x.amount ELSE 0 END THEN 1 ELSE 0 END)
             OVER (PARTITION BY x.invoice_id) AS consistent
    FROM (
      SELECT l.id, l.invoice_id, l.amount, l.paid_amount,
             CASE WHEN i.paid_amount < i.total THEN i.paid_amount ELSE i.total END AS available,
             SUM(CASE WHEN l.amount > 0 THEN l.amount ELSE 0 END)
               OVER (PARTITION BY l.invoice_id ORDER BY l.period, p.kpj_number, l.participant_id
                     RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum
      FROM contributions_invoiceline l
      JOIN contributions_invoice i ON i.id = l.invoice_id
      LEFT JOIN membership_participant p ON p.id = l.participant_id
      WHERE i.status IN ('issued', 'partly_paid', 'overdue') AND i.kind <> 'credit_note'
        AND NOT EXISTS (SELECT 1 FROM contributions_invoice c
                        WHERE c.payer_key = i.payer_key AND c.period_start = i.period_start AND c.kind = 'credit_note')
    ) x
  ) y
  WHERE y.consistent = 1
) r
WHERE contributions_invoiceline.id = r.id
"""


class Migration(migrations.Migration):

    dependencies = [
        ('contributions', '0009_line_indexes_lean'),
        ('membership', '0008_held_rows_and_change_proposals'),
    ]

    operations = [
        migrations.AddField(
            model_name='invoiceline',
            name='alloc_cum',
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name='invoiceline',
            index=models.Index(fields=['invoice', 'alloc_cum'], name='contrib_line_alloc_idx'),
        ),
        migrations.RunSQL(RANK_OPEN_INVOICES, migrations.RunSQL.noop),
    ]
