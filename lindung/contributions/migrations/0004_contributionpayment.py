# The incoming contribution payment is renamed Payment -> ContributionPayment ("payment" is left to
# benefit payouts). The table follows the model (contributions_payment ->
# contributions_contributionpayment); the content type is renamed by Django's contenttypes app,
# and the permissions created for the old name (view_payment, ...) get the new codenames, so a
# database migrated from before keeps its role grants under the new names and has no stale ones.

from django.conf import settings
from django.db import migrations

ACTIONS = ("add", "change", "delete", "view")


def _rename_permissions(apps, old: str, new: str, new_verbose: str) -> None:
    Permission = apps.get_model("auth", "Permission")
    for action in ACTIONS:
        Permission.objects.filter(content_type__app_label="contributions", codename=f"{action}_{old}").update(
            codename=f"{action}_{new}", name=f"Can {action} {new_verbose}"
        )


def forwards(apps, schema_editor):
    _rename_permissions(apps, "payment", "contributionpayment", "contribution payment")


def backwards(apps, schema_editor):
    _rename_permissions(apps, "contributionpayment", "payment", "payment")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("contributions", "0003_invoice_line_count"),
        ("membership", "0004_leaner_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel(old_name="Payment", new_name="ContributionPayment"),
        migrations.AlterModelOptions(
            name="contributionpayment",
            options={"ordering": ["-paid_on", "-id"], "verbose_name": "contribution payment", "verbose_name_plural": "contribution payments"},
        ),
        migrations.RunPython(forwards, backwards),
    ]
