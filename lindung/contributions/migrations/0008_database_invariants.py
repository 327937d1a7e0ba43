"""The invariants the database holds from now on (issue 8): one line per invoice, participant, programme
and month; paid within the amount on a line and within total + fine on an invoice; an allocation with
exactly one source; programme and segment from their choices. Existing data was made to fit by 0007."""

import django.db.models.expressions
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_initial'),
        ('contributions', '0007_invariants_existing_data'),
        ('core', '0005_frozen_calculations'),
        ('membership', '0005_statuschange_decision'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='allocation',
            name='contrib_allocation_has_source',
        ),
        migrations.RemoveIndex(
            model_name='invoiceline',
            name='contrib_line_invoice_idx',
        ),
        migrations.AlterField(
            model_name='billingprice',
            name='program',
            field=models.CharField(choices=[('JKK', 'Work accident (JKK)'), ('JKM', 'Death (JKM)'), ('JHT', 'Old-age savings (JHT)')], max_length=5),
        ),
        migrations.AlterField(
            model_name='billingprice',
            name='segment',
            field=models.CharField(choices=[('PU', 'Wage earner (PU)'), ('BPU', 'Non-wage earner (BPU)'), ('JAKON', 'Construction services (Jasa Konstruksi)')], max_length=5),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='segment',
            field=models.CharField(choices=[('PU', 'Wage earner (PU)'), ('BPU', 'Non-wage earner (BPU)'), ('JAKON', 'Construction services (Jasa Konstruksi)')], max_length=5, verbose_name='segment'),
        ),
        migrations.AlterField(
            model_name='invoiceline',
            name='program',
            field=models.CharField(choices=[('JKK', 'Work accident (JKK)'), ('JKM', 'Death (JKM)'), ('JHT', 'Old-age savings (JHT)')], max_length=5, verbose_name='programme'),
        ),
        migrations.AddConstraint(
            model_name='allocation',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('credit__isnull', True), ('payment__isnull', False)), models.Q(('credit__isnull', False), ('payment__isnull', True)), _connector='OR'), name='contrib_allocation_one_source'),
        ),
        migrations.AddConstraint(
            model_name='billingprice',
            constraint=models.CheckConstraint(condition=models.Q(('segment__in', ['PU', 'BPU', 'JAKON'])), name='contrib_price_segment_valid'),
        ),
        migrations.AddConstraint(
            model_name='billingprice',
            constraint=models.CheckConstraint(condition=models.Q(('program__in', ['JKK', 'JKM', 'JHT'])), name='contrib_price_program_valid'),
        ),
        migrations.AddConstraint(
            model_name='invoice',
            constraint=models.CheckConstraint(condition=models.Q(('paid_amount', 0), ('paid_amount__lte', django.db.models.expressions.CombinedExpression(models.F('total'), '+', models.F('fine_amount'))), _connector='OR'), name='contrib_invoice_paid_le_due'),
        ),
        migrations.AddConstraint(
            model_name='invoice',
            constraint=models.CheckConstraint(condition=models.Q(('segment__in', ['PU', 'BPU', 'JAKON'])), name='contrib_invoice_segment_valid'),
        ),
        migrations.AddConstraint(
            model_name='invoiceline',
            constraint=models.UniqueConstraint(fields=('invoice', 'period', 'participant', 'program'), name='contrib_line_one_per_invoice'),
        ),
        migrations.AddConstraint(
            model_name='invoiceline',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('amount__gte', 0), ('paid_amount__gte', 0), ('paid_amount__lte', models.F('amount'))), models.Q(('amount__lt', 0), ('paid_amount__gte', models.F('amount')), ('paid_amount__lte', 0)), _connector='OR'), name='contrib_line_paid_within_amount'),
        ),
        migrations.AddConstraint(
            model_name='invoiceline',
            constraint=models.CheckConstraint(condition=models.Q(('program__in', ['JKK', 'JKM', 'JHT'])), name='contrib_line_program_valid'),
        ),
    ]
