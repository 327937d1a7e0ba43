"""The rename of the incoming contribution payment (Payment -> ContributionPayment) on a database
migrated from before: the rows stay, the table follows the model and the role grants keep working
under the new permission codenames."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("contributions", "0003_invoice_line_count")]
AFTER = [("contributions", "0004_contributionpayment")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_the_latest_schema():
    """Whatever the test leaves, the database ends on the latest migrations (the tests that follow
    in this process share it)."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_payment_rename_keeps_rows_and_role_grants(back_to_the_latest_schema):
    old_apps = _migrate(BEFORE)
    try:
        # Migrated back: the permissions carry the old codenames again, as on a database from before.
        assert Permission.objects.filter(content_type__app_label="contributions", codename="view_payment").exists()
        assert not Permission.objects.filter(codename="view_contributionpayment").exists()
        finance = Group.objects.get(name="finance")
        assert finance.permissions.filter(codename="add_payment").exists()
        OldPayment = old_apps.get_model("contributions", "Payment")
        OldPayment.objects.create(amount=16_800, paid_on=dt.date(2024, 1, 5), reference="INV", method="manual", status="unmatched")
        with connection.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM contributions_payment")
            assert cur.fetchone()[0] == 1
    finally:
        new_apps = _migrate(AFTER)
    assert new_apps.get_model("contributions", "ContributionPayment").objects.get().amount == 16_800
    assert "contributions_contributionpayment" in connection.introspection.table_names()
    assert "contributions_payment" not in connection.introspection.table_names()
    finance = Group.objects.get(name="finance")
    assert finance.permissions.filter(codename="add_contributionpayment").exists()
    assert not Permission.objects.filter(content_type__app_label="contributions", codename__endswith="_payment").exists()
