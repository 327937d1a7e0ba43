# The kernel relates to no context's model: a job's sponsor becomes a plain, indexed id column
# (sponsor_ref) instead of a foreign key to membership.Sponsor. Existing jobs keep their sponsor.

from django.db import migrations, models


def copy_sponsor(apps, schema_editor):
    Job = apps.get_model("core", "Job")
    Job.objects.filter(sponsor__isnull=False).update(sponsor_ref=models.F("sponsor_id"))


def copy_back(apps, schema_editor):
    Job = apps.get_model("core", "Job")
    Sponsor = apps.get_model("membership", "Sponsor")
    Job.objects.filter(sponsor_ref__in=Sponsor.objects.values("pk")).update(sponsor_id=models.F("sponsor_ref"))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_decision"),
        ("membership", "0001_initial"),
    ]

    operations = [
        migrations.AddField(model_name="job", name="sponsor_ref", field=models.BigIntegerField(blank=True, db_index=True, null=True)),
        migrations.RunPython(copy_sponsor, copy_back),
        migrations.RemoveField(model_name="job", name="sponsor"),
    ]
