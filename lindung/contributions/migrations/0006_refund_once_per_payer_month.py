"""One refund per payer, participant and month, held by the database (issue 10: concurrent
requests refunded the same months two to four times).

Existing refunds get their months as ``RefundMonth`` rows, oldest refund first; a month already
refunded by an earlier refund is not claimed again, and a refund all of whose months were refunded
before is marked ``duplicate`` (kept for the record, owed nothing)."""

import datetime as dt

import django.db.models.deletion
from django.db import migrations, models


def backfill_months(apps, schema_editor):
    Refund = apps.get_model("contributions", "Refund")
    RefundMonth = apps.get_model("contributions", "RefundMonth")
    InvoiceLine = apps.get_model("contributions", "InvoiceLine")
    taken: set[tuple] = set()
    for refund in Refund.objects.order_by("created_at", "id").iterator():
        rows = []
        for iso in refund.months or []:
            period = dt.date.fromisoformat(iso)
            key = (refund.participant_id, refund.payer_key, period)
            if key in taken:
                continue
            taken.add(key)
            paid = (
                InvoiceLine.objects.filter(participant_id=refund.participant_id, invoice__payer_key=refund.payer_key, period=period)
                .aggregate(s=models.Sum("paid_amount"))["s"]
                or 0
            )
            rows.append(RefundMonth(refund_id=refund.pk, participant_id=refund.participant_id, payer_key=refund.payer_key, period=period, amount=max(0, paid)))
        if rows:
            RefundMonth.objects.bulk_create(rows)
        elif refund.months:
            refund.status = "duplicate"
            refund.save(update_fields=["status"])


class Migration(migrations.Migration):

    dependencies = [
        ('contributions', '0005_billingprice_snapshot'),
        ('membership', '0005_statuschange_decision'),
    ]

    operations = [
        migrations.AlterField(
            model_name='refund',
            name='status',
            field=models.CharField(choices=[('due', 'Due to the payer'), ('paid', 'Paid back'), ('duplicate', 'Duplicate (nothing owed)')], default='due', max_length=10),
        ),
        migrations.CreateModel(
            name='RefundMonth',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('payer_key', models.CharField(max_length=30)),
                ('period', models.DateField(verbose_name='month')),
                ('amount', models.PositiveBigIntegerField()),
                ('participant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='membership.participant')),
                ('refund', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='refunded_months', to='contributions.refund')),
            ],
            options={
                'ordering': ['period'],
                'constraints': [models.UniqueConstraint(fields=('participant', 'payer_key', 'period'), name='contrib_refund_once_per_payer_period')],
            },
        ),
        migrations.RunPython(backfill_months, migrations.RunPython.noop),
    ]
