"""Invoice lines lose their single-column indexes on invoice and participant: the unique (invoice,
period, participant, program) index and the cover index (participant, program, period) start with
them, and every index costs the billing insert and the allocation update."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contributions', '0008_database_invariants'),
        ('membership', '0005_statuschange_decision'),
    ]

    operations = [
        migrations.AlterField(
            model_name='invoiceline',
            name='invoice',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='lines', to='contributions.invoice'),
        ),
        migrations.AlterField(
            model_name='invoiceline',
            name='participant',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='membership.participant'),
        ),
    ]
