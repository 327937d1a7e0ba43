"""Audit summaries as a message id and parameters, translated when they are read.

The column is nullable without a default, so SQLite adds it with ``ALTER TABLE … ADD COLUMN``
(the table and its append-only triggers stay as they are); old events keep their text."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0008_audit_purge_by_owner_only")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="summary_message",
            field=models.JSONField(blank=True, null=True, verbose_name="summary message"),
        ),
    ]
